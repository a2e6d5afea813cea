import * as Y from 'yjs'
import { nowMicros } from './clock.ts'

/**
 * The markers writers type into the pad so probes can time them: `⟦<id>:<micros>⟧`, where `id`
 * is unique within a run and `micros` is the send time on the shared monotonic clock (clock.ts).
 */

/** The marker text for update `id` sent at `micros`. */
export function formatMarker(id: number, micros: number): string {
  return `⟦${id}:${micros}⟧`
}

const markerPattern = /⟦(\d+):(\d+)⟧/g

/** Calls `found` for every complete marker in `text`. */
export function forEachMarker(text: string, found: (id: number, micros: number) => void): void {
  for (const match of text.matchAll(markerPattern)) found(Number(match[1]), Number(match[2]))
}

/**
 * What a probe has seen of the markers: each one once, with its edit-to-delivery latency (applied
 * here minus typed, on the shared monotonic clock); a marker seen again counts as a duplicate.
 */
export class MarkerTally {
  /** Latency of every marker seen, in milliseconds, in arrival order. */
  readonly latenciesMs: number[] = []
  /** When each of those markers was typed (monotonic µs), same order. */
  readonly sentMicros: number[] = []
  readonly seen = new Set<number>()
  duplicates = 0

  /** Takes the markers inserted into Y.XmlTexts by `events` (an `observeDeep` batch), all arrived now. */
  observe(events: Array<Y.YEvent<Y.AbstractType<unknown>>>): void {
    const arrived = nowMicros()
    for (const event of events) {
      if (!(event.target instanceof Y.XmlText)) continue
      for (const op of event.delta) {
        if (typeof op.insert !== 'string') continue
        forEachMarker(op.insert, (id, sentMicros) => {
          if (this.seen.has(id)) {
            this.duplicates++
            return
          }
          this.seen.add(id)
          this.latenciesMs.push((arrived - sentMicros) / 1000)
          this.sentMicros.push(sentMicros)
        })
      }
    }
  }
}
