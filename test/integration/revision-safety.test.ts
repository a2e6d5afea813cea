/**
 * There is always something to restore: a pad's first revision is its seeded content, and a change
 * that deletes more than a fifth of the pad's text (select all, delete) saves a revision of the
 * text as it was just before, which one restore brings back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { padFragmentName } from '../../shared/schema.ts'
import { createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
const clients: PadClient[] = []
beforeAll(async () => {
  // Quiet revisions only after a long pause, so every revision seen here is a seed or a safety net.
  server = await startServerProcess({ env: { REVISION_QUIET_MS: '600000', REVISION_MAX_INTERVAL_MS: '3600000' } })
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server?.dispose()
})

interface Revision {
  rev: number
  reason: string
}
const revisions = async (id: string) => ((await (await fetch(`${server.url}/api/sessions/${id}/revisions`)).json()) as { revisions: Revision[] }).revisions
const exportAt = async (id: string, rev: number) => (await fetch(`${server.url}/api/sessions/${id}/export?format=txt&rev=${rev}`)).text()

async function editor(room: string): Promise<PadClient> {
  const client = connectPad(server.wsUrl, room, { ack: true })
  clients.push(client)
  await waitForSynced(client)
  return client
}

function appendParagraph(client: PadClient, text: string): void {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  client.ydoc.getXmlFragment(padFragmentName).push([paragraph])
}

describe('revisions to fall back on', () => {
  it("makes the seeded content a new pad's first revision", async () => {
    const { session } = await createSessionWithKeys(server.url)
    const list = await revisions(session.id)
    expect(list.map((revision) => [revision.rev, revision.reason])).toEqual([[1, 'seed']])
    const seeded = await exportAt(session.id, 1)
    const client = await editor(session.id)
    const live = client.ydoc.getXmlFragment(padFragmentName)
    expect(seeded.length).toBeGreaterThan(20)
    // Every line of text of the seeded pad is in the revision.
    for (const line of live.toArray().map((node) => (node instanceof Y.XmlElement ? node.toString().replace(/<[^>]+>/g, '') : '')).filter(Boolean)) {
      expect(seeded).toContain(line.slice(0, 20))
    }
  })

  it('saves a revision with the old text before a select-all delete, and not before small deletions', async () => {
    const { session } = await createSessionWithKeys(server.url)
    const client = await editor(session.id)
    appendParagraph(client, 'Decision: ship the migration plan in the spring release')
    await waitFor(() => client.isSaved(), 5000, 'the note saved')
    // A small deletion (a word) saves nothing.
    const fragment = client.ydoc.getXmlFragment(padFragmentName)
    const last = fragment.get(fragment.length - 1) as Y.XmlElement
    ;(last.get(0) as Y.XmlText).delete(0, 10)
    await waitFor(() => client.isSaved(), 5000, 'the small deletion saved')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await revisions(session.id)).map((revision) => revision.reason)).toEqual(['seed'])

    // Select all, delete.
    const before = fragment.toString()
    fragment.delete(0, fragment.length)
    await waitFor(() => client.isSaved(), 5000, 'the deletion saved')
    const list = await waitFor(async () => {
      const found = await revisions(session.id)
      return found.some((revision) => revision.reason === 'before-delete') ? found : null
    }, 5000, 'a revision before the deletion')
    const safety = list.find((revision) => revision.reason === 'before-delete')!
    const text = await exportAt(session.id, safety.rev)
    expect(text).toContain('ship the migration plan in the spring release')
    // ...as it was just before: the word deleted earlier stays deleted.
    expect(text).not.toContain('Decision: ship')
    expect(before).toContain('ship the migration plan')
    // The live pad is empty; the revision holds what was there.
    expect(fragment.length).toBe(0)
  })
})
