/**
 * Schema versions on the pad socket: a client naming the server's SCHEMA_VERSION edits; one naming
 * none (a stock y-websocket client, Tiptap, ...) or another version reads, and a write from it
 * closes it with 4426 with nothing stored; FOREIGN_EDITORS=allow lets clients naming none write.
 */
import * as decoding from 'lib0/decoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/close-codes.ts'
import { messageAuth, schemaOutdatedReason } from '../../shared/protocol.ts'
import { padFragmentName, SCHEMA_VERSION } from '../../shared/schema.ts'
import { createSession } from '../helpers/api.ts'
import { connectPad, rawClient, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess()
})
afterAll(async () => {
  await server?.dispose()
})

/** Adds a paragraph with `text` at the end of the client's pad. */
function type(client: PadClient, text: string): void {
  client.ydoc.transact(() => {
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText(text)])
    const fragment = client.ydoc.getXmlFragment(padFragmentName)
    fragment.insert(fragment.length, [paragraph])
  })
}

const padText = (client: PadClient) => client.ydoc.getXmlFragment(padFragmentName).toString()

/** Resolves with the code of the client's first close by the server. */
function firstClose(client: PadClient): Promise<number> {
  return new Promise((resolve) => client.provider.on('connection-close', (event) => event && resolve(event.code)))
}

describe('schema versions', () => {
  it('lets a stock client that names no version read the pad, and closes it with 4426 when it writes, storing nothing', async () => {
    const session = await createSession(server.url)
    const current = connectPad(server.wsUrl, session.id)
    const stock = connectPad(server.wsUrl, session.id, { schema: null })
    await Promise.all([waitForSynced(current), waitForSynced(stock)])
    expect(padText(stock)).toBe(padText(current))
    expect(padText(stock).length).toBeGreaterThan(20)
    // It keeps reading.
    type(current, 'from the current editor')
    await waitFor(() => padText(stock).includes('from the current editor'), 5000, 'the edit at the stock client')
    expect(stock.provider.wsconnected).toBe(true)
    // Its write is refused for good (4400s: stock clients do not retry).
    const closed = firstClose(stock)
    type(stock, 'from a foreign editor')
    expect(await closed).toBe(CloseCode.schemaMismatch)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const later = connectPad(server.wsUrl, session.id)
    await waitForSynced(later)
    expect(padText(later)).toContain('from the current editor')
    expect(padText(later)).not.toContain('from a foreign editor')
    for (const client of [current, stock, later]) client.destroy()
  })

  it('tells a client naming an older version at once that it is outdated, and refuses its writes', async () => {
    const session = await createSession(server.url)
    const old = await rawClient(`${server.wsUrl}/${session.id}`, { schema: SCHEMA_VERSION - 1 })
    await waitFor(() => old.frames.length > 0, 5000, 'a first frame')
    const decoder = decoding.createDecoder(old.frames[0]!)
    expect(decoding.readVarUint(decoder)).toBe(messageAuth)
    expect(decoding.readVarUint(decoder)).toBe(0)
    expect(decoding.readVarString(decoder)).toBe(schemaOutdatedReason)
    old.ws.close()

    const older = connectPad(server.wsUrl, session.id, { schema: SCHEMA_VERSION - 1 })
    await waitForSynced(older)
    const closed = firstClose(older)
    type(older, 'from last week’s page')
    expect(await closed).toBe(CloseCode.schemaMismatch)
    older.destroy()
  })

  it('lets editors that name no version write under FOREIGN_EDITORS=allow, but never an older version', async () => {
    const open = await startServerProcess({ env: { FOREIGN_EDITORS: 'allow' } })
    try {
      const session = await createSession(open.url)
      const foreign = connectPad(open.wsUrl, session.id, { schema: null, ack: true })
      await waitForSynced(foreign)
      type(foreign, 'from tiptap')
      await waitFor(() => foreign.isSaved(), 5000, 'the foreign edit stored')
      const older = connectPad(open.wsUrl, session.id, { schema: SCHEMA_VERSION - 1 })
      await waitForSynced(older)
      expect(padText(older)).toContain('from tiptap')
      const closed = firstClose(older)
      type(older, 'from an old page')
      expect(await closed).toBe(CloseCode.schemaMismatch)
      foreign.destroy()
      older.destroy()
    } finally {
      await open.dispose()
    }
  })
})
