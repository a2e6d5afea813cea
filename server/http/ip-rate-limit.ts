/**
 * IpRateLimit: how many WebSocket connections one address may open, as a token bucket per IP:
 * `burst` at once (a room behind one conference NAT joining together), refilled at `perSecond`.
 * Buckets that have refilled completely carry no information and are dropped, so the map only
 * holds addresses that connected recently.
 */
export interface IpRateLimitOptions {
  /** Sustained connections per second per address; 0 turns the limit off. */
  perSecond: number
  burst: number
  /** @default Date.now */
  now?: () => number
}

interface Bucket {
  tokens: number
  at: number
}

/** Most addresses tracked before full buckets are swept. */
const sweepAbove = 10_000

export class IpRateLimit {
  private readonly buckets = new Map<string, Bucket>()
  private readonly now: () => number

  constructor(private readonly options: IpRateLimitOptions) {
    this.now = options.now ?? Date.now
  }

  /** Takes one connection for `address`; false when it is over its rate. */
  take(address: string): boolean {
    const { perSecond, burst } = this.options
    if (perSecond <= 0) return true
    const now = this.now()
    const bucket = this.buckets.get(address) ?? { tokens: burst, at: now }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * perSecond) / 1000)
    bucket.at = now
    if (this.buckets.size >= sweepAbove) this.sweep(now)
    this.buckets.set(address, bucket)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Ms until `address` may open a connection again (0 when it may now). */
  retryInMs(address: string): number {
    const { perSecond, burst } = this.options
    const bucket = this.buckets.get(address)
    if (perSecond <= 0 || !bucket) return 0
    const tokens = Math.min(burst, bucket.tokens + ((this.now() - bucket.at) * perSecond) / 1000)
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / perSecond)
  }

  /** Addresses currently tracked (for tests). */
  get size(): number {
    return this.buckets.size
  }

  private sweep(now: number): void {
    const { perSecond, burst } = this.options
    for (const [address, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) * perSecond) / 1000 >= burst) this.buckets.delete(address)
    }
  }
}
