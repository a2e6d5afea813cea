/**
 * One bad update never costs a session its archive (issue 15 part 3): a pad whose stored log
 * holds an update Yjs cannot re-encode (written before the server checked nesting) still opens,
 * exports and archives; the bad row is kept apart for an operator and the moderator is told.
 */
import Database from 'better-sqlite3'
import * as encoding from 'lib0/encoding'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { ArchivedSession } from '../../shared/api.ts'
import { controlMapName, quarantinedUpdatesKey } from '../../shared/control-state.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { loadChecksVersion } from '../../server/sync/quarantine.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { serverSuite } from '../helpers/server-suite.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = serverSuite()
const { clients } = suite

/** An update of one JSON item nested 6,000 deep: Yjs applies it, then overflows re-encoding it. */
function poisonedUpdate(): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, 999_999)
  encoding.writeVarUint(encoder, 0)
  encoding.writeUint8(encoder, 2) // ContentJSON, parent written out
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarString(encoder, 'legacy')
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarString(encoder, `${'['.repeat(6000)}${']'.repeat(6000)}`)
  encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}

function pad(room: string, token?: string): PadClient {
  const client = connectPad(suite.server.wsUrl, room, { ack: true, token })
  clients.push(client)
  return client
}

function appendParagraph(client: PadClient, text: string): void {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  client.ydoc.getXmlFragment(padFragmentName).push([paragraph])
}

describe('a pad with a poisoned update in its store', () => {
  it('opens with the last good state, exports, archives, keeps the bad row and tells the moderator', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Poisoned pad' })
    const writer = pad(session.id, moderatorKey)
    await waitForSynced(writer)
    appendParagraph(writer, 'written before the poison')
    await waitFor(() => writer.isSaved(), 5000, 'first edit saved')
    writer.destroy()

    // Written straight into the store, as a server without the update checks would have.
    expect(await suite.server.kill('SIGTERM')).toBe(0)
    const db = new Database(path.join(suite.server.dataDir, 'summitpad.db'))
    // The pad's own rows passed the checks (DocStore [DS13]): only the poisoned row is not known to.
    expect(db.prepare('SELECT checks FROM doc_updates WHERE doc_name = ?').pluck().all(session.id)).toEqual([loadChecksVersion])
    db.prepare('INSERT INTO doc_updates (doc_name, data, created_at) VALUES (?, ?, ?)').run(session.id, poisonedUpdate(), Date.now())
    db.close()
    await suite.server.restart()

    const reader = pad(session.id, moderatorKey)
    expect(await waitForSynced(reader, 10_000)).toBe(true)
    expect(reader.ydoc.getXmlFragment(padFragmentName).toString()).toContain('written before the poison')
    appendParagraph(reader, 'written after the poison')
    await waitFor(() => reader.isSaved(), 5000, 'edit after the poison saved')

    const exported = await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=md`)
    expect(exported.status).toBe(200)
    expect(await exported.text()).toContain('written after the poison')

    // The moderator's pad page reads this from the control doc.
    const control = connectPad(suite.server.wsUrl, `${session.id}/control`, { token: moderatorKey })
    clients.push(control)
    await waitForSynced(control)
    await waitFor(() => control.ydoc.getMap(controlMapName).get(quarantinedUpdatesKey) === 1, 5000, 'the moderator told')

    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const archive = await fetch(`${suite.server.url}/api/sessions/${session.id}/archive`)
    expect(archive.status).toBe(200)
    const record = (await archive.json()) as { archive: ArchivedSession }
    expect(JSON.stringify(record.archive.doc)).toContain('written after the poison')

    const check = new Database(path.join(suite.server.dataDir, 'summitpad.db'), { readonly: true })
    const kept = check.prepare('SELECT data FROM doc_quarantine WHERE doc_name = ?').all(session.id) as { data: Uint8Array }[]
    check.close()
    expect(kept).toHaveLength(1)
    expect(new Uint8Array(kept[0]!.data)).toEqual(poisonedUpdate())
  })
})
