/**
 * TimeWindow: the one place a room batches by time. While the room is busy, what its clients
 * send within one window is stored together when the window closes (one commit) and what other
 * instances and the server change goes out in one frame; after a quiet spell the window is open
 * and the first change goes at once. The intake (update-pipeline.ts) and the fan-out
 * (room-broadcast.ts) both wait on the room's one TimeWindow, so they close together. A room is
 * busy when sending each update as it comes would pass its sends budget (update-intake.ts
 * `windowWidth`): below it the width is 0 and nothing waits (issue 21).
 */
export class TimeWindow {
  private timer: NodeJS.Timeout | null = null
  private immediate: NodeJS.Immediate | null = null
  private lastClosed = 0
  private waiting: (() => void)[] = []

  /** @param width The window's width now, in ms (read each time a window starts; 0: one turn). */
  constructor(private readonly width: () => number) {}

  /**
   * Calls `flush` (once, however often it is asked) when the current window closes. When no
   * window is running and the last one closed more than a width ago, `whenOpen` says when:
   * `now` (before this returns) or `next-turn` (merging what arrives in this turn of the loop).
   */
  schedule(flush: () => void, whenOpen: 'now' | 'next-turn'): void {
    if (!this.waiting.includes(flush)) this.waiting.push(flush)
    if (this.isWaiting) return
    const wait = this.lastClosed + this.width() - Date.now()
    if (wait > 0) this.timer = setTimeout(() => this.close(), wait)
    else if (whenOpen === 'now') this.close()
    else this.immediate = setImmediate(() => this.close())
  }

  /** True while a window runs and something waits for it to close. */
  get isWaiting(): boolean {
    return this.timer !== null || this.immediate !== null
  }

  /** Closes the window now: every flush waiting for it runs, in the order first asked. */
  close(): void {
    if (this.timer) clearTimeout(this.timer)
    if (this.immediate) clearImmediate(this.immediate)
    this.timer = null
    this.immediate = null
    this.lastClosed = Date.now()
    const waiting = this.waiting
    this.waiting = []
    for (const flush of waiting) flush()
  }
}

/**
 * A rate of events per second, decaying with the time constant `tauMs` (an exponentially
 * weighted count): it follows a change of pace within a few `tauMs`, and after a quiet spell it
 * is near 0 again. Timed by `Date.now()`, as the windows are.
 */
export class RateMeter {
  private value = 0
  private at = 0

  constructor(private readonly tauMs = 100) {}

  /** Counts one event now. */
  note(now = Date.now()): void {
    this.value = this.read(now) + 1000 / this.tauMs
    this.at = now
  }

  /** Events per second now. */
  read(now = Date.now()): number {
    return this.value === 0 ? 0 : this.value * Math.exp(-Math.max(0, now - this.at) / this.tauMs)
  }
}
