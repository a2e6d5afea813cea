/**
 * QueuedItems (issue 21, ingest): the checker finds a queued update's item by id without walking
 * the queue when a client's updates follow each other, and still finds the oldest update holding
 * an id (the one Yjs integrates) when they overlap.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { QueuedItems } from '../../../../server/sync/queued-items.ts'
import { PlacedItems } from '../../../../server/sync/update-placement.ts'
import type { ScannedItem } from '../../../../server/sync/update-shape.ts'

function item(client: number, clock: number, length = 1): ScannedItem {
  return { client, clock, length, kind: 4, origin: null, rightOrigin: null, parent: 'prosemirror', parentSub: null, typeRef: 0, name: null }
}

function update(...items: ScannedItem[]): PlacedItems {
  const placed = new PlacedItems()
  for (const each of items) placed.add(each)
  placed.seal()
  return placed
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('QueuedItems', () => {
  it('finds an item of a long run of consecutive updates by looking into one of them', () => {
    const queued = new QueuedItems()
    const updates: PlacedItems[] = []
    for (let clock = 0; clock < 2000; clock++) {
      const placed = update(item(7, clock))
      updates.push(placed)
      queued.add(placed)
    }
    const find = vi.spyOn(PlacedItems.prototype, 'find')
    expect(queued.find(7, 1999)?.placed).toBe(updates[1999])
    expect(queued.find(7, 0)?.placed).toBe(updates[0])
    expect(queued.find(7, 2000)).toBeNull()
    expect(queued.find(8, 5)).toBeNull()
    // A walk of the queue would look into up to 2,000 updates per lookup.
    expect(find.mock.calls.length).toBeLessThanOrEqual(2)
  })

  it('forgets applied updates, oldest first, and compacts its lists', () => {
    const queued = new QueuedItems()
    const updates = Array.from({ length: 1000 }, (_, clock) => update(item(1, clock * 2, 2)))
    for (const placed of updates) queued.add(placed)
    for (const placed of updates.slice(0, 900)) queued.remove(placed)
    expect(queued.find(1, 0)).toBeNull()
    expect(queued.find(1, 1799)).toBeNull()
    expect(queued.find(1, 1800)?.placed).toBe(updates[900])
    expect(queued.find(1, 1999)?.item.clock).toBe(1998)
    for (const placed of updates.slice(900)) queued.remove(placed)
    expect(queued.find(1, 1999)).toBeNull()
  })

  it('finds the oldest update holding an id when a later one holds it too', () => {
    const queued = new QueuedItems()
    const first = update(item(3, 0, 5))
    const resent = update(item(3, 2, 6))
    queued.add(first)
    queued.add(resent)
    expect(queued.find(3, 3)?.placed).toBe(first)
    expect(queued.find(3, 6)?.placed).toBe(resent)
    queued.remove(first)
    expect(queued.find(3, 3)?.placed).toBe(resent)
  })

  it('finds nothing in the gap of an update whose items leave one', () => {
    const queued = new QueuedItems()
    const gapped = update(item(4, 0, 2), item(4, 10, 2))
    const next = update(item(4, 12, 1))
    queued.add(gapped)
    queued.add(next)
    expect(queued.find(4, 5)).toBeNull()
    expect(queued.find(4, 11)?.placed).toBe(gapped)
    expect(queued.find(4, 12)?.placed).toBe(next)
  })

  it('keeps each client apart', () => {
    const queued = new QueuedItems()
    const both = update(item(1, 0, 3), item(2, 5, 3))
    const later = update(item(1, 3, 1))
    queued.add(both)
    queued.add(later)
    expect(queued.find(2, 6)?.placed).toBe(both)
    expect(queued.find(1, 3)?.placed).toBe(later)
    queued.remove(both)
    expect(queued.find(2, 6)).toBeNull()
    expect(queued.find(1, 3)?.placed).toBe(later)
  })
})
