/**
 * Token buckets: `burst` tokens at once, refilled at `perInterval` tokens every `intervalMs`.
 * Pure (the caller passes the time), so the server's limits and their tests share one
 * arithmetic: the per-address WebSocket connection rate, session creation per address and in
 * total (server/http).
 */
export interface BucketRate {
  /** Tokens added every `intervalMs` (sustained rate). */
  perInterval: number
  intervalMs: number
  /** Most tokens held, and held at first. */
  burst: number
}

export class TokenBucket {
  private tokens: number

  constructor(
    private readonly rate: BucketRate,
    private at: number,
  ) {
    this.tokens = rate.burst
  }

  /** The tokens held at `now` (refilled up to `burst`). */
  level(now: number): number {
    const { perInterval, intervalMs, burst } = this.rate
    this.tokens = Math.min(burst, this.tokens + ((now - this.at) * perInterval) / intervalMs)
    this.at = now
    return this.tokens
  }

  /** Takes one token at `now`; false (nothing taken) when the bucket holds less than one. */
  take(now: number): boolean {
    if (this.level(now) < 1) return false
    this.tokens -= 1
    return true
  }

  /** Ms from `now` until the bucket holds one token (0 when it does). */
  msUntilToken(now: number): number {
    const tokens = this.level(now)
    return tokens >= 1 ? 0 : ((1 - tokens) * this.rate.intervalMs) / this.rate.perInterval
  }
}

/** Most keys tracked before the full buckets, which carry no information, are dropped. */
const sweepAbove = 10_000

/** One TokenBucket per key (an address), holding only keys seen recently (see `sweepAbove`). */
export class TokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>()

  constructor(private readonly rate: BucketRate) {}

  /** The bucket of `key`, created full at `now` when unknown. */
  of(key: string, now: number): TokenBucket {
    let bucket = this.buckets.get(key)
    if (!bucket) {
      if (this.buckets.size >= sweepAbove) this.sweep(now)
      bucket = new TokenBucket(this.rate, now)
      this.buckets.set(key, bucket)
    }
    return bucket
  }

  /** The bucket of `key` if it is tracked. */
  find(key: string): TokenBucket | undefined {
    return this.buckets.get(key)
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.buckets.size
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.level(now) >= this.rate.burst) this.buckets.delete(key)
  }
}
