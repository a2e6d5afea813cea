/**
 * CreationLimit: how many sessions may be created when anyone may create them (issue 15: 634
 * anonymous creations a second filled the event index). Two token buckets: one per address
 * (`burst` at once, then `perMinute`), and one for everyone together (`totalPerMinute`, also its
 * burst). A refusal says which limit and when to retry. Organizers (schedule import, their own
 * creations) never pass through here.
 */
export interface CreationLimitOptions {
  /** Sessions one address may create per minute (sustained); 0: no per-address limit. */
  perMinute: number
  /** ...and at once before that rate applies. */
  burst: number
  /** Sessions all addresses together may create per minute, and at once; 0: no total limit. */
  totalPerMinute: number
  /** @default Date.now */
  now?: () => number
}

/** The outcome of one attempt: allowed, or refused with the limit that refused it. */
export type CreationVerdict = { ok: true } | { ok: false; limit: 'address' | 'total'; retryAfterSeconds: number; message: string }

interface Bucket {
  tokens: number
  at: number
}

/** Most addresses tracked before full buckets are swept. */
const sweepAbove = 10_000

/** The two token buckets of the module comment, in memory (each server instance counts its own). */
export class CreationLimit {
  private readonly byAddress = new Map<string, Bucket>()
  private total: Bucket | null = null
  private readonly now: () => number

  constructor(private readonly options: CreationLimitOptions) {
    this.now = options.now ?? Date.now
  }

  /**
   * Takes one creation for `address`. Nothing is taken when refused, so a refused client does
   * not push its own retry further out.
   */
  take(address: string): CreationVerdict {
    const { perMinute, burst, totalPerMinute } = this.options
    const now = this.now()
    const own = perMinute > 0 ? this.refill(this.byAddress.get(address) ?? { tokens: burst, at: now }, perMinute, burst, now) : null
    if (own && own.tokens < 1) {
      this.byAddress.set(address, own)
      return {
        ok: false,
        limit: 'address',
        retryAfterSeconds: waitSeconds(own, perMinute),
        message: `too many new sessions from your address: at most ${burst} at once, then ${perMinute} a minute`,
      }
    }
    const total = totalPerMinute > 0 ? this.refill(this.total ?? { tokens: totalPerMinute, at: now }, totalPerMinute, totalPerMinute, now) : null
    if (total && total.tokens < 1) {
      this.total = total
      return {
        ok: false,
        limit: 'total',
        retryAfterSeconds: waitSeconds(total, totalPerMinute),
        message: `too many new sessions on this server: at most ${totalPerMinute} a minute from everyone together`,
      }
    }
    if (own) {
      own.tokens -= 1
      if (this.byAddress.size >= sweepAbove) this.sweep(now)
      this.byAddress.set(address, own)
    }
    if (total) {
      total.tokens -= 1
      this.total = total
    }
    return { ok: true }
  }

  /** Addresses currently tracked (for tests). */
  get size(): number {
    return this.byAddress.size
  }

  private refill(bucket: Bucket, perMinute: number, burst: number, now: number): Bucket {
    return { tokens: Math.min(burst, bucket.tokens + ((now - bucket.at) * perMinute) / 60_000), at: now }
  }

  private sweep(now: number): void {
    const { perMinute, burst } = this.options
    for (const [address, bucket] of this.byAddress) {
      if (this.refill(bucket, perMinute, burst, now).tokens >= burst) this.byAddress.delete(address)
    }
  }
}

/** Whole seconds until `bucket` holds one token again (at least 1). */
function waitSeconds(bucket: Bucket, perMinute: number): number {
  return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / perMinute))
}
