/**
 * InboundFlow: how fast one connection's client may send. A client over its message rate, or one
 * that fills half its queue, is slowed before it is ever closed: reading from its socket stops
 * (`SyncSocket.pause`, so TCP backpressure holds the client's sends) until the rate's token
 * bucket has a token again and the queue drained to a quarter. Only a socket that cannot pause,
 * or a queue that overflows even so, is refused (the connection closes it with 1013).
 */
import type { SyncSocket } from './socket.ts'

/** A message rate: `burst` messages at once, refilled at `perSecond`. */
export interface RateLimit {
  perSecond: number
  burst: number
}

/** What `admit` decided for a frame. */
export type Admission = { ok: true } | { ok: false; why: 'rate limited'; retryInMs: number } | { ok: false; why: 'too much queued'; retryInMs: number }

export class InboundFlow {
  private tokens: number
  private tokensAt = Date.now()
  private queuedBytes = 0
  /** Why reading from the socket is paused: over the rate (until the timer), or a full queue. */
  private readonly pausedFor = { rate: null as NodeJS.Timeout | null, queue: false }
  private stopped = false

  constructor(
    private readonly socket: SyncSocket,
    readonly rateLimit: RateLimit,
    /** Bytes of frames that may wait for processing (see ConnectionOptions.maxQueuedBytes). */
    private readonly maxQueuedBytes: number,
  ) {
    this.tokens = rateLimit.burst
  }

  /** True while reading from the socket is paused. */
  get isPaused(): boolean {
    return this.pausedFor.rate !== null || this.pausedFor.queue
  }

  /**
   * Takes a frame of `bytes` into the queue, pausing the socket when the client is over its rate
   * or the queue is half full; refuses it when the socket cannot pause and the client is over its
   * rate, or when the queue would overflow.
   */
  admit(bytes: number): Admission {
    const waitMs = this.takeToken()
    if (waitMs > 0) {
      if (!this.socket.pause) return { ok: false, why: 'rate limited', retryInMs: waitMs }
      this.pauseForRate(waitMs)
    }
    if (this.queuedBytes + bytes > this.maxQueuedBytes) return { ok: false, why: 'too much queued', retryInMs: 1000 }
    this.queuedBytes += bytes
    if (!this.pausedFor.queue && this.queuedBytes > this.maxQueuedBytes / 2 && this.socket.pause) {
      const wasPaused = this.isPaused
      this.pausedFor.queue = true
      this.updatePause(wasPaused)
    }
    return { ok: true }
  }

  /** A frame of `bytes` left the queue (its handling starts); reading resumes once the queue drained. */
  dequeued(bytes: number): void {
    this.queuedBytes -= bytes
    if (this.pausedFor.queue && this.queuedBytes <= this.maxQueuedBytes / 4) {
      this.pausedFor.queue = false
      this.updatePause(true)
    }
  }

  /** The connection closed: no more pausing or resuming. */
  stop(): void {
    this.stopped = true
    if (this.pausedFor.rate) clearTimeout(this.pausedFor.rate)
    this.pausedFor.rate = null
  }

  /**
   * Takes one message from the bucket, which may go into debt. Returns 0 when the client is
   * within its rate, otherwise the ms until the debt is repaid and the bucket holds a token again.
   */
  private takeToken(): number {
    const now = Date.now()
    const { perSecond, burst } = this.rateLimit
    this.tokens = Math.min(burst, this.tokens + ((now - this.tokensAt) * perSecond) / 1000)
    this.tokensAt = now
    this.tokens -= 1
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / perSecond)
  }

  /** Pauses reading until the bucket has repaid `waitMs` of debt. */
  private pauseForRate(waitMs: number): void {
    const wasPaused = this.isPaused
    if (this.pausedFor.rate) clearTimeout(this.pausedFor.rate)
    this.pausedFor.rate = setTimeout(() => {
      this.pausedFor.rate = null
      this.updatePause(true)
    }, waitMs)
    this.pausedFor.rate.unref?.()
    this.updatePause(wasPaused)
  }

  private updatePause(wasPaused: boolean): void {
    const paused = this.isPaused
    if (paused === wasPaused || this.stopped) return
    if (paused) this.socket.pause?.()
    else this.socket.resume?.()
  }
}
