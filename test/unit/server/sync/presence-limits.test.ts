/**
 * Presence is no memory bomb (issue 15 part 4): one awareness id per connection whatever the
 * state says, metadata of gone ids swept, states bounded per connection and per room,
 * query-awareness answered at most once per interval, participants only from those who may edit.
 */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import { messageAwareness, messageQueryAwareness } from '../../../../shared/protocol.ts'
import { useRegistryFixture } from '../../../helpers/registry-fixture.ts'
import { SyncPeer } from '../../../helpers/sync-peer.ts'
import { waitFor } from '../../../helpers/wait-for.ts'
import { p, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'presence-limits'
const fixture = useRegistryFixture(docName, () => padUpdate(p('seeded')))

/** An awareness frame of `entries` ([client, clock, state JSON]). */
function awarenessFrame(entries: [number, number, string][]): Uint8Array {
  const update = encoding.createEncoder()
  encoding.writeVarUint(update, entries.length)
  for (const [client, clock, state] of entries) {
    encoding.writeVarUint(update, client)
    encoding.writeVarUint(update, clock)
    encoding.writeVarString(update, state)
  }
  const frame = encoding.createEncoder()
  encoding.writeVarUint(frame, messageAwareness)
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update))
  return encoding.toUint8Array(frame)
}

async function room() {
  return (await fixture.registry.loadedRoom(docName))!
}

const bytesOf = (peer: SyncPeer) => peer.socket.sent.reduce((sum, frame) => sum + frame.byteLength, 0)

describe('presence limits', () => {
  it('keeps one awareness id per connection: null states for ever-new ids add no metadata', async () => {
    fixture.make()
    const peer = await fixture.joined()
    peer.setAwareness({ user: { name: 'Kim' } })
    await peer.idle()
    for (let frame = 0; frame < 10; frame++) {
      const entries: [number, number, string][] = []
      for (let i = 0; i < 8000; i++) entries.push([1_000_000 + frame * 8000 + i, 1, 'null'])
      peer.send(awarenessFrame(entries))
    }
    await peer.idle()
    expect(peer.socket.closedWith).toBeNull()
    expect((await room()).awarenessMetaSize).toBe(1)
  })

  it('sweeps the metadata of ids whose connection left', async () => {
    fixture.make()
    const peers = await Promise.all([fixture.joined(), fixture.joined(), fixture.joined()])
    peers.forEach((peer, i) => peer.setAwareness({ user: { name: `P${i}` } }))
    await Promise.all(peers.map((peer) => peer.idle()))
    expect((await room()).awarenessMetaSize).toBe(3)
    peers[0]!.disconnect()
    peers[1]!.disconnect()
    await waitFor(async () => (await room()).awarenessMetaSize === 1, 2000, 'metadata of gone ids swept')
  })

  // The room had 100 states; 50 keep the test light on a shared machine, same ratio.
  it('answers query-awareness at most once per interval (20 queries in a room of 50 eight-KB states)', { timeout: 30_000 }, async () => {
    fixture.make({ awarenessLimits: { rate: { perSecond: 1000, burst: 1000 } } })
    const peers: SyncPeer[] = []
    for (let i = 0; i < 50; i++) {
      const peer = await fixture.joined()
      peer.setAwareness({ user: { name: `P${i}` }, pad: 'x'.repeat(8000) })
      peers.push(peer)
    }
    await Promise.all(peers.map((peer) => peer.idle()))
    const asker = await fixture.joined()
    await asker.idle()
    const before = bytesOf(asker)
    for (let i = 0; i < 20; i++) asker.send(Uint8Array.of(messageQueryAwareness))
    await asker.idle()
    const sent = bytesOf(asker) - before
    // One answer of every state (about 400 KB), not twenty (8 MB before).
    expect(sent).toBeGreaterThan(50 * 8000)
    expect(sent).toBeLessThan(2 * 50 * 8100)
  })

  it('bounds the awareness states a room holds; a state past the bound is dropped', async () => {
    fixture.make({ maxAwarenessChars: 20_000 })
    const peers = await Promise.all([1, 2, 3, 4].map(() => fixture.joined()))
    for (const [i, peer] of peers.entries()) peer.setAwareness({ user: { name: `P${i}` }, pad: 'x'.repeat(8000) })
    await Promise.all(peers.map((peer) => peer.idle()))
    expect((await room()).awareness.getStates().size).toBe(2)
    // A small state still fits.
    peers[3]!.setAwareness({ user: { name: 'small' } })
    await peers[3]!.idle()
    expect((await room()).awareness.getStates().size).toBe(3)
  })

  it('takes awareness updates at its rate; the latest state still lands', async () => {
    fixture.make({ awarenessLimits: { rate: { perSecond: 50, burst: 5 } } })
    const peer = await fixture.joined()
    await peer.idle()
    const server = await room()
    let applied = 0
    server.awareness.on('update', () => applied++)
    for (let i = 0; i < 200; i++) peer.setAwareness({ user: { name: 'Kim' }, cursor: i })
    await peer.idle()
    expect(applied).toBeLessThanOrEqual(6)
    await waitFor(() => (server.awareness.getStates().get(peer.ydoc.clientID) as { cursor?: number } | undefined)?.cursor === 199, 2000, 'the last state')
    expect(applied).toBeLessThan(20)
  })

  it('records participants only from connections that may edit', async () => {
    const names: string[] = []
    fixture.make({ onPresence: (_doc, fresh) => names.push(...fresh.map((person) => person.name)) })
    const editor = await fixture.joined()
    const viewer = new SyncPeer(fixture.registry, docName, { mayParticipate: () => false })
    viewer.sendSyncStep1()
    await viewer.idle()
    editor.setAwareness({ user: { name: 'Ada' } })
    viewer.setAwareness({ user: { name: 'Mallory' } })
    await Promise.all([editor.idle(), viewer.idle()])
    expect(names).toEqual(['Ada'])
  })

  it('reports a person once per name, never under a placeholder, keyed by identity id (issue 19 bug 1)', async () => {
    const people: { person: string; name: string }[] = []
    fixture.make({ onPresence: (_doc, fresh) => people.push(...fresh) })
    const peer = await fixture.joined()
    peer.setAwareness({ user: { id: 'u-lin', name: 'Guest 214', placeholder: true } })
    await peer.idle()
    peer.setAwareness({ user: { id: 'u-lin', name: '李明' } })
    await peer.idle()
    peer.setAwareness({ user: { id: 'u-lin', name: '李明' }, cursor: 3 })
    await peer.idle()
    peer.setAwareness({ user: { id: 'u-lin', name: 'Lin' } })
    await peer.idle()
    expect(people).toEqual([
      { person: 'id:u-lin', name: '李明' },
      { person: 'id:u-lin', name: 'Lin' },
    ])
  })
})
