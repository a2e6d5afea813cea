/**
 * The client's estimate of the server clock, so every screen counts down to the same instant.
 * Samples `/api/time` a few times and keeps the sample with the shortest round trip (its error is
 * at most half that round trip), NTP-style. Refreshed every few minutes.
 */

let offsetMs = 0

/** `Date.now()` corrected to the server's clock. */
export function serverNow(): number {
  return Date.now() + offsetMs
}

async function sample(): Promise<{ offset: number; rtt: number }> {
  const sent = performance.now()
  const wallSent = Date.now()
  const res = await fetch('/api/time', { cache: 'no-store' })
  const { now } = (await res.json()) as { now: number }
  const rtt = performance.now() - sent
  return { offset: now - (wallSent + rtt / 2), rtt }
}

/** Measures the offset now (5 samples) and every 5 minutes after. Never throws. */
export async function syncServerClock(): Promise<void> {
  const measure = async () => {
    const samples: { offset: number; rtt: number }[] = []
    for (let i = 0; i < 5; i++) {
      try {
        samples.push(await sample())
      } catch {
        // Offline: keep the previous estimate.
      }
    }
    const best = samples.sort((a, b) => a.rtt - b.rtt)[0]
    if (best) offsetMs = best.offset
  }
  await measure()
  setInterval(() => void measure(), 5 * 60_000)
}
