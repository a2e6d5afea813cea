/**
 * Read-only enforcement holds for every byte encoding the decoder accepts: overlong varints for
 * the message and sync types, a step 2 in place of an update, and both in one frame sequence.
 */
import * as encoding from 'lib0/encoding'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../../../server/sync/logger.ts'
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
    const update = await vandalUpdate()
    const frames: Uint8Array[] = []
    for (const tagExtra of [0, 1, 3]) {
      for (const syncType of [1, 2]) {
        for (const typeExtra of [0, 2]) {
          const encoder = encoding.createEncoder()
          for (const byte of overlong(0, tagExtra)) encoding.writeUint8(encoder, byte)
          for (const byte of overlong(syncType, typeExtra)) encoding.writeUint8(encoder, byte)
          encoding.writeVarUint8Array(encoder, update)
          frames.push(encoding.toUint8Array(encoder))
        }
      }
    }
    const socket = new FakeSocket()
    const viewer = registry.connect(docName, socket, { wantsAck: false, canWrite: () => false })
    for (const frame of frames) viewer.receive(frame)
    await viewer.whenIdle()
    expect(socket.closedWith).toBeNull()
    // Told once: y-protocols' permission-denied message ([2 auth][0 denied]["read-only"]).
    expect(socket.sent.filter((frame) => frame[0] === 2 && frame[1] === 0)).toHaveLength(1)
    const text = await registry.read(docName, (ydoc) => padText(ydoc))
    expect(text).not.toContain('VANDAL')
    expect(store.rowCount(docName)).toBe(1)

    // The same frames from a writer are applied: the encodings do decode to updates.
    const writerSocket = new FakeSocket()
    const writer = registry.connect(docName, writerSocket, { wantsAck: false })
    writer.receive(frames.at(-1)!)
    await writer.whenIdle()
    expect(await registry.read(docName, (ydoc) => padText(ydoc))).toContain('VANDAL')
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
