/**
 * The one clock every benchmark timestamp uses: the process-wide monotonic clock
 * (`process.hrtime`), which worker threads share with the main thread, so a timestamp taken by
 * a writer in the main thread can be subtracted from one taken by a probe in a worker.
 */

/** Monotonic time in whole microseconds. */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

/** Monotonic time in milliseconds, with microsecond resolution. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Polls `predicate` every `intervalMs` until it returns true (resolves true) or `timeoutMs` has
 * passed (resolves false). Never loops unbounded.
 */
export async function pollUntil(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = nowMs() + timeoutMs
  for (;;) {
    if (await predicate()) return true
    if (nowMs() >= deadline) return false
    await sleep(intervalMs)
  }
}
