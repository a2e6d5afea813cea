/** Update limits: each refusal closes the sender with 4413, stores nothing, and spares the others. */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { defaultRoomLimits, type RoomLimits } from '../../../../server/sync/room.ts'
import { CloseCode } from '../../../../shared/close-codes.ts'
import { useRegistryFixture } from '../../../helpers/registry-fixture.ts'
import type { SyncPeer } from '../../../helpers/sync-peer.ts'
import { h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'update-limits'
const fixture = useRegistryFixture(docName, () => padUpdate(h(2, 'Notes'), p('seeded')))
const joined = () => fixture.joined()
const makeRegistry = (limits: Partial<RoomLimits>) => fixture.make({ maxQueuedBytesPerConnection: 8 * 1024 * 1024, limits: { ...defaultRoomLimits, ...limits } })

/** A paragraph of `size` characters appended by `peer` (sent), its update returned. */
function appendText(peer: SyncPeer, size: number): Uint8Array {
  return peer.edit((fragment) => fragment.insert(fragment.length, [p('x'.repeat(size))]))
}

/** An update claiming `count` GC structs for a client, starting at `clock`. */
function gcStructs(client: number, clock: number, count: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, count)
  encoding.writeVarUint(encoder, client)
  encoding.writeVarUint(encoder, clock)
  for (let i = 0; i < count; i++) {
    encoding.writeUint8(encoder, 0)
    encoding.writeVarUint(encoder, 1)
  }
  encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}

async function expectRefused(peer: SyncPeer, reasonPart: string): Promise<void> {
  await peer.idle()
  expect(peer.socket.closedWith?.code).toBe(CloseCode.tooLarge)
  expect(peer.socket.closedWith?.reason).toContain(reasonPart)
}

describe('update limits', () => {
  it('refuses an update over maxUpdateBytes without storing it; the others keep editing', async () => {
    makeRegistry({ maxUpdateBytes: 4096 })
    const big = await joined()
    const other = await joined()
    const rows = fixture.store.rowCount(docName)
    appendText(big, 10_000)
    await expectRefused(big, 'update larger than 4096 bytes')
    expect(fixture.store.rowCount(docName)).toBe(rows)
    appendText(other, 100)
    await other.idle()
    expect(other.socket.closedWith).toBeNull()
    const late = await joined()
    expect(padText(late.ydoc)).toContain('x'.repeat(100))
    expect(padText(late.ydoc)).not.toContain('x'.repeat(10_000))
  })

  it('refuses the update that would take the document past maxDocBytes', async () => {
    makeRegistry({ maxDocBytes: 20_000 })
    const writer = await joined()
    for (let i = 0; i < 3; i++) appendText(writer, 5000)
    await writer.idle()
    expect(writer.socket.closedWith).toBeNull()
    appendText(writer, 8000)
    await expectRefused(writer, 'document larger than 20000 bytes')
    const late = await joined()
    expect(padText(late.ydoc).match(/x{5000}/g)).toHaveLength(3)
  })

  it('refuses an update claiming more structs than maxStructs before decoding it', async () => {
    makeRegistry({ maxStructs: 1000 })
    const flooder = await joined()
    const rows = fixture.store.rowCount(docName)
    // Only the header of a 200,000-struct update: had the room decoded it, it would be malformed
    // (4400), so a refusal for its claim shows the claim alone was read.
    flooder.sendUpdate(gcStructs(4242, 0, 200_000).subarray(0, 8))
    await expectRefused(flooder, 'more than 1000 structs')
    expect(fixture.store.rowCount(docName)).toBe(rows)
  })

  it('bounds the bytes of updates that cannot be integrated yet (pending)', async () => {
    makeRegistry({ maxPendingBytes: 3000 })
    const gapper = await joined()
    // Structs of an unknown client starting at clock 1000: Yjs would keep them pending forever.
    gapper.sendUpdate(gcStructs(777, 1000, 1000))
    await gapper.idle()
    expect(gapper.socket.closedWith).toBeNull()
    gapper.sendUpdate(gcStructs(778, 1000, 1500))
    await expectRefused(gapper, 'pending')
    const writer = await joined()
    appendText(writer, 10)
    await writer.idle()
    expect(writer.socket.closedWith).toBeNull()
  })

  it('still takes a large but well-formed update within the limits (a whole pad in one sync step 2)', async () => {
    makeRegistry({})
    const source = new Y.Doc({ gc: false })
    const fragment = source.getXmlFragment('prosemirror')
    for (let i = 0; i < 2000; i++) fragment.insert(fragment.length, [p(`line ${i}`)])
    const peer = await joined()
    peer.sendUpdate(Y.encodeStateAsUpdate(source))
    await peer.idle()
    expect(peer.socket.closedWith).toBeNull()
  })
})
