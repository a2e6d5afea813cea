/**
 * Who wrote what, and how the pad grew: authorship that survives reloads and a server restart,
 * revisions saved when the pad goes quiet, exports and restore of any revision.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { authorRuns } from '../../client/editor/plugins/authorship-colors.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { serverSuite } from '../helpers/server-suite.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = serverSuite({ env: { REVISION_QUIET_MS: '300', REVISION_MAX_INTERVAL_MS: '5000' } })
const { clients } = suite

/** A pad client writing as person `personId` (Y.PermanentUserData), as the browser does. */
async function author(room: string, personId: string, name: string, color: string, token?: string): Promise<PadClient> {
  const client = connectPad(suite.server.wsUrl, room, { ack: true, token })
  clients.push(client)
  await waitForSynced(client)
  new Y.PermanentUserData(client.ydoc).setUserMapping(client.ydoc, client.ydoc.clientID, personId)
  client.ydoc.getMap('authors').set(personId, { name, color })
  return client
}

function appendParagraph(client: PadClient, text: string): void {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  client.ydoc.getXmlFragment(padFragmentName).push([paragraph])
}

/** The person behind each non-template run of text in `client`'s doc. */
function attribution(client: PadClient): Record<string, string> {
  const pud = new Y.PermanentUserData(client.ydoc)
  const runs = authorRuns(client.ydoc.getXmlFragment(padFragmentName), (id) => pud.getUserByClientId(id) ?? null)
  return Object.fromEntries(runs.map((run) => [run.text, run.person]))
}

interface Revision {
  rev: number
  reason: string
  authors: { id: string; name: string }[]
}
const revisions = async (id: string) => ((await (await fetch(`${suite.server.url}/api/sessions/${id}/revisions`)).json()) as { revisions: Revision[] }).revisions
const exportAt = async (id: string, rev: number) => (await fetch(`${suite.server.url}/api/sessions/${id}/export?format=txt&rev=${rev}`)).text()

describe('authorship', () => {
  it('attributes each run of text to its author after reloads and a server restart', async () => {
    const { session } = await createSessionWithKeys(suite.server.url)
    const ada = await author(session.id, 'u-ada', 'Ada', '#1565c0')
    const grace = await author(session.id, 'u-grace', 'Grace', '#c62828')
    appendParagraph(ada, 'alpha by ada')
    appendParagraph(grace, 'beta by grace')
    await waitFor(() => ada.isSaved() && grace.isSaved(), 3000, 'both saved')
    ada.destroy()
    grace.destroy()

    await suite.server.restart()
    // Reloaded clients have new Yjs client ids but the same people.
    const ada2 = await author(session.id, 'u-ada', 'Ada', '#1565c0')
    expect(ada2.ydoc.clientID).not.toBe(ada.ydoc.clientID)
    appendParagraph(ada2, 'gamma by ada again')
    await waitFor(() => ada2.isSaved(), 3000, 'saved after restart')
    const observer = connectPad(suite.server.wsUrl, session.id)
    clients.push(observer)
    await waitForSynced(observer)
    await waitFor(() => observer.ydoc.getXmlFragment(padFragmentName).toString().includes('gamma'), 3000, 'observer has gamma')
    expect(attribution(observer)).toMatchObject({ 'alpha by ada': 'u-ada', 'beta by grace': 'u-grace', 'gamma by ada again': 'u-ada' })
  })
})

describe('revisions', () => {
  it('saves a revision after each quiet pause, exports any revision, and restores one as a new edit', async () => {
    const { session, moderatorKey, editorKey } = await createSessionWithKeys(suite.server.url, { access: 'key' })
    const ada = await author(session.id, 'u-ada', 'Ada', '#1565c0', editorKey!)
    // Revision 1 is the seeded template; then each pause after an edit makes one revision.
    for (const [index, word] of ['first-words', 'second-words', 'third-words'].entries()) {
      appendParagraph(ada, word)
      await waitFor(async () => (await revisions(session.id)).length === index + 2, 5000, `revision ${index + 2}`)
    }
    const list = await revisions(session.id)
    expect(list.map((revision) => revision.rev)).toEqual([1, 2, 3, 4])
    expect(list[1]!.authors).toEqual([expect.objectContaining({ id: 'u-ada', name: 'Ada' })])
    expect(await exportAt(session.id, 1)).not.toContain('first-words')
    const first = await exportAt(session.id, 2)
    expect(first).toContain('first-words')
    expect(first).not.toContain('second-words')
    const third = await exportAt(session.id, 4)
    expect(third).toContain('second-words')
    expect(third).toContain('third-words')
    expect((await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=md&rev=99`)).status).toBe(404)

    const restore = (secret: string | null, rev: unknown) =>
      fetch(`${suite.server.url}/api/sessions/${session.id}/restore`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
        body: JSON.stringify({ rev }),
      })
    expect((await restore(null, 2)).status).toBe(401)
    expect((await restore(editorKey, 2)).status).toBe(403)
    expect((await restore(moderatorKey, 'one')).status).toBe(400)
    const restored = await restore(moderatorKey, 2)
    expect(restored.status).toBe(200)
    const { rev } = (await restored.json()) as { rev: number }
    expect(rev).toBe(5)
    const after = await revisions(session.id)
    expect(after.map((revision) => revision.reason)).toEqual(['seed', 'quiet', 'quiet', 'quiet', 'restore'])
    // The restored revision equals revision 2; every later revision is still there.
    expect(await exportAt(session.id, 5)).toBe((await exportAt(session.id, 2)).replace('-rev2', '-rev5'))
    expect(await exportAt(session.id, 4)).toContain('third-words')
    await waitFor(() => !ada.ydoc.getXmlFragment(padFragmentName).toString().includes('third-words'), 3000, 'restore reaches clients')
    expect(ada.ydoc.getXmlFragment(padFragmentName).toString()).toContain('first-words')
  })

  it('saves a revision when the session starts and when it ends', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    await act(suite.server.url, session.id, 'start', moderatorKey)
    const ada = await author(session.id, 'u-ada', 'Ada', '#1565c0')
    appendParagraph(ada, 'during the session')
    await waitFor(() => ada.isSaved(), 3000, 'saved')
    await act(suite.server.url, session.id, 'end', moderatorKey)
    const reasons = (await revisions(session.id)).map((revision) => revision.reason)
    expect(reasons.slice(0, 2)).toEqual(['seed', 'start'])
    expect(reasons.at(-1)).toBe('end')
    expect(await exportAt(session.id, reasons.length)).toContain('during the session')
  })
})
