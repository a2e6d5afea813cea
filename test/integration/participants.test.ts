/**
 * Participants come from presence, but only from people who may edit, and never after the end
 * (issue 15 part 4): a viewer's awareness name is no participant, nor is a name announced after
 * the session ended.
 */
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { serverSuite } from '../helpers/server-suite.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = serverSuite()
const { clients } = suite

async function present(room: string, name: string, token?: string): Promise<PadClient> {
  const client = connectPad(suite.server.wsUrl, room, { token })
  clients.push(client)
  await waitForSynced(client)
  client.provider.awareness.setLocalStateField('user', { name, color: '#1565c0' })
  return client
}

/** Names the server lists as participants now (a revision export reads the live list). */
async function participants(id: string): Promise<string[]> {
  const res = await fetch(`${suite.server.url}/api/sessions/${id}/export?rev=1&format=json`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { participants: string[] }).participants
}

describe('participants', () => {
  it('are recorded from editors only, and not after the session ended', async () => {
    const { session, moderatorKey, editorKey } = await createSessionWithKeys(suite.server.url, { title: 'Who was there', access: 'key' })
    expect((await act(suite.server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    await present(session.id, 'Mallory the viewer')
    await present(session.id, 'Ada', editorKey!)
    await waitFor(async () => (await participants(session.id)).includes('Ada'), 5000, 'the editor recorded')
    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    await present(session.id, 'Late Larry', editorKey!)
    // The marker: a name set after Larry's, by the same kind of connection, shows the server
    // handled Larry's awareness by the time it is seen by another client.
    const watcher = await present(session.id, 'Watcher', editorKey!)
    await waitFor(() => [...watcher.provider.awareness.getStates().values()].some((state) => (state as { user?: { name?: string } }).user?.name === 'Late Larry'), 5000, 'the late name relayed')
    expect(await participants(session.id)).toEqual(['Ada'])
  })

  it('are people: a placeholder is never recorded, a rename keeps one participant under the last name (issue 19 bug 1)', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Four people, not eight' })
    expect((await act(suite.server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    // Two browsers on a first visit: a suggested name marked placeholder, then the chosen one.
    const lin = connectPad(suite.server.wsUrl, session.id)
    const ada = connectPad(suite.server.wsUrl, session.id)
    clients.push(lin, ada)
    await Promise.all([waitForSynced(lin), waitForSynced(ada)])
    lin.provider.awareness.setLocalStateField('user', { id: 'u-lin', name: 'Guest 214', color: '#1565c0', placeholder: true })
    ada.provider.awareness.setLocalStateField('user', { id: 'u-ada', name: 'Guest 377', color: '#2e7d32', placeholder: true })
    lin.provider.awareness.setLocalStateField('user', { id: 'u-lin', name: '李明', color: '#1565c0' })
    ada.provider.awareness.setLocalStateField('user', { id: 'u-ada', name: 'Ada', color: '#2e7d32' })
    await waitFor(async () => (await participants(session.id)).length === 2, 5000, 'both people recorded')
    // A later rename (the "you" button) keeps the person, under the new name.
    lin.provider.awareness.setLocalStateField('user', { id: 'u-lin', name: '李明 🎉', color: '#1565c0' })
    await waitFor(async () => (await participants(session.id)).includes('李明 🎉'), 5000, 'the rename recorded')
    expect((await participants(session.id)).sort()).toEqual(['Ada', '李明 🎉'])

    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    let archived: { participants: string[] } | null = null
    await waitFor(async () => {
      const res = await fetch(`${suite.server.url}/api/sessions/${session.id}/archive`)
      if (res.status === 200) archived = ((await res.json()) as { archive: { participants: string[] } }).archive
      return archived !== null
    }, 5000, 'the archive record')
    expect(archived!.participants.sort()).toEqual(['Ada', '李明 🎉'])
    const index = (await (await fetch(`${suite.server.url}/api/archive`)).json()) as { sessions: { session: { id: string }; participants: string[] }[] }
    expect(index.sessions.find((entry) => entry.session.id === session.id)?.participants.sort()).toEqual(['Ada', '李明 🎉'])
    const markdown = await (await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=md`)).text()
    expect(markdown).toContain('李明 🎉')
    expect(markdown).not.toMatch(/Guest \d{3}|李明(?! 🎉)/)
  })
})
