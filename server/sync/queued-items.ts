/**
 * QueuedItems: the placed items of the updates a room accepted and has not applied yet, found by
 * id. The checker looks up the neighbour or parent of nearly every item it places here (a typist's
 * keystroke builds on the one before, which is usually still queued), so a lookup that walked the
 * queue made checking a queue of n updates cost n² (issue 21: a writer streaming 1,000 updates
 * ahead spent most of the server's time in that walk).
 *
 * Each client's queued updates are kept in the order accepted, with the clock range their items
 * of that client span. A client's updates normally follow each other (each starts where the one
 * before ended), so the ranges are sorted and disjoint and a lookup is a binary search. When an
 * update's range starts before the end of the one before it (a resend after a reconnect, or a
 * crafted update), that client's lookups walk its queued updates oldest first, as before, until
 * they are all applied: the oldest update holding an id is the one Yjs integrates, and the
 * placement must be that one's.
 */
import type { PlacedItems, QueuedItem } from './update-placement.ts'

interface Span {
  placed: PlacedItems
  /** Lowest clock of the update's items of this client. */
  start: number
  /** Highest clock + length of them. */
  end: number
}

/** One client's spans, oldest first, from `head` on (the ones before it were applied). */
interface ClientSpans {
  spans: Span[]
  head: number
  /** True while the spans are sorted by clock and disjoint. */
  ordered: boolean
}

/** Past this many applied spans at the head of a list (and half of it), the list is compacted. */
const compactAfter = 256

export class QueuedItems {
  private readonly byClient = new Map<number, ClientSpans>()

  /** Adds the placed items of an update accepted after every one added before. */
  add(placed: PlacedItems): void {
    for (const [client, start, end] of placed.ranges()) {
      let list = this.byClient.get(client)
      if (!list) this.byClient.set(client, (list = { spans: [], head: 0, ordered: true }))
      const last = list.spans.length > list.head ? list.spans[list.spans.length - 1]! : null
      if (last && start < last.end) list.ordered = false
      list.spans.push({ placed, start, end })
    }
  }

  /** Removes the placed items of the oldest queued update (updates are applied in the order accepted). */
  remove(placed: PlacedItems): void {
    for (const [client] of placed.ranges()) {
      const list = this.byClient.get(client)
      if (!list) continue
      if (list.spans[list.head]?.placed === placed) list.head++
      else {
        // Not expected (updates leave in order), kept correct all the same.
        const at = list.spans.findIndex((span, index) => index >= list.head && span.placed === placed)
        if (at >= 0) list.spans.splice(at, 1)
      }
      if (list.head >= list.spans.length) this.byClient.delete(client)
      else if (list.head > compactAfter && list.head * 2 > list.spans.length) {
        list.spans = list.spans.slice(list.head)
        list.head = 0
      }
    }
  }

  /** The item covering `client:clock` in the oldest queued update that has one, or null. */
  find(client: number, clock: number): QueuedItem | null {
    const list = this.byClient.get(client)
    if (!list) return null
    const { spans } = list
    if (!list.ordered) {
      for (let i = list.head; i < spans.length; i++) {
        const span = spans[i]!
        if (clock < span.start || clock >= span.end) continue
        const item = span.placed.find(client, clock)
        if (item) return { item, placed: span.placed }
      }
      return null
    }
    let low = list.head
    let high = spans.length - 1
    while (low <= high) {
      const mid = (low + high) >> 1
      const span = spans[mid]!
      if (clock < span.start) high = mid - 1
      else if (clock >= span.end) low = mid + 1
      else {
        const item = span.placed.find(client, clock)
        return item ? { item, placed: span.placed } : null
      }
    }
    return null
  }
}
