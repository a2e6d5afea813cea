/** Broadcast coalescing: one merged frame per turn, never an echo, awareness throttled. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { silentLogger } from '../../../../server/observability/log.ts'
import { renewalDelayMs } from '../../../../server/sync/room-broadcast.ts'
import { Room } from '../../../../server/sync/room.ts'
import { useRegistryFixture } from '../../../helpers/registry-fixture.ts'
import type { SyncPeer } from '../../../helpers/sync-peer.ts'
import { docFromUpdate, h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'coalescing'
const fixture = useRegistryFixture(docName, () => padUpdate(h(2, 'Notes'), p('')))
const joined = () => fixture.joined()
const makeRegistry = fixture.make

/**
 * Windows and throttles are timed by fake clocks (setTimeout and Date only: setImmediate and
 * promises stay real, as the rooms' turns need them), so a busy machine cannot change a count.
 */
function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
}
afterEach(() => {
  vi.useRealTimers()
})




function typeInto(peer: SyncPeer, text: string): void {
  peer.edit((fragment) => {
    const paragraph = fragment.get(1) as Y.XmlElement
    const xmlText = paragraph.get(0) as Y.XmlText | undefined
    if (xmlText) xmlText.insert(xmlText.length, text)
    else paragraph.insert(0, [new Y.XmlText(text)])
  })
}

describe('coalesced broadcasts', () => {
  it('sends the updates of one turn as one frame to readers, and each writer only the others', async () => {
    makeRegistry()
    const [alice, bob, reader1, reader2] = [await joined(), await joined(), await joined(), await joined()]
    const before = [alice, bob, reader1, reader2].map((peer) => peer.received('update').length)
    for (let i = 0; i < 10; i++) {
      typeInto(alice, 'a')
      typeInto(bob, 'b')
    }
    await Promise.all([alice.idle(), bob.idle()])
    const after = [alice, bob, reader1, reader2].map((peer, i) => peer.received('update').length - before[i]!)
    // 20 updates from two writers arrived in one turn: one frame for each reader, one for each writer.
    expect(after).toEqual([1, 1, 1, 1])
    for (const peer of [alice, bob, reader1, reader2]) peer.deliver()
    const text = padText(reader1.ydoc)
    const typed = /<paragraph>(.*)<\/paragraph>/.exec(text)?.[1] ?? ''
    expect(typed.match(/a/g)?.length).toBe(10)
    expect(typed.match(/b/g)?.length).toBe(10)
    expect([alice, bob, reader2].map((peer) => padText(peer.ydoc))).toEqual([text, text, text])
    // A writer's frame holds only the other writer's updates: nothing of its own comes back.
    const aliceFrame = alice.received('update').at(-1)!.update
    expect(Y.decodeUpdate(aliceFrame).structs.every((struct) => struct.id.client !== alice.ydoc.clientID)).toBe(true)
  })

  it('stores the updates of one window together when it closes, then sends them at once', async () => {
    useFakeClock()
    makeRegistry({ broadcastWindowMs: 400 })
    const [alice, bob, reader] = [await joined(), await joined(), await joined()]
    const appended: number[] = []
    const append = fixture.store.append.bind(fixture.store)
    fixture.store.append = (name, update) => {
      appended.push(reader.received('update').length)
      return append(name, update)
    }
    const framesBefore = reader.received('update').length
    // The first edit after a quiet spell is stored and sent at once.
    typeInto(alice, 'a')
    await alice.idle()
    expect(appended).toHaveLength(1)
    expect(reader.received('update').length).toBe(framesBefore + 1)
    // Two people typing at once: their edits wait for the window to close before they are stored.
    for (const [writer, letter] of [[bob, 'b'], [alice, 'c'], [bob, 'd'], [alice, 'e']] as const) {
      typeInto(writer, letter)
      await new Promise((resolve) => setImmediate(resolve))
    }
    await vi.advanceTimersByTimeAsync(20)
    expect(appended).toHaveLength(1)
    expect(reader.received('update').length).toBe(framesBefore + 1)
    // When it closes they are stored together, before any reader sees them, and go out as one frame.
    await vi.advanceTimersByTimeAsync(400)
    await Promise.all([alice.idle(), bob.idle()])
    await vi.waitFor(() => expect(reader.received('update').length).toBe(framesBefore + 2), { timeout: 2000, interval: 20 })
    expect(appended).toEqual([framesBefore, framesBefore + 1, framesBefore + 1, framesBefore + 1, framesBefore + 1])
    reader.deliver()
    expect(padText(reader.ydoc)).toMatch(/a.*[bcde]{4}|[bcde]/)
    for (const letter of 'abcde') expect(padText(reader.ydoc)).toContain(letter)
  })

  it('stores and sends one writer alone at the store’s pace, without waiting for the window', async () => {
    useFakeClock()
    makeRegistry({ broadcastWindowMs: 400 })
    const [writer, reader] = [await joined(), await joined()]
    const framesBefore = reader.received('update').length
    for (const letter of 'abcde') {
      typeInto(writer, letter)
      await writer.idle()
    }
    // Five frames, each as soon as stored: no 400 ms window in between (the fake clock stood still).
    expect(reader.received('update').length).toBe(framesBefore + 5)
    reader.deliver()
    expect(padText(reader.ydoc)).toContain('abcde')
  })

  it('widens the window of a room with more clients than its sends budget allows', async () => {
    // 4 connections, at most 80 frames per second in all: one frame per 50 ms, not per 5 ms.
    useFakeClock()
    makeRegistry({ broadcastWindowMs: 5, broadcastSendsPerSecond: 80 })
    const [writer, reader] = [await joined(), await joined(), await joined(), await joined()]
    const before = reader.received('update').length
    for (let i = 0; i < 60; i++) {
      typeInto(writer, 'x')
      await vi.advanceTimersByTimeAsync(5)
    }
    await vi.advanceTimersByTimeAsync(60)
    await writer.idle()
    // 360 ms of (fake) time: at most one frame per 50 ms once the room's rate is known (its
    // first two updates, 40 and 78 sends per second, were within the budget), and at least a few.
    const frames = reader.received('update').length - before
    expect(frames).toBeLessThanOrEqual(2 + Math.ceil(360 / 50) + 1)
    expect(frames).toBeGreaterThanOrEqual(3)
    reader.deliver()
    expect(padText(reader.ydoc)).toContain('x'.repeat(60))
  })

  it('sends every edit of people typing at once as soon as it is stored while the room is within its sends budget', async () => {
    // Issue 21: a 400 ms window, but 4 connections × 200 updates/s is far within 100,000 sends/s.
    useFakeClock()
    makeRegistry({ broadcastWindowMs: 400, broadcastSendsPerSecond: 100_000 })
    const [alice, bob, reader] = [await joined(), await joined(), await joined(), await joined()]
    const before = reader.received('update').length
    for (let i = 0; i < 20; i++) {
      const writer = i % 2 === 0 ? alice : bob
      typeInto(writer, i % 2 === 0 ? 'a' : 'b')
      // The fake clock moves 5 ms per edit, never a window's width: nothing may wait for it.
      await vi.advanceTimersByTimeAsync(5)
      await writer.idle()
      expect(reader.received('update').length - before).toBe(i + 1)
    }
    reader.deliver()
    const typed = /<paragraph>(.*)<\/paragraph>/.exec(padText(reader.ydoc))?.[1] ?? ''
    expect(typed.match(/[ab]/g)?.length).toBe(20)
  })

  it('never sends an edit that goes out at once before the store made it durable', async () => {
    makeRegistry({ broadcastWindowMs: 400, broadcastSendsPerSecond: 100_000 })
    const [writer, reader] = [await joined(), await joined()]
    let makeDurable!: () => void
    const durable = new Promise<void>((resolve) => (makeDurable = resolve))
    const append = fixture.store.append.bind(fixture.store)
    fixture.store.append = async (name, update) => {
      await durable
      return append(name, update)
    }
    const before = reader.received('update').length
    typeInto(writer, 'z')
    // Many turns later, still not stored: nobody has seen it.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(reader.received('update').length).toBe(before)
    makeDurable()
    await writer.idle()
    expect(reader.received('update').length).toBe(before + 1)
  })

  it('merges by the window once the updates per second × connections pass the sends budget', async () => {
    // 4 connections, 200 updates/s from two writers: 800 sends/s against a budget of 200.
    useFakeClock()
    makeRegistry({ broadcastWindowMs: 100, broadcastSendsPerSecond: 200 })
    const [alice, bob, reader] = [await joined(), await joined(), await joined(), await joined()]
    const before = reader.received('update').length
    for (let i = 0; i < 60; i++) {
      typeInto(i % 2 === 0 ? alice : bob, i % 2 === 0 ? 'a' : 'b')
      await vi.advanceTimersByTimeAsync(5)
    }
    await vi.advanceTimersByTimeAsync(120)
    await Promise.all([alice.idle(), bob.idle()])
    // 420 ms of (fake) time: the first few updates went at once (the room's rate was still
    // ramping up: 40, 78, 114 ... sends/s, within the budget for the first 30 ms or so), then
    // one frame per 100 ms window, not one frame per update.
    const frames = reader.received('update').length - before
    expect(frames).toBeLessThanOrEqual(8 + Math.ceil(420 / 100) + 1)
    expect(frames).toBeGreaterThanOrEqual(3)
    reader.deliver()
    const typed = /<paragraph>(.*)<\/paragraph>/.exec(padText(reader.ydoc))?.[1] ?? ''
    expect(typed.match(/[ab]/g)?.length).toBe(60)
  })

  it('serves a fresh client the stored state before the doc is built, then one cached encoding until the doc changes', async () => {
    const room = await Room.load(docName, fixture.store, { compactAfterRows: 1000, logger: silentLogger })
    const fresh = Uint8Array.of(0)
    // Synchronously, straight from the stored bytes: no apply, no encode on a cold room's critical path.
    const first = room.syncStep2For(fresh)
    expect(first).toBeInstanceOf(Uint8Array)
    expect(padText(docFromUpdate(first as Uint8Array))).toContain('Notes')
    await room.whenSettled()
    expect(room.syncStep2For(fresh)).toBe(first)
    await room.applyServerChange((ydoc) => ydoc.getMap('meta').set('changed', true))
    const second = await room.syncStep2For(fresh)
    expect(second).not.toBe(first)
    expect(await room.syncStep2For(fresh)).toBe(second)
    expect(docFromUpdate(second).getMap('meta').get('changed')).toBe(true)
    // Any other state vector waits for the doc and gets just the difference.
    const partial = await room.syncStep2For(Y.encodeStateVector(docFromUpdate(first as Uint8Array)))
    expect(docFromUpdate(partial).getMap('meta').get('changed')).toBe(true)
    await room.close()
  })

  it('throttles awareness to one frame per awarenessFlushMs and never echoes a state to its owner', async () => {
    useFakeClock()
    makeRegistry({ awarenessFlushMs: 80 })
    const mover = await joined()
    const watcher = await joined()
    mover.setAwareness({ cursor: 0 })
    await mover.idle()
    await vi.advanceTimersByTimeAsync(120)
    const before = watcher.received('awareness').length
    for (let i = 1; i <= 20; i++) mover.setAwareness({ cursor: i })
    await mover.idle()
    await vi.advanceTimersByTimeAsync(150)
    await mover.idle()
    const frames = watcher.received('awareness').length - before
    expect(frames).toBeGreaterThanOrEqual(1)
    expect(frames).toBeLessThanOrEqual(2)
    watcher.deliver()
    expect(watcher.awareness.getStates().get(mover.ydoc.clientID)).toEqual({ cursor: 20 })
    const echoed = mover.received('awareness').some((frame) => containsClient(frame.update, mover.ydoc.clientID))
    expect(echoed).toBe(false)
  })

  it("sends a typist's waiting cursor with the frame of its keystroke, not a throttle later (one write, issue 21)", async () => {
    useFakeClock()
    makeRegistry({ awarenessFlushMs: 1000 })
    const typist = await joined()
    const watcher = await joined()
    typist.setAwareness({ cursor: 0 })
    await typist.idle()
    await vi.advanceTimersByTimeAsync(10)
    await typist.idle()
    const frames = () => watcher.socket.frames().map((frame) => frame.type)
    const before = frames().length
    // Within the awareness window: the cursor waits for it (up to a second) ...
    typist.setAwareness({ cursor: 1 })
    await typist.idle()
    expect(frames().slice(before)).toEqual([])
    // ... until the keystroke's update frame goes out, and the cursor right behind it.
    typeInto(typist, 'x')
    await typist.idle()
    expect(frames().slice(before)).toEqual(['update', 'awareness'])
    watcher.deliver()
    expect(watcher.awareness.getStates().get(typist.ydoc.clientID)).toEqual({ cursor: 1 })
    // Nothing is left for the throttle to send.
    await vi.advanceTimersByTimeAsync(1500)
    expect(frames().slice(before)).toEqual(['update', 'awareness'])
  })

  it('sends renewals (a state re-sent unchanged) together within renewalDelayMs, or with the next change', async () => {
    useFakeClock()
    makeRegistry({ awarenessFlushMs: 50 })
    const [ada, bo, watcher] = [await joined(), await joined(), await joined()]
    ada.setAwareness({ user: 'ada' })
    bo.setAwareness({ user: 'bo' })
    await Promise.all([ada.idle(), bo.idle()])
    await vi.advanceTimersByTimeAsync(100)
    const frames = () => watcher.received('awareness')
    const before = frames().length
    // Both re-send their state as it was (y-protocols does every 15 s): nothing goes out yet ...
    ada.setAwareness({ user: 'ada' })
    await ada.idle()
    await vi.advanceTimersByTimeAsync(1000)
    bo.setAwareness({ user: 'bo' })
    await bo.idle()
    await vi.advanceTimersByTimeAsync(1000)
    expect(frames().length).toBe(before)
    // ... until the renewal delay has passed: then one frame renews both.
    await vi.advanceTimersByTimeAsync(renewalDelayMs)
    expect(frames().length).toBe(before + 1)
    const renewal = frames().at(-1)!.update
    expect([containsClient(renewal, ada.ydoc.clientID), containsClient(renewal, bo.ydoc.clientID)]).toEqual([true, true])
    // A renewal waiting when a state changes goes out with the change, at once.
    ada.setAwareness({ user: 'ada' })
    bo.setAwareness({ user: 'bo', cursor: 3 })
    await Promise.all([ada.idle(), bo.idle()])
    await vi.advanceTimersByTimeAsync(60)
    expect(frames().length).toBe(before + 2)
    const change = frames().at(-1)!.update
    expect([containsClient(change, ada.ydoc.clientID), containsClient(change, bo.ydoc.clientID)]).toEqual([true, true])
    watcher.deliver()
    expect(watcher.awareness.getStates().get(bo.ydoc.clientID)).toEqual({ user: 'bo', cursor: 3 })
  })
})

/** True when an awareness update names `client`. */
function containsClient(update: Uint8Array, client: number): boolean {
  const probe = new Y.Doc()
  const seen = new Set<number>()
  const awareness = new awarenessProtocol.Awareness(probe)
  awareness.on('change', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
    for (const id of [...added, ...updated, ...removed]) seen.add(id)
  })
  awarenessProtocol.applyAwarenessUpdate(awareness, update, null)
  awareness.destroy()
  return seen.has(client)
}
