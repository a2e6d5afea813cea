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
