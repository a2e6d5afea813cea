/**
 * RoomRegistry unloading and close: a room unloads (and compacts) unloadDelayMs after its last
 * connection leaves, unless someone rejoins; a connection arriving mid-unload gets what it was
 * storing or compacting; close() says goodbye (1001) to every socket, flushes and compacts.
 */
import { describe, expect, it, vi } from 'vitest'
import { CloseCode } from '../../../../shared/close-codes.ts'
import { appendParagraph, useControlledRegistryFixture } from '../../../helpers/registry-fixture.ts'
import { settle, waitFor } from '../../../helpers/wait-for.ts'
import { h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'pad-1'
const fixture = useControlledRegistryFixture(docName, () => padUpdate(h(2, 'Goals'), p('seeded')))
const { join, joinSynced, storedText, make: makeRegistry } = fixture

describe('RoomRegistry unloading', () => {
  it('unloads a room unloadDelayMs after the last connection leaves and compacts it to one row', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    makeRegistry({ unloadDelayMs: 1000 })
    const a = await joinSynced()
    const b = await joinSynced()
    for (let i = 0; i < 3; i++) {
      a.edit(appendParagraph(`a${i}`))
      b.edit(appendParagraph(`b${i}`))
    }
    await Promise.all([a.idle(), b.idle()])
    expect(fixture.memory.rowCount(docName)).toBe(7)

    a.disconnect()
    await settle()
    await vi.advanceTimersByTimeAsync(2000)
    expect(fixture.registry.loadedDocNames).toEqual([docName])

    b.disconnect()
    await settle()
    await vi.advanceTimersByTimeAsync(999)
    expect(fixture.registry.loadedDocNames).toEqual([docName])
    await vi.advanceTimersByTimeAsync(1)
    expect(fixture.registry.loadedDocNames).toEqual([])
    vi.useRealTimers()
    await waitFor(() => fixture.memory.rowCount(docName) === 1, 1000, 'compacted to one row')
    a.deliver()
    expect(await storedText()).toBe(padText(a.ydoc))
  })

  it('keeps the room when someone rejoins within unloadDelayMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    makeRegistry({ unloadDelayMs: 1000 })
    const a = await joinSynced()
    a.disconnect()
    await settle()
    await vi.advanceTimersByTimeAsync(500)
    const b = await joinSynced()
    await vi.advanceTimersByTimeAsync(5000)
    expect(fixture.registry.loadedDocNames).toEqual([docName])
    expect(fixture.store.count('load')).toBe(1)
    expect(b.socket.closedWith).toBeNull()
  })

  it('gives a connection arriving during an unload the update that unload was still storing', async () => {
    const author = await joinSynced()
    const append = fixture.store.hold('append')
    author.edit(appendParagraph('stored during unload'))
    await waitFor(() => fixture.store.count('append') === 1, 1000, 'append started')
    author.disconnect()
    await waitFor(() => fixture.registry.loadedDocNames.length === 0, 1000, 'unload started')

    const late = join()
    late.sendSyncStep1()
    await settle()
    expect(late.socket.sent).toEqual([])

    append.release()
    await late.idle()
    late.deliver()
    expect(padText(late.ydoc)).toContain('stored during unload')
    expect(await storedText()).toContain('stored during unload')
    expect(fixture.registry.loadedDocNames).toEqual([docName])
  })

  it('gives a connection arriving while an unload compacts the content stored before', async () => {
    const author = await joinSynced()
    author.edit(appendParagraph('before unload'))
    await author.idle()
    const compact = fixture.store.hold('compact')
    author.disconnect()
    await waitFor(() => fixture.store.count('compact') === 1, 1000, 'compaction started')

    const late = join()
    late.sendSyncStep1()
    await settle()
    expect(late.socket.sent).toEqual([])
    compact.release()
    await late.idle()
    late.deliver()
    expect(padText(late.ydoc)).toBe(padText(author.ydoc))
    expect(fixture.memory.rowCount(docName)).toBe(1)
  })
})

describe('RoomRegistry.close', () => {
  it('closes every socket with 1001, flushes in-flight appends and compacts', async () => {
    const other = 'pad-2'
    await fixture.memory.append(other, padUpdate(p('other pad')))
    const a = await joinSynced(docName)
    const b = await joinSynced(docName)
    const c = await joinSynced(other)
    const append = fixture.store.hold('append')
    a.edit(appendParagraph('in flight at shutdown'))
    await waitFor(() => fixture.store.count('append') === 1, 1000, 'append started')

    const closing = fixture.registry.close()
    for (const peer of [a, b, c]) expect(peer.socket.closedWith).toEqual({ code: CloseCode.goingAway, reason: 'server going away' })
    append.release()
    await closing
    expect(await storedText()).toContain('in flight at shutdown')
    expect(fixture.memory.rowCount(docName)).toBe(1)
    expect(fixture.registry.loadedDocNames).toEqual([])

    const loadsBefore = fixture.store.count('load')
    const late = join()
    expect(late.socket.closedWith?.code).toBe(CloseCode.goingAway)
    await late.idle()
    expect(fixture.store.count('load')).toBe(loadsBefore)
  })
})
