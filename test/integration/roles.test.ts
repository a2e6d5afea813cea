/**
 * Roles on the WebSocket, proven with raw clients sending valid updates: viewers, locked pads and
 * ended sessions keep the server's doc (and everyone else's) unchanged.
 */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/close-codes.ts'
import { permissionDeniedReason } from '../../shared/protocol.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, messageYjsSyncStep2, messageYjsUpdate, rawClient, syncFrame, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { serverSuite } from '../helpers/server-suite.ts'
import { settle, waitFor } from '../helpers/wait-for.ts'

const suite = serverSuite()
const { clients } = suite

const open = async (room: string, token?: string) => {
  const client = connectPad(suite.server.wsUrl, room, { token })
  clients.push(client)
  await waitForSynced(client)
  return client
}
const text = (client: PadClient) => client.ydoc.getXmlFragment(padFragmentName).toString()

/** A valid standalone update that inserts a paragraph holding `marker` at the top of the pad. */
function paragraphUpdate(marker: string): Uint8Array {
  const ydoc = new Y.Doc()
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(marker)])
  ydoc.getXmlFragment(padFragmentName).insert(0, [paragraph])
  return Y.encodeStateAsUpdate(ydoc)
}

/** The same frame as `syncFrame(messageYjsUpdate, update)` but with overlong varUint encodings. */
function overlongUpdateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeUint8(encoder, 0x80) // messageSync (0) in two bytes
  encoding.writeUint8(encoder, 0x00)
  encoding.writeUint8(encoder, 0x82) // messageYjsUpdate (2) in two bytes
  encoding.writeUint8(encoder, 0x00)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

const isPermissionDenied = (frame: Uint8Array) => permissionDeniedReason(frame) === 'read-only'

/** Sends `frames` from a raw client with `token`; resolves once the server answered or closed. */
async function sendRaw(room: string, token: string | null, frames: Uint8Array[]) {
  const raw = await rawClient(`${suite.server.wsUrl}/${room}${token ? `?token=${token}` : ''}`)
  for (const frame of frames) raw.ws.send(frame)
  return raw
}

describe('write access on the WebSocket', () => {
  it('never applies a viewer’s updates, in any encoding, and tells the viewer', async () => {
    const { session, editorKey } = await createSessionWithKeys(suite.server.url, { access: 'key' })
    const editor = await open(session.id, editorKey!)
    const before = text(editor)

    const raw = await sendRaw(session.id, null, [
      syncFrame(messageYjsUpdate, paragraphUpdate('viewer-update')),
      syncFrame(messageYjsSyncStep2, paragraphUpdate('viewer-step2')),
      overlongUpdateFrame(paragraphUpdate('viewer-overlong')),
    ])
    await waitFor(() => raw.frames.some(isPermissionDenied), 3000, 'permission denied message')

    // An edit after the refused ones is seen by the editor, so the refused ones had their chance.
    const probe = await open(session.id, editorKey!)
    probe.ydoc.getXmlFragment(padFragmentName).insert(0, [new Y.XmlElement('heading')])
    await waitFor(() => text(editor).includes('<heading>'), 3000, 'later edit at the editor')
    for (const client of [editor, probe, await open(session.id, editorKey!)]) {
      expect(text(client)).not.toContain('viewer-')
    }
    expect(text(editor)).toBe(`<heading></heading>${before}`)
    raw.ws.close()
  })

  it('applies an editor’s update (open session without a key, keyed session with the attendee key)', async () => {
    const openSession = await createSessionWithKeys(suite.server.url, { access: 'open' })
    const watcher = await open(openSession.session.id)
    const raw = await sendRaw(openSession.session.id, null, [syncFrame(messageYjsUpdate, paragraphUpdate('open-edit'))])
    await waitFor(() => text(watcher).includes('open-edit'), 3000, 'open-session edit')
    raw.ws.close()

    const keyed = await createSessionWithKeys(suite.server.url, { access: 'key' })
    const keyedWatcher = await open(keyed.session.id, keyed.editorKey!)
    const rawKeyed = await sendRaw(keyed.session.id, keyed.editorKey, [syncFrame(messageYjsUpdate, paragraphUpdate('keyed-edit'))])
    await waitFor(() => text(keyedWatcher).includes('keyed-edit'), 3000, 'keyed-session edit')
    rawKeyed.ws.close()
  })

  it('rejects editors and accepts the moderator while locked, then accepts editors again', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    const watcher = await open(session.id)
    expect((await act(suite.server.url, session.id, 'lock', moderatorKey)).status).toBe(200)

    const editorRaw = await sendRaw(session.id, null, [syncFrame(messageYjsUpdate, paragraphUpdate('locked-editor'))])
    await waitFor(() => editorRaw.frames.some(isPermissionDenied), 3000, 'permission denied while locked')
    const moderatorRaw = await sendRaw(session.id, moderatorKey, [syncFrame(messageYjsUpdate, paragraphUpdate('locked-moderator'))])
    await waitFor(() => text(watcher).includes('locked-moderator'), 3000, 'moderator edit while locked')
    expect(text(watcher)).not.toContain('locked-editor')

    // Its copy now holds a write the pad refused: it is closed, not left connected (issue 16).
    expect(await editorRaw.closed).toMatchObject({ code: CloseCode.diverged })

    expect((await act(suite.server.url, session.id, 'unlock', moderatorKey)).status).toBe(200)
    const unlockedRaw = await sendRaw(session.id, null, [syncFrame(messageYjsUpdate, paragraphUpdate('unlocked-editor'))])
    await waitFor(() => text(watcher).includes('unlocked-editor'), 3000, 'editor edit after unlock')
    expect(text(watcher)).not.toContain('>locked-editor<')
    unlockedRaw.ws.close()
    moderatorRaw.ws.close()
  })

  it('rejects everyone, the moderator too, once the session has ended', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    const watcher = await open(session.id)
    const before = text(watcher)
    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const moderatorRaw = await sendRaw(session.id, moderatorKey, [syncFrame(messageYjsUpdate, paragraphUpdate('ended-moderator'))])
    const editorRaw = await sendRaw(session.id, null, [syncFrame(messageYjsUpdate, paragraphUpdate('ended-editor'))])
    await waitFor(() => moderatorRaw.frames.some(isPermissionDenied) && editorRaw.frames.some(isPermissionDenied), 3000, 'both refused')
    await settle()
    const fresh = await open(session.id)
    expect(text(fresh)).toBe(before)
    expect(text(watcher)).toBe(before)
    moderatorRaw.ws.close()
    editorRaw.ws.close()
  })

  it('closes a connection whose token matches no key with 4401', async () => {
    const { session } = await createSessionWithKeys(suite.server.url, { access: 'key' })
    const raw = await rawClient(`${suite.server.wsUrl}/${session.id}?token=not-the-key`)
    expect(await raw.closed).toEqual({ code: CloseCode.badToken, reason: 'bad token' })
  })

  it('lets nobody write the control doc, and shows moderator actions on it within a second', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    const control = connectPad(suite.server.wsUrl, `${session.id}/control`, { token: moderatorKey })
    clients.push(control)
    await waitForSynced(control)
    const map = control.ydoc.getMap('control')
    expect(map.get('state')).toBe('scheduled')

    const raw = await sendRaw(`${session.id}/control`, moderatorKey, [syncFrame(messageYjsUpdate, paragraphUpdate('forged'))])
    await waitFor(() => raw.frames.some(isPermissionDenied), 3000, 'control write refused')

    // The second is the product's promise; the wait allows ten, so a busy machine cannot fail it.
    expect((await act(suite.server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    await waitFor(() => map.get('state') === 'live', 10_000, 'live state on the control doc')
    const endsAt = map.get('endsAt') as number
    expect(endsAt - (map.get('startedAt') as number)).toBe(40 * 60_000)

    expect((await act(suite.server.url, session.id, 'extend', moderatorKey, { minutes: 5 })).status).toBe(200)
    await waitFor(() => map.get('endsAt') === endsAt + 5 * 60_000, 10_000, 'extended end time')
    const fresh = connectPad(suite.server.wsUrl, `${session.id}/control`)
    clients.push(fresh)
    await waitForSynced(fresh)
    expect(fresh.ydoc.getXmlFragment(padFragmentName).length).toBe(0)
    raw.ws.close()
  })
})
