/**
 * The session chat (`<id>/chat`) over the real server with stock y-websocket providers and raw
 * clients: messages reach everyone and survive a crash; viewers and ended sessions cannot post,
 * a locked pad can still chat; the archive and the JSON export carry the chat; the moderator
 * shows and hides it on the projector through the control doc.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { ArchivedSession, SessionView } from '../../shared/api.ts'
import type { ChatMessage } from '../../shared/chat.ts'
import { permissionDeniedReason } from '../../shared/protocol.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, messageYjsUpdate, rawClient, syncFrame, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { serverSuite } from '../helpers/server-suite.ts'
import { settle, waitFor } from '../helpers/wait-for.ts'

const suite = serverSuite()
const { clients } = suite

let counter = 0
function message(name: string, text: string): ChatMessage {
  counter++
  return { id: `m${counter}`, authorId: `a-${name.toLowerCase()}`, name, color: '#1565c0', text, time: Date.now() }
}

/** A stock provider on `<id>/chat` (with acks, so a test knows when its posts are stored). */
async function openChat(sessionId: string, token?: string): Promise<PadClient> {
  const client = connectPad(suite.server.wsUrl, `${sessionId}/chat`, { token, ack: true })
  clients.push(client)
  await waitForSynced(client)
  return client
}
const messages = (client: PadClient) => client.ydoc.getArray<ChatMessage>('messages')
const texts = (client: PadClient) => messages(client).toArray().map((m) => m.text)
const post = (client: PadClient, m: ChatMessage) => messages(client).push([m])

/** A valid standalone update appending `m` to a chat doc's messages. */
function chatUpdate(m: unknown): Uint8Array {
  const ydoc = new Y.Doc()
  ydoc.getArray('messages').push([m])
  return Y.encodeStateAsUpdate(ydoc)
}

const isPermissionDenied = (frame: Uint8Array) => permissionDeniedReason(frame) === 'read-only'

/** Sends one chat update from a raw client; resolves with the client once it was refused (or after a settle). */
async function rawPost(sessionId: string, token: string | null, m: unknown) {
  const raw = await rawClient(`${suite.server.wsUrl}/${sessionId}/chat${token ? `?token=${token}` : ''}`)
  raw.ws.send(syncFrame(messageYjsUpdate, chatUpdate(m)))
  return raw
}

describe('the session chat', () => {
  it('delivers messages between two stock clients and keeps them across a server crash', async () => {
    const { session } = await createSessionWithKeys(suite.server.url)
    const ada = await openChat(session.id)
    const grace = await openChat(session.id)
    expect(messages(ada).length).toBe(0)

    post(ada, message('Ada', 'Shall we start with the roadmap?'))
    post(grace, message('Grace', 'Yes, https://example.org/roadmap first'))
    await waitFor(() => messages(ada).length === 2 && messages(grace).length === 2, 3000, 'both messages at both clients')
    expect(texts(ada)).toEqual(texts(grace))
    expect(texts(ada)).toEqual(expect.arrayContaining(['Shall we start with the roadmap?', 'Yes, https://example.org/roadmap first']))
    await waitFor(() => ada.isSaved() && grace.isSaved(), 3000, 'posts stored')
    const order = texts(ada)

    await suite.server.restart()
    const later = await openChat(session.id)
    expect(texts(later)).toEqual(order)
    expect(messages(later).get(0)).toMatchObject({ name: expect.any(String), color: '#1565c0', time: expect.any(Number) })
  })

  it('never applies a viewer’s post and tells the viewer', async () => {
    const { session, editorKey } = await createSessionWithKeys(suite.server.url, { access: 'key' })
    const editor = await openChat(session.id, editorKey!)
    post(editor, message('Ada', 'before'))
    await waitFor(() => editor.isSaved(), 3000, 'editor post stored')

    const raw = await rawPost(session.id, null, message('Mallory', 'viewer post'))
    await waitFor(() => raw.frames.some(isPermissionDenied), 3000, 'permission denied to the viewer')
    // A later post by the editor arrives, so the viewer's had its chance to.
    post(editor, message('Ada', 'after'))
    await waitFor(() => editor.isSaved(), 3000, 'later post stored')
    const fresh = await openChat(session.id, editorKey!)
    expect(texts(fresh)).toEqual(['before', 'after'])
    expect(texts(editor)).toEqual(['before', 'after'])
    raw.ws.close()
  })

  it('is append-only: an editor deleting anyone’s message is closed with 4403 and the message stays', async () => {
    const { session } = await createSessionWithKeys(suite.server.url)
    const ada = await openChat(session.id)
    post(ada, message('Ada', 'keep me'))
    await waitFor(() => ada.isSaved(), 3000, 'post stored')
    const mallory = await openChat(session.id)
    await waitFor(() => texts(mallory).includes('keep me'), 3000, 'mallory sees the post')
    const closed = new Promise<number>((resolve) => mallory.provider.on('connection-close', (event) => resolve(event?.code ?? 0)))
    mallory.ydoc.getArray('messages').delete(0, 1)
    expect(await closed).toBe(4403)
    mallory.destroy()
    const fresh = await openChat(session.id)
    expect(texts(fresh)).toEqual(['keep me'])
  })

  it('takes posts while the pad is locked, and none once the session has ended', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    const watcher = await openChat(session.id)
    expect((await act(suite.server.url, session.id, 'lock', moderatorKey)).status).toBe(200)

    // The lock refuses an editor's pad edit but not the editor's chat post.
    const padRaw = await rawClient(`${suite.server.wsUrl}/${session.id}`)
    const paragraph = new Y.Doc()
    paragraph.getXmlFragment(padFragmentName).insert(0, [new Y.XmlElement('paragraph')])
    padRaw.ws.send(syncFrame(messageYjsUpdate, Y.encodeStateAsUpdate(paragraph)))
    await waitFor(() => padRaw.frames.some(isPermissionDenied), 3000, 'pad edit refused while locked')
    const chatRaw = await rawPost(session.id, null, message('Grace', 'posted while locked'))
    await waitFor(() => texts(watcher).includes('posted while locked'), 3000, 'chat post while locked')
    expect(chatRaw.frames.some(isPermissionDenied)).toBe(false)

    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const editorAfter = await rawPost(session.id, null, message('Grace', 'editor after end'))
    const moderatorAfter = await rawPost(session.id, moderatorKey, message('Ada', 'moderator after end'))
    await waitFor(() => editorAfter.frames.some(isPermissionDenied) && moderatorAfter.frames.some(isPermissionDenied), 3000, 'both refused after end')
    await settle()
    const fresh = await openChat(session.id)
    expect(texts(fresh)).toEqual(['posted while locked'])
    expect(texts(watcher)).toEqual(['posted while locked'])
    for (const raw of [padRaw, chatRaw, editorAfter, moderatorAfter]) raw.ws.close()
  })

  it('keeps the chat in the archive record and the JSON export, without malformed entries', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Chatty session' })
    const ada = await openChat(session.id)
    const first = message('Ada', '<script>alert(1)</script> and https://example.org')
    const second = message('Grace', 'Second message')
    post(ada, first)
    // Any editor can write anything into the array; the archive keeps only real messages.
    messages(ada).push([{ junk: true } as never, { ...message('Eve', 'bad colour'), color: 'red' } as never])
    post(ada, second)
    await waitFor(() => ada.isSaved(), 3000, 'posts stored')

    const live = await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=json`)
    expect(((await live.json()) as { chat: ChatMessage[] }).chat).toEqual([first, second])

    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const record = (await (await fetch(`${suite.server.url}/api/sessions/${session.id}/archive`)).json()) as { archive: ArchivedSession }
    expect(record.archive.chat).toEqual([first, second])
    const exported = (await (await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=json`)).json()) as { chat: ChatMessage[]; session: { id: string } }
    expect(exported.session.id).toBe(session.id)
    expect(exported.chat).toEqual([first, second])
  })

  it('archives a session nobody chatted in with an empty chat', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    const empty = await openChat(session.id)
    expect(messages(empty).length).toBe(0)
    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const record = (await (await fetch(`${suite.server.url}/api/sessions/${session.id}/archive`)).json()) as { archive: ArchivedSession }
    expect(record.archive.chat).toEqual([])
    const untouched = await createSessionWithKeys(suite.server.url)
    expect((await act(suite.server.url, untouched.session.id, 'end', untouched.moderatorKey)).status).toBe(200)
    const untouchedRecord = (await (await fetch(`${suite.server.url}/api/sessions/${untouched.session.id}/archive`)).json()) as { archive: ArchivedSession }
    expect(untouchedRecord.archive.chat).toEqual([])
  })

  it('shows and hides the chat on the projector through the control doc (moderator only)', async () => {
    const { session, moderatorKey, editorKey } = await createSessionWithKeys(suite.server.url, { access: 'key' })
    expect(session.projectorChat).toBe(false)
    const control = connectPad(suite.server.wsUrl, `${session.id}/control`)
    clients.push(control)
    await waitForSynced(control)
    const map = control.ydoc.getMap('control')
    expect(map.get('projectorChat')).toBe(false)

    const shown = await act(suite.server.url, session.id, 'show-chat', moderatorKey)
    expect(shown.status).toBe(200)
    expect(shown.body.session!.projectorChat).toBe(true)
    await waitFor(() => map.get('projectorChat') === true, 1000, 'projectorChat on')
    const read = (await (await fetch(`${suite.server.url}/api/sessions/${session.id}`)).json()) as { session: SessionView }
    expect(read.session.projectorChat).toBe(true)

    expect((await act(suite.server.url, session.id, 'hide-chat', editorKey)).status).toBe(403)
    expect((await act(suite.server.url, session.id, 'hide-chat', null)).status).toBe(401)
    expect(map.get('projectorChat')).toBe(true)

    expect((await act(suite.server.url, session.id, 'hide-chat', moderatorKey)).body.session!.projectorChat).toBe(false)
    await waitFor(() => map.get('projectorChat') === false, 1000, 'projectorChat off')

    await act(suite.server.url, session.id, 'end', moderatorKey)
    expect((await act(suite.server.url, session.id, 'show-chat', moderatorKey)).status).toBe(409)
  })
})
