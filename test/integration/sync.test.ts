import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/close-codes.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { createSession } from '../helpers/api.ts'
import { connectPad, messageYjsSyncStep1, messageYjsUpdate, rawClient, syncFrame, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
const clients: PadClient[] = []
const open = (room: string, options?: Parameters<typeof connectPad>[2]) => {
  const client = connectPad(server.wsUrl, room, options)
  clients.push(client)
  return client
}

beforeAll(async () => {
  server = await startServerProcess({ env: { MAX_FRAME_BYTES: String(64 * 1024) } })
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server?.dispose()
})

const text = (client: PadClient) => client.ydoc.getXmlFragment(padFragmentName).toString()

describe('sync over the stock y-websocket provider', () => {
  it('syncs a new pad that starts from the design-session template', async () => {
    const session = await createSession(server.url, { title: 'Template check' })
    const client = open(session.id)
    await waitForSynced(client)
    const content = text(client)
    for (const heading of ['Goals', 'Agenda', 'Notes', 'Decisions', 'Action items']) expect(content).toContain(heading)
    expect(content).toContain('<task_list>')
  })

  it('delivers one client edit to another client', async () => {
    const session = await createSession(server.url)
    const a = open(session.id)
    const b = open(session.id)
    await Promise.all([waitForSynced(a), waitForSynced(b)])
    a.ydoc.transact(() => {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText('hello from a')])
      a.ydoc.getXmlFragment(padFragmentName).insert(0, [paragraph])
    })
    await waitFor(() => text(b).includes('hello from a'), 3000, 'edit at b')
    expect(text(b)).toBe(text(a))
  })

  it('acknowledges a stored edit to a client that asked with ack=1', async () => {
    const session = await createSession(server.url)
    const a = open(session.id, { ack: true })
    await waitForSynced(a)
    await waitFor(() => a.isSaved(), 3000, 'initial ack')
    a.ydoc.getXmlFragment(padFragmentName).insert(0, [new Y.XmlElement('paragraph')])
    expect(a.isSaved()).toBe(false)
    await waitFor(() => a.isSaved(), 3000, 'ack after edit')
    expect(a.acked.get(a.ydoc.clientID)).toBeGreaterThan(0)
  })

  it('shares awareness and removes a client state when it disconnects', async () => {
    const session = await createSession(server.url)
    const a = open(session.id)
    const b = open(session.id)
    await Promise.all([waitForSynced(a), waitForSynced(b)])
    a.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#1565c0' })
    await waitFor(() => b.provider.awareness.getStates().get(a.ydoc.clientID), 3000, 'awareness at b')
    expect(b.provider.awareness.getStates().get(a.ydoc.clientID)).toMatchObject({ user: { name: 'Ada' } })
    a.provider.disconnect()
    await waitFor(() => !b.provider.awareness.getStates().has(a.ydoc.clientID), 3000, 'awareness removed at b')
  })
})

describe('bad connections are closed with documented codes; others keep working', () => {
  it('closes a connection to an unknown session with 4404', async () => {
    const { closed } = await rawClient(`${server.wsUrl}/no-such-session`)
    expect(await closed).toEqual({ code: CloseCode.unknownSession, reason: 'unknown session' })
  })

  it('closes a connection to an invalid doc name with 4404', async () => {
    const { closed } = await rawClient(`${server.wsUrl}/BAD%20NAME!`)
    expect((await closed).code).toBe(CloseCode.unknownSession)
  })

  it('closes only the sender of malformed bytes (4400), text frames (1003) and oversized frames (1009)', async () => {
    const other = await createSession(server.url)
    const bystander = open(other.id)
    await waitForSynced(bystander)

    const target = await createSession(server.url)
    const cases: [Uint8Array | string, number][] = [
      [new Uint8Array([0xff, 0xff, 0xff]), CloseCode.malformedMessage],
      [new Uint8Array([0, 2, 50, 1, 2, 3]), CloseCode.malformedMessage], // length past the end
      [syncFrame(messageYjsUpdate, new Uint8Array([1, 200, 7, 3, 0, 0])), CloseCode.malformedMessage], // not an update
      [new Uint8Array([0, 9, 0]), CloseCode.malformedMessage], // unknown sync type
      [new Uint8Array([42]), CloseCode.malformedMessage], // unknown message type
      [new Uint8Array([1, 5, 1, 2, 3, 4, 5]), CloseCode.malformedMessage], // broken awareness
      ['hello', CloseCode.unsupportedData],
      [new Uint8Array(65 * 1024), CloseCode.messageTooBig],
    ]
    for (const [frame, code] of cases) {
      const raw = await rawClient(`${server.wsUrl}/${target.id}`)
      raw.ws.send(frame)
      expect((await raw.closed).code, `frame ${String(frame).slice(0, 20)}`).toBe(code)
    }

    // The server is still up and the bystander still syncs edits both ways.
    const probe = open(other.id)
    await waitForSynced(probe)
    bystander.ydoc.getXmlFragment(padFragmentName).insert(0, [new Y.XmlElement('heading')])
    await waitFor(() => text(probe) === text(bystander), 3000, 'bystander edit at probe')
    const health = await fetch(`${server.url}/healthz`)
    expect(health.status).toBe(200)
  })

  it('closes (4400) a client whose update names a client in two runs of structs; the pad keeps its content', async () => {
    const session = await createSession(server.url)
    const writer = open(session.id, { ack: true })
    await waitForSynced(writer)
    const earlier = new Y.XmlElement('paragraph')
    earlier.insert(0, [new Y.XmlText('written before')])
    writer.ydoc.getXmlFragment(padFragmentName).insert(0, [earlier])
    await waitFor(() => writer.isSaved(), 3000, 'ack of the earlier edit')

    // A paragraph of client 424242 (one run of structs), then that client again: a GC at clock 0.
    // Yjs keeps only a client's last run: a doc applying it would hold a GC, while the server
    // would have stored the paragraph's structs too (a later merge of the stored rows reads them).
    const author = new Y.Doc()
    author.clientID = 424242
    const ghost = new Y.XmlElement('paragraph')
    ghost.insert(0, [new Y.XmlText('never in the doc')])
    author.getXmlFragment(padFragmentName).insert(0, [ghost])
    const single = Y.encodeStateAsUpdate(author)
    expect(Y.decodeUpdate(single).ds.clients.size).toBe(0)
    expect([single[0], single.at(-1)]).toEqual([1, 0])
    // The run as written (after the header's client count, before the empty delete set).
    const run = single.subarray(1, single.length - 1)
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 2)
    encoding.writeUint8Array(encoder, run)
    for (const n of [1, author.clientID, 0]) encoding.writeVarUint(encoder, n)
    encoding.writeUint8(encoder, 0) // GC
    for (const n of [1, 0]) encoding.writeVarUint(encoder, n) // its length; an empty delete set
    const twice = encoding.toUint8Array(encoder)
    expect(Y.decodeUpdate(twice).structs.map((struct) => struct.id.client)).toContain(author.clientID)

    const raw = await rawClient(`${server.wsUrl}/${session.id}`)
    raw.ws.send(syncFrame(messageYjsUpdate, twice))
    expect((await raw.closed).code).toBe(CloseCode.malformedMessage)

    const reader = open(session.id)
    await waitForSynced(reader)
    expect(text(reader)).toContain('written before')
    expect(text(reader)).not.toContain('never in the doc')
    expect(Y.decodeStateVector(Y.encodeStateVector(reader.ydoc)).has(author.clientID)).toBe(false)
    author.destroy()
  })

  it('answers a raw sync step 1 with the pad content', async () => {
    const session = await createSession(server.url)
    const raw = await rawClient(`${server.wsUrl}/${session.id}`)
    raw.ws.send(syncFrame(messageYjsSyncStep1, Y.encodeStateVector(new Y.Doc())))
    await waitFor(() => raw.frames.length >= 2, 3000, 'sync frames')
    const doc = new Y.Doc()
    for (const frame of raw.frames) {
      const decoder = decoding.createDecoder(frame)
      const [tag, syncType] = [decoding.readVarUint(decoder), decoding.readVarUint(decoder)]
      if (tag === 0 && syncType === 1) Y.applyUpdate(doc, decoding.readVarUint8Array(decoder))
    }
    expect(doc.getXmlFragment(padFragmentName).toString()).toContain('Agenda')
    raw.ws.close()
  })
})


describe('metrics', () => {
  it('reports connections, rooms, frames, refusals and append latency at /metrics', async () => {
    const session = await createSession(server.url)
    const client = open(session.id, { ack: true })
    await waitForSynced(client)
    client.ydoc.getXmlFragment(padFragmentName).insert(0, [new Y.XmlElement('paragraph')])
    await waitFor(() => client.isSaved(), 3000, 'saved')
    const raw = await rawClient(`${server.wsUrl}/${session.id}`)
    raw.ws.send(new Uint8Array([42]))
    await raw.closed
    const res = await fetch(`${server.url}/metrics`)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN)
    expect(value(/^summitpad_connections (\d+)/m)).toBeGreaterThanOrEqual(1)
    expect(value(/^summitpad_rooms (\d+)/m)).toBeGreaterThanOrEqual(1)
    expect(value(/^summitpad_frames_in_total (\d+)/m)).toBeGreaterThan(0)
    expect(value(/^summitpad_bytes_out_total (\d+)/m)).toBeGreaterThan(0)
    expect(value(/^summitpad_rejected_total\{reason="malformed message"\} (\d+)/m)).toBeGreaterThanOrEqual(1)
    expect(value(/^summitpad_store_append_seconds_count (\d+)/m)).toBeGreaterThanOrEqual(1)
    expect(text).toMatch(/^summitpad_process_nodejs_eventloop_lag_seconds /m)
  })
})
