/**
 * Issue 16, part 2, over the real server process with stock y-websocket clients: a write refused
 * because the pad was locked or ended never becomes part of the pad by any path (reconnect,
 * another client that saw it, a restart), its client is closed with 4409 instead of being left
 * connected and silently ignored, and every later edit reaches everyone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/close-codes.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
const clients = new Set<PadClient>()

beforeAll(async () => {
  server = await startServerProcess()
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server?.dispose()
})

/** A stock provider on `room`; `closes` records every close code the server sent it. */
function open(room: string, ydoc?: Y.Doc): PadClient & { closes: number[] } {
  const client = Object.assign(connectPad(server.wsUrl, room, { ydoc }), { closes: [] as number[] })
  client.provider.on('connection-close', (event) => {
    if (event) client.closes.push(event.code)
  })
  clients.add(client)
  return client
}

function drop(client: PadClient): void {
  client.destroy()
  clients.delete(client)
}

const padText = (client: PadClient) => client.ydoc.getXmlFragment(padFragmentName).toString()

/** Adds an empty paragraph at the end of the pad and returns its text, to type into. */
function newParagraph(client: PadClient): Y.XmlText {
  const paragraph = new Y.XmlElement('paragraph')
  const text = new Y.XmlText()
  paragraph.insert(0, [text])
  const fragment = client.ydoc.getXmlFragment(padFragmentName)
  fragment.insert(fragment.length, [paragraph])
  return text
}

/** Types `chars` one keystroke (one update) at a time at the end of `text`. */
function typeInto(text: Y.XmlText, chars: string): void {
  for (const char of chars) text.insert(text.length, char)
}

/** Types one keystroke every few ms until stopped, as a person does while something else happens. */
function keepTyping(text: Y.XmlText, char: string) {
  const timer = setInterval(() => text.insert(text.length, char), 5)
  return () => clearInterval(timer)
}

async function exportMd(id: string, rev?: number): Promise<string> {
  const res = await fetch(`${server.url}/api/sessions/${id}/export?format=md${rev ? `&rev=${rev}` : ''}`)
  expect(res.status).toBe(200)
  return res.text()
}

/** The Markdown of the live pad and of every revision, joined: where a landed write would show. */
async function everyExport(id: string): Promise<string> {
  const res = await fetch(`${server.url}/api/sessions/${id}/revisions`)
  const { revisions } = (await res.json()) as { revisions: { rev: number }[] }
  const parts = [await exportMd(id)]
  for (const { rev } of revisions) parts.push(await exportMd(id, rev))
  return parts.join('\n')
}

/** Checks that edits flow both ways between two fresh clients of `room` and the `others`. */
async function laterEditsReachEveryone(room: string, marker: string, others: PadClient[]): Promise<void> {
  const a = open(room)
  const b = open(room)
  await Promise.all([waitForSynced(a), waitForSynced(b)])
  typeInto(newParagraph(a), `${marker}-a`)
  typeInto(newParagraph(b), `${marker}-b`)
  for (const client of [a, b, ...others]) {
    await waitFor(() => padText(client).includes(`${marker}-a`) && padText(client).includes(`${marker}-b`), 3000, `${marker} at every client`)
  }
}

describe('a refused write', () => {
  it('typed while the moderator locks: the writer is closed with 4409, the text never lands, later edits flow', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url)
    const watcher = open(session.id)
    const writer = open(session.id)
    await Promise.all([waitForSynced(watcher), waitForSynced(writer)])
    const text = newParagraph(writer)
    typeInto(text, 'saved-before-lock ')
    await waitFor(() => padText(watcher).includes('saved-before-lock'), 3000, 'the first edit')

    const stop = keepTyping(text, 'x')
    expect((await act(server.url, session.id, 'lock', moderatorKey)).status).toBe(200)
    typeInto(text, 'TYPED-WHILE-LOCKED')
    await waitFor(() => writer.closes.includes(CloseCode.diverged), 3000, 'the writer closed with 4409')
    stop()
    expect(writer.provider.wsconnected).toBe(false)
    expect((await act(server.url, session.id, 'unlock', moderatorKey)).status).toBe(200)

    // A stock client treats 44xx as final; one that reconnects with its copy is refused again.
    const again = open(session.id, writer.ydoc)
    await waitFor(() => again.closes.includes(CloseCode.diverged), 3000, 'the diverged copy refused after unlock')
    writer.provider.destroy()
    clients.delete(writer)

    await laterEditsReachEveryone(session.id, 'after-unlock', [watcher])
    expect(padText(watcher)).not.toContain('TYPED-WHILE-LOCKED')
    const fresh = open(session.id)
    await waitForSynced(fresh)
    expect(padText(fresh)).toContain('saved-before-lock')
    expect(padText(fresh)).not.toContain('TYPED-WHILE-LOCKED')
    expect(await everyExport(session.id)).not.toContain('TYPED-WHILE-LOCKED')
    drop(again)
  })

  it('made offline before a lock and sent during it: refused, and refused again after unlock and after a restart', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url)
    const watcher = open(session.id)
    const writer = open(session.id)
    await Promise.all([waitForSynced(watcher), waitForSynced(writer)])
    writer.provider.disconnect()
    typeInto(newParagraph(writer), 'OFFLINE-BEFORE-LOCK')
    expect((await act(server.url, session.id, 'lock', moderatorKey)).status).toBe(200)
    writer.provider.connect()
    await waitFor(() => writer.closes.includes(CloseCode.diverged), 3000, 'the catch-up refused with 4409')
    expect((await act(server.url, session.id, 'unlock', moderatorKey)).status).toBe(200)

    // Another tab of the same browser saw the refused edit (BroadcastChannel) and builds on it.
    const tab = open(session.id)
    await waitForSynced(tab)
    Y.applyUpdate(tab.ydoc, Y.encodeStateAsUpdate(writer.ydoc))
    const built = tab.ydoc.getXmlFragment(padFragmentName)
    const lastParagraph = built.get(built.length - 1) as Y.XmlElement
    ;(lastParagraph.get(0) as Y.XmlText).insert(0, 'BUILT-ON-REFUSED ')
    await waitFor(() => tab.closes.includes(CloseCode.diverged), 3000, 'the tab that built on it refused with 4409')
    drop(tab)

    await server.restart()
    const afterRestart = open(session.id, writer.ydoc)
    await waitFor(() => afterRestart.closes.includes(CloseCode.diverged), 5000, 'refused again after a restart')
    writer.provider.destroy()
    clients.delete(writer)
    drop(afterRestart)

    await waitForSynced(watcher, 5000)
    await laterEditsReachEveryone(session.id, 'after-restart', [watcher])
    for (const text of [padText(watcher), await everyExport(session.id)]) {
      expect(text).not.toContain('OFFLINE-BEFORE-LOCK')
      expect(text).not.toContain('BUILT-ON-REFUSED')
    }
  })

  it('in flight when the session ends: refused with 4409, in no export or archive', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url)
    const watcher = open(session.id)
    const writer = open(session.id)
    await Promise.all([waitForSynced(watcher), waitForSynced(writer)])
    const text = newParagraph(writer)
    typeInto(text, 'kept ')
    await waitFor(() => padText(watcher).includes('kept'), 3000, 'the first edit')
    const stop = keepTyping(text, 'y')
    expect((await act(server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    typeInto(text, 'AFTER-THE-END')
    await waitFor(() => writer.closes.includes(CloseCode.diverged), 3000, 'the writer closed with 4409')
    stop()
    drop(writer)
    const fresh = open(session.id)
    await waitForSynced(fresh)
    expect(padText(fresh)).toContain('kept')
    expect(padText(fresh)).not.toContain('AFTER-THE-END')
    expect(padText(watcher)).not.toContain('AFTER-THE-END')
    expect(await everyExport(session.id)).not.toContain('AFTER-THE-END')
    const archive = await fetch(`${server.url}/api/sessions/${session.id}/archive`)
    expect(await archive.text()).not.toContain('AFTER-THE-END')
  })
})
