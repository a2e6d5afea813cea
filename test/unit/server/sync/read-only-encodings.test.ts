/**
 * Read-only enforcement holds for every byte encoding the decoder accepts: overlong varints for
 * the message and sync types, a step 2 in place of an update, and both in one frame sequence.
 */
import * as encoding from 'lib0/encoding'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../../../server/observability/log.ts'
import { RoomRegistry } from '../../../../server/sync/room-registry.ts'
import { CloseCode } from '../../../../shared/close-codes.ts'
import { FakeSocket } from '../../../helpers/fake-socket.ts'
import { MemoryDocStore } from '../../../helpers/memory-doc-store.ts'
import { h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'read-only'
let registry: RoomRegistry
let store: MemoryDocStore

beforeEach(async () => {
  store = new MemoryDocStore()
  await store.append(docName, padUpdate(h(2, 'Notes'), p('original')))
  registry = new RoomRegistry({ store, logger: silentLogger, compactAfterRows: 1000, unloadDelayMs: 20, maxQueuedBytesPerConnection: 1024 * 1024 })
})
afterEach(async () => {
  await registry.close()
})

/** `value` as a varint padded with `extra` continuation bytes (still decodes to `value`). */
function overlong(value: number, extra: number): number[] {
  const bytes: number[] = []
  for (let i = 0; i < extra; i++) bytes.push(0x80 | (i === 0 ? value & 0x7f : 0))
  bytes.push(extra === 0 ? value : 0)
  return bytes
}

async function vandalUpdate(): Promise<Uint8Array> {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, (await store.load(docName))!.update)
  const before = Y.encodeStateVector(doc)
  const fragment = doc.getXmlFragment('prosemirror')
  fragment.insert(0, [p('VANDAL')])
  return Y.encodeStateAsUpdate(doc, before)
}

describe('read-only enforcement', () => {
  it('drops a viewer update whatever varint encoding carries the message and sync types', async () => {
    const encodings: [number, number, number][] = []
    for (const tagExtra of [0, 1, 3]) {
      for (const syncType of [1, 2]) {
        for (const typeExtra of [0, 2]) encodings.push([tagExtra, syncType, typeExtra])
      }
    }
    const frameOf = (update: Uint8Array, [tagExtra, syncType, typeExtra]: [number, number, number]) => {
      const encoder = encoding.createEncoder()
      for (const byte of overlong(0, tagExtra)) encoding.writeUint8(encoder, byte)
      for (const byte of overlong(syncType, typeExtra)) encoding.writeUint8(encoder, byte)
      encoding.writeVarUint8Array(encoder, update)
      return encoding.toUint8Array(encoder)
    }
    // Each viewer's write brings something new: it is refused and the viewer closed (issue 16).
    for (const each of encodings) {
      const socket = new FakeSocket()
      const viewer = registry.connect(docName, socket, { wantsAck: false, canWrite: () => false })
      viewer.receive(frameOf(await vandalUpdate(), each))
      await viewer.whenIdle()
      expect(socket.closedWith?.code, `encoding ${each.join(',')}`).toBe(CloseCode.diverged)
      // Told first: y-protocols' permission-denied message ([2 auth][0 denied]["read-only"]).
      expect(socket.sent.filter((frame) => frame[0] === 2 && frame[1] === 0)).toHaveLength(1)
    }
    const text = await registry.read(docName, (ydoc) => padText(ydoc))
    expect(text).not.toContain('VANDAL')
    expect(store.rowCount(docName)).toBe(1)

    // The same encodings from a writer are applied: they do decode to updates.
    const writerSocket = new FakeSocket()
    const writer = registry.connect(docName, writerSocket, { wantsAck: false })
    writer.receive(frameOf(await vandalUpdate(), encodings.at(-1)!))
    await writer.whenIdle()
    expect(await registry.read(docName, (ydoc) => padText(ydoc))).toContain('VANDAL')
  })

  it('leaves a viewer connected whose sync step 2 brings nothing new', async () => {
    const socket = new FakeSocket()
    const viewer = registry.connect(docName, socket, { wantsAck: false, canWrite: () => false })
    const doc = new Y.Doc()
    Y.applyUpdate(doc, (await store.load(docName))!.update)
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 0)
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(doc))
    viewer.receive(encoding.toUint8Array(encoder))
    await viewer.whenIdle()
    expect(socket.closedWith).toBeNull()
  })

  it('refuses message types a client never sends (auth, ack) with 4400', async () => {
    for (const tag of [2, 10, 99]) {
      const socket = new FakeSocket()
      const connection = registry.connect(docName, socket, { wantsAck: false, canWrite: () => false })
      connection.receive(Uint8Array.of(tag, 0, 0))
      await connection.whenIdle()
      expect(socket.closedWith?.code, `tag ${tag}`).toBe(CloseCode.malformedMessage)
    }
  })
})
