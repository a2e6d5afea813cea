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
})
