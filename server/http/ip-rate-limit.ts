/**
 * IpRateLimit: how many WebSocket connections one address may open, as a token bucket per IP
 * (shared/token-bucket.ts): `burst` at once (a room behind one conference NAT joining together),
 * refilled at `perSecond`. Buckets that have refilled completely carry no information and are
 * dropped, so the map only holds addresses that connected recently.
 */
import { TokenBuckets } from '../../shared/token-bucket.ts'

export interface IpRateLimitOptions {
  /** Sustained connections per second per address; 0 turns the limit off. */
  perSecond: number
  burst: number
  /** @default Date.now */
  now?: () => number
}

export class IpRateLimit {
  private readonly buckets: TokenBuckets
  private readonly now: () => number

  constructor(private readonly options: IpRateLimitOptions) {
    this.now = options.now ?? Date.now
    this.buckets = new TokenBuckets({ perInterval: options.perSecond, intervalMs: 1000, burst: options.burst })
  }

  /** Takes one connection for `address`; false when it is over its rate. */
  take(address: string): boolean {
    if (this.options.perSecond <= 0) return true
    const now = this.now()
    return this.buckets.of(address, now).take(now)
  }

  /** Ms until `address` may open a connection again (0 when it may now). */
  retryInMs(address: string): number {
    const bucket = this.buckets.find(address)
    if (this.options.perSecond <= 0 || !bucket) return 0
    return Math.ceil(bucket.msUntilToken(this.now()))
  }

  /** Addresses currently tracked (for tests). */
  get size(): number {
    return this.buckets.size
  }
}
