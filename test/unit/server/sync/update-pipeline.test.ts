/**
 * UpdatePipeline's bound on the work of one turn (issue 16, part 6): when the store commits many
 * large entries at once (group commit), they are applied over several turns, at most
 * `maxStructsPerDrain` structs and deleted ranges in each, still in the order accepted.
 */
import { describe, expect, it, vi } from 'vitest'
import type { Peer } from '../../../../server/sync/peer.ts'
import { TimeWindow } from '../../../../server/sync/time-window.ts'
import { maxStructsPerDrain, UpdatePipeline } from '../../../../server/sync/update-pipeline.ts'
import { PlacedItems } from '../../../../server/sync/update-placement.ts'
import { idKey } from '../../../../server/sync/update-shape.ts'
import type { UpdateShape } from '../../../../server/sync/update-shape.ts'

function shapeOf(structs: number): UpdateShape {
  return { structs, deleteRanges: 0, firstClocks: new Map(), endClocks: new Map(), parentRefs: [], typeItems: new Set(), refEnds: new Map(), deleteEnds: new Map() }
}

describe('UpdatePipeline', () => {
  it('applies entries stored in one commit over several turns, a bounded amount in each, in order', async () => {
    let commit!: () => void
    const committed = new Promise<void>((resolve) => (commit = resolve))
    const drains: number[][] = []
    let current: number[] = []
    const pipeline = new UpdatePipeline(new TimeWindow(() => 0), {
      append: () => committed,
      applyStored: (_connection, updates) => {
        current.push(...updates.map((update) => update[0]!))
        return updates.length > 0
      },
      drained: () => {
        drains.push(current)
        current = []
      },
    })
    // reason: the pipeline only hands the connection back to its host and reads its metrics.
    const connection = { metrics: { appendSeconds: () => {} } } as unknown as Peer
    const entries = 12
    for (let i = 0; i < entries; i++) pipeline.accept(connection, Uint8Array.of(i), shapeOf(maxStructsPerDrain / 2))
    commit()
    await pipeline.settled()
    expect(drains.flat()).toEqual([...Array(entries).keys()])
    expect(drains.length).toBe(entries / 2)
    for (const drain of drains) expect(drain.length * (maxStructsPerDrain / 2)).toBeLessThanOrEqual(maxStructsPerDrain)
  })

  it('finds an id in a long queue by looking into one update, and forgets what it applied', async () => {
    let commit!: () => void
    const committed = new Promise<void>((resolve) => (commit = resolve))
    const pipeline = new UpdatePipeline(new TimeWindow(() => 0), { append: () => committed, applyStored: () => true, drained: () => {} })
    // reason: the pipeline only hands the connection back to its host and reads its metrics.
    const connection = { metrics: { appendSeconds: () => {} } } as unknown as Peer
    const queued: PlacedItems[] = []
    for (let clock = 0; clock < 2000; clock++) {
      const placed = new PlacedItems()
      placed.add({ client: 9, clock, length: 1, kind: 4, origin: clock > 0 ? { client: 9, clock: clock - 1 } : null, rightOrigin: null, parent: null, parentSub: null, typeRef: 0, name: null })
      placed.seal()
      queued.push(placed)
      const shape = shapeOf(1)
      if (clock === 0) shape.typeItems.add(idKey(9, 0))
      pipeline.accept(connection, Uint8Array.of(clock % 256), shape, placed)
    }
    const find = vi.spyOn(PlacedItems.prototype, 'find')
    expect(pipeline.findQueued(9, 1999)?.placed).toBe(queued[1999])
    // Walking the queue oldest first looked into all 2,000 updates for this one.
    expect(find.mock.calls.length).toBe(1)
    expect(pipeline.queuesType(idKey(9, 0))).toBe(true)
    commit()
    await pipeline.settled()
    expect(pipeline.findQueued(9, 1999)).toBeNull()
    expect(pipeline.queuesType(idKey(9, 0))).toBe(false)
    find.mockRestore()
  })
})
