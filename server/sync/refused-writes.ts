/**
 * RefusedWrites: what a pad refused, so it can never land later (issue 16, part 2).
 *
 * A Yjs client numbers its structs 0, 1, 2, ... and every struct it makes after one builds on
 * it. So once a write of client C starting at clock `a` was refused (the pad was locked or
 * ended, or the connection is read-only), every later struct of C is either that write or built
 * on it: the room refuses, from then on, any update that
 * - carries a struct of C reaching past `a` (it contains the refused write or comes after it),
 * - refers to an id of C at or past `a` as origin, right origin or parent (it was made on top of
 *   the refused write, e.g. in another tab that saw it), or
 * - deletes an id of C at or past `a`.
 * The update refused for building on a refused write is refused in turn: its own new structs are
 * recorded the same way. The ranges are kept in the DocStore (durable before the client is told),
 * so a reconnect, another instance or a restart refuses them too. Without this, the refused
 * write's client would have every later edit held back by Yjs as "pending" (it depends on the
 * dropped one), shown to nobody, until a reconnect delivered the refused write with them.
 */
import type { RefusedRange } from '../storage/doc-store.ts'
import type { UpdateShape } from './update-shape.ts'

export class RefusedWrites {
  /** For each client with a refused write: the lowest refused clock. */
  private readonly from = new Map<number, number>()

  /** Remembers `ranges` (from the store or from a refusal just made). */
  add(ranges: Iterable<RefusedRange>): void {
    for (const { client, start } of ranges) {
      if (start < (this.from.get(client) ?? Infinity)) this.from.set(client, start)
    }
  }

  /** Number of clients with a refused write. */
  get size(): number {
    return this.from.size
  }

  /** The lowest refused clock of `client`, or undefined when none of its writes was refused. */
  refusedFrom(client: number): number | undefined {
    return this.from.get(client)
  }

  /** True when an update of `shape` contains a refused write or builds on one (see the header). */
  touches(shape: UpdateShape): boolean {
    if (this.from.size === 0) return false
    return reaches(this.from, shape.endClocks) || reaches(this.from, shape.refEnds) || reaches(this.from, shape.deleteEnds)
  }
}

function reaches(from: Map<number, number>, ends: Map<number, number>): boolean {
  for (const [client, end] of ends) {
    const start = from.get(client)
    if (start !== undefined && end > start) return true
  }
  return false
}

/**
 * The ranges of `shape`'s structs the room does not hold: for each client, from where the
 * update starts or from `known(client)` (the clock the room holds or has accepted up to),
 * whichever is later, to where the update ends. Empty when the update brings nothing new (e.g.
 * the empty sync step 2 of a client with no edits), which is not a refusal worth recording.
 */
export function newRanges(shape: UpdateShape, known: (client: number) => number): RefusedRange[] {
  const ranges: RefusedRange[] = []
  for (const [client, end] of shape.endClocks) {
    const start = Math.max(shape.firstClocks.get(client) ?? 0, known(client))
    if (end > start) ranges.push({ client, start, end })
  }
  return ranges
}
