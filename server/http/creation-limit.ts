/**
 * CreationLimit: how many sessions may be created when anyone may create them (issue 15: 634
 * anonymous creations a second filled the event index). Two token buckets: one per address
 * (`burst` at once, then `perMinute`), and one for everyone together (`totalPerMinute`, also its
 * burst). A refusal says which limit and when to retry. Organizers (schedule import, their own
 * creations) never pass through here. The buckets are shared/token-bucket.ts.
 */
import { TokenBucket, TokenBuckets } from '../../shared/token-bucket.ts'

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

/** The two token buckets of the module comment, in memory (each server instance counts its own). */
export class CreationLimit {
  private readonly byAddress: TokenBuckets
  private readonly total: TokenBucket
  private readonly now: () => number

  constructor(private readonly options: CreationLimitOptions) {
    this.now = options.now ?? Date.now
    this.byAddress = new TokenBuckets({ perInterval: options.perMinute, intervalMs: 60_000, burst: options.burst })
    this.total = new TokenBucket({ perInterval: options.totalPerMinute, intervalMs: 60_000, burst: options.totalPerMinute }, this.now())
  }

  /**
   * Takes one creation for `address`. Nothing is taken when refused, so a refused client does
   * not push its own retry further out.
   */
  take(address: string): CreationVerdict {
    const { perMinute, burst, totalPerMinute } = this.options
    const now = this.now()
    const own = perMinute > 0 ? this.byAddress.of(address, now) : null
    if (own && own.level(now) < 1) {
      return {
        ok: false,
        limit: 'address',
        retryAfterSeconds: waitSeconds(own.msUntilToken(now)),
        message: `too many new sessions from your address: at most ${burst} at once, then ${perMinute} a minute`,
      }
    }
    const total = totalPerMinute > 0 ? this.total : null
    if (total && total.level(now) < 1) {
      return {
        ok: false,
        limit: 'total',
        retryAfterSeconds: waitSeconds(total.msUntilToken(now)),
        message: `too many new sessions on this server: at most ${totalPerMinute} a minute from everyone together`,
      }
    }
    own?.take(now)
    total?.take(now)
    return { ok: true }
  }

  /** Addresses currently tracked (for tests). */
  get size(): number {
    return this.byAddress.size
  }
}

/** Whole seconds for a wait of `ms` (at least 1). */
function waitSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}
