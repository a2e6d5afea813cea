/**
 * Presence limits of one connection (issue 15 part 4): how often its awareness states are taken,
 * and how often a query-awareness (every state of the room, in answer to a one-byte message) is
 * answered; and which entries of an awareness update a connection may make (`filterAwareness`:
 * one id per connection, a bounded state). The room's bound on all its states is RoomPresence's.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { PolicyError } from './errors.ts'
import type { Peer } from './peer.ts'
import type { RoomPresence } from './room-presence.ts'

/** Presence limits of one connection. */
export interface ConnectionAwarenessLimits {
  /**
   * Awareness updates taken per second, a token bucket: `burst` at once, refilled at
   * `perSecond`. Over it, the latest update waits for the next token and the ones it replaces are
   * dropped, so the last state always lands. @default { perSecond: 20, burst: 40 }
   */
  rate: { perSecond: number; burst: number }
  /** Least time between two answered query-awareness messages, in ms. @default 10000 */
  queryIntervalMs: number
}

/** Defaults: a cursor moving at typing speed fits; a flood does not. */
export const defaultConnectionAwarenessLimits: ConnectionAwarenessLimits = {
  rate: { perSecond: 20, burst: 40 },
  queryIntervalMs: 10_000,
}

/** The rate and query gate of one connection's presence. */
export class AwarenessGate {
  private readonly limits: ConnectionAwarenessLimits
  private tokens: number
  private tokensAt = Date.now()
  private lastQuery = Number.NEGATIVE_INFINITY
  private deferred: Uint8Array | null = null
  private timer: NodeJS.Timeout | null = null

  /** `apply` is called with a deferred update once a token is back (never after `close`). */
  constructor(
    limits: Partial<ConnectionAwarenessLimits> | undefined,
    private readonly apply: (update: Uint8Array) => void,
  ) {
    this.limits = { ...defaultConnectionAwarenessLimits, ...limits }
    this.tokens = this.limits.rate.burst
  }

  /** True when `update` may be applied now; else it is kept (replacing any kept before) for later. */
  admit(update: Uint8Array): boolean {
    if (this.take()) {
      this.deferred = null
      return true
    }
    this.deferred = update
    if (!this.timer) {
      const waitMs = Math.ceil(1000 / this.limits.rate.perSecond)
      this.timer = setTimeout(() => this.release(), waitMs)
      this.timer.unref()
    }
    return false
  }

  /** True at most once per `queryIntervalMs`. */
  mayAnswerQuery(): boolean {
    const now = Date.now()
    if (now - this.lastQuery < this.limits.queryIntervalMs) return false
    this.lastQuery = now
    return true
  }

  /** Drops a deferred update; idempotent. */
  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.deferred = null
  }

  private release(): void {
    this.timer = null
    const update = this.deferred
    if (!update) return
    if (!this.take()) {
      this.admit(update)
      return
    }
    this.deferred = null
    this.apply(update)
  }

  private take(): boolean {
    const now = Date.now()
    const { perSecond, burst } = this.limits.rate
    this.tokens = Math.min(burst, this.tokens + ((now - this.tokensAt) * perSecond) / 1000)
    this.tokensAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/**
 * Keeps the entries of an awareness update `peer` may make: a connection speaks for
 * one live client id (the first it announces), never for an id another connection owns. Stock
 * y-websocket clients echo every awareness change they receive back to the server, so foreign
 * entries are dropped, not punished. Returns the update to apply (null when nothing is left),
 * or throws PolicyError for a state over the size bound. Throws on bytes that do not decode.
 */
export function filterAwareness(update: Uint8Array, peer: Peer, presence: RoomPresence, maxStateChars: number): Uint8Array | null {
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  const kept: [number, number, string][] = []
  let own = [...peer.awarenessClients][0]
  for (let i = 0; i < count; i++) {
    const client = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const state = decoding.readVarString(decoder)
    if (state.length > maxStateChars) throw new PolicyError('awareness state too large')
    if (presence.ownedByOther(client, peer)) continue
    // One id per connection whatever the state says: a null state for an id this connection
    // never announced would only grow the room's awareness metadata (issue 15 part 4: +850 MB
    // per 100 frames of 80,000 such entries).
    if (own !== undefined && own !== client) continue
    if (own === undefined) {
      if (state === 'null') continue
      own = client
    }
    if (state !== 'null' && !presence.admit(client, state.length)) continue
    kept.push([client, clock, state])
  }
  if (kept.length === 0) return null
  if (kept.length === count) return update
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, kept.length)
  for (const [client, clock, state] of kept) {
    encoding.writeVarUint(encoder, client)
    encoding.writeVarUint(encoder, clock)
    encoding.writeVarString(encoder, state)
  }
  return encoding.toUint8Array(encoder)
}
