/**
 * Connection: one client socket in one Room. It decodes every frame, handles it in arrival order
 * (a serial queue, so a client's updates are stored in the order it sent them), and owns the
 * awareness client ids its client announced so they can be removed when it leaves.
 *
 * Frames that arrive while the room is still loading wait in the same queue, bounded by
 * `maxQueuedBytes`. A frame that does not decode closes this connection only (4400).
 *
 * A client that sends faster than its rate, or fills half its queue, is slowed before it is ever
 * closed: the connection stops reading from its socket (`SyncSocket.pause`, so TCP backpressure
 * holds the client's sends) until the rate's bucket has a token again and the queue drained.
 * Only a socket that cannot pause, or a queue that overflows even so, is closed, with 1013.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as authProtocol from 'y-protocols/auth'
import * as syncProtocol from 'y-protocols/sync'
import { CloseCode, closeLabel, closeReason, retryReason } from '../../shared/close-codes.ts'
import type { Logger } from '../../shared/logger.ts'
import { isEmptyUpdate, messageAuth, messageAwareness, messageQueryAwareness, messageSync, writeAck } from '../../shared/protocol.ts'
import { AwarenessGate, type ConnectionAwarenessLimits } from './awareness-limits.ts'
import { MalformedUpdateError, PadFailedError, StoreUnavailableError, UpdateRefusedError } from './errors.ts'
import type { Peer } from './peer.ts'
import type { Room } from './room.ts'
import type { SyncSocket } from './socket.ts'
import { noMetrics, type SyncMetrics } from './sync-metrics.ts'

export interface ConnectionOptions {
  /** Send `messageAck` frames after each stored update (the client asked with `ack=1`). */
  wantsAck: boolean
  /**
   * Asked for every update the client sends: false drops the update unapplied and tells the
   * client once (y-protocols' permission-denied message). Read at each frame, so a lock or an end
   * takes effect at once. @default () => true
   */
  canWrite: () => boolean
  /**
   * When set, a write this connection may not make that carries content (not the empty sync
   * step 2 every stock client sends after connecting) closes it with this code and reason instead
   * of being dropped with a permission-denied message: for connections that may never write
   * (e.g. an editor of another schema version), whose writes would otherwise pile up unseen.
   */
  writeRefusal?: { code: CloseCode; reason: string }
  /**
   * Bytes of frames that may wait for processing. Past half of it the socket is paused until the
   * queue drains; past all of it (frames the socket had read before it paused) the connection is
   * closed (1013, "too much queued").
   */
  maxQueuedBytes: number
  /**
   * Message rate limit, a token bucket: `burst` messages at once, refilled at `perSecond`.
   * Going over pauses the socket until the bucket has a token again (a socket that cannot pause
   * is closed with 1013, "rate limited; retry in N s"). @default { perSecond: 200, burst: 500 }
   */
  rateLimit?: { perSecond: number; burst: number }
  /** Send backlog (socket.bufferedAmount) past which the client counts as gone (1013, "slow consumer"). @default 4 MiB */
  maxSendBacklogBytes?: number
  /** Longest awareness state accepted, in characters of its JSON. @default 8192 */
  maxAwarenessStateChars?: number
  /** Presence limits of one connection (rate, query-awareness interval); see awareness-limits.ts. */
  awareness?: Partial<ConnectionAwarenessLimits>
  /**
   * Whether this connection's presence names count as participants of the session: only
   * connections that may edit, never after the session ended (issue 15 part 4). Read at each
   * awareness update. @default () => true
   */
  mayParticipate?: () => boolean
  /** @default noMetrics */
  metrics?: SyncMetrics
  logger: Logger
}

/** A frame that does not follow the protocol; closes the connection with 4400. */
class ProtocolError extends Error {}

/** A frame that breaks a limit of what a connection may do; closes it with 4403 and the message. */
class PolicyError extends Error {}

export class Connection implements Peer {
  /** Awareness client ids this connection's client has announced. */
  readonly awarenessClients = new Set<number>()
  private room: Room | null = null
  private queue: Promise<void> = Promise.resolve()
  private queuedBytes = 0
  private closed = false
  private toldReadOnly = false
  private tokens: number
  private tokensAt = Date.now()
  /** Why reading from the socket is paused: over the rate (until the timer), or a full queue. */
  private readonly pausedFor = { rate: null as NodeJS.Timeout | null, queue: false }
  /** Presence rate and query-awareness interval of this connection. */
  private readonly awarenessGate: AwarenessGate

  constructor(
    private readonly socket: SyncSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.tokens = this.rateLimit.burst
    this.awarenessGate = new AwarenessGate(options.awareness, (update) => this.enqueue(0, () => this.applyAwareness(update)))
  }

  /** True when this connection's presence may add names to the session's participants. */
  get mayParticipate(): boolean {
    return this.options.mayParticipate?.() ?? true
  }

  /** The metrics sink (for the room, which stores this connection's updates). */
  get metrics(): SyncMetrics {
    return this.options.metrics ?? noMetrics
  }

  private get rateLimit(): { perSecond: number; burst: number } {
    return this.options.rateLimit ?? { perSecond: 200, burst: 500 }
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

  /** True while reading from the socket is paused (for tests and metrics). */
  get isPaused(): boolean {
    return this.pausedFor.rate !== null || this.pausedFor.queue
  }

  private updatePause(wasPaused: boolean): void {
    const paused = this.isPaused
    if (paused === wasPaused || this.closed) return
    if (paused) this.socket.pause?.()
    else this.socket.resume?.()
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

  private get maxSendBacklogBytes(): number {
    return this.options.maxSendBacklogBytes ?? 4 * 1024 * 1024
  }

  /** True once the connection was closed by either side. */
  get isClosed(): boolean {
    return this.closed
  }

  /**
   * Hands the connection the room it joins. Queued frames are processed once it resolves; if it
   * rejects (the store failed to load the doc), the connection is closed with 1011 so the client
   * is never served an empty doc in place of the real one.
   */
  attach(room: Promise<Room>): void {
    // If this connection closes before the queue reaches the task below, nobody would await a
    // failed load: mark the rejection handled here (the task still logs it when it runs).
    room.catch(() => {})
    this.enqueue(0, async () => {
      try {
        this.room = await room
      } catch (error) {
        this.options.logger.error({ err: error }, 'room failed to load')
        this.close(CloseCode.internalError)
      }
    })
  }

  /** Called by the transport for every binary frame. Never throws. */
  receive(frame: Uint8Array): void {
    if (this.closed) return
    this.metrics.frameIn(frame.byteLength)
    const waitMs = this.takeToken()
    if (waitMs > 0) {
      if (!this.socket.pause) {
        this.options.logger.warn({ limit: this.rateLimit }, 'closing connection over its message rate')
        this.close(CloseCode.rateLimited, retryReason('rate limited', waitMs))
        return
      }
      this.pauseForRate(waitMs)
    }
    if (this.queuedBytes + frame.byteLength > this.options.maxQueuedBytes) {
      this.close(CloseCode.rateLimited, retryReason('too much queued', 1000))
      return
    }
    this.queuedBytes += frame.byteLength
    if (!this.pausedFor.queue && this.queuedBytes > this.options.maxQueuedBytes / 2 && this.socket.pause) {
      const wasPaused = this.isPaused
      this.pausedFor.queue = true
      this.updatePause(wasPaused)
    }
    this.enqueue(frame.byteLength, () => this.handle(frame))
  }

  /** Sends one frame unless the connection is closed. */
  send(frame: Uint8Array): void {
    if (this.closed) return
    // A client that stopped reading would make the server hold every frame for it forever. The
    // backlog is checked before sending, so one large frame (the whole pad for a new client) is
    // not mistaken for a stall: a client is slow when it has not drained what it was sent before.
    if (this.socket.bufferedAmount > this.maxSendBacklogBytes) {
      this.options.logger.warn({ bufferedAmount: this.socket.bufferedAmount }, 'closing slow consumer')
      this.close(CloseCode.slowConsumer, retryReason('slow consumer', 1000))
      // It would read the close frame only after the backlog it is not reading: drop it now.
      this.socket.terminate?.()
      return
    }
    this.socket.send(frame)
    this.metrics.frameOut(frame.byteLength)
  }

  /** Sends an acknowledgement carrying the server's state vector (computed only then), if the client asked for them. */
  acknowledge(stateVector: () => Uint8Array): void {
    if (this.options.wantsAck) this.send(writeAck(stateVector()))
  }

  /** Closes the socket with `code` and leaves the room. Idempotent. */
  close(code: CloseCode, reason: string = closeReason[code]): void {
    if (this.closed) return
    if (code !== CloseCode.goingAway) this.metrics.rejected(closeLabel(reason))
    this.socket.close(code, reason)
    this.handleSocketClosed()
  }

  /** Called by the transport when the socket closed; leaves the room. Idempotent. */
  handleSocketClosed(): void {
    this.closed = true
    if (this.pausedFor.rate) clearTimeout(this.pausedFor.rate)
    this.pausedFor.rate = null
    this.awarenessGate.close()
    this.room?.removeConnection(this)
  }

  /** Resolves when every frame received so far has been handled, its updates stored and applied. */
  async whenIdle(): Promise<void> {
    await this.queue
    await this.room?.whenSettled()
  }

  private enqueue(bytes: number, task: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      this.queuedBytes -= bytes
      if (this.pausedFor.queue && this.queuedBytes <= this.options.maxQueuedBytes / 4) {
        this.pausedFor.queue = false
        this.updatePause(true)
      }
      if (this.closed) return
      try {
        await task()
      } catch (error) {
        this.fail(error)
      }
    })
  }

  private fail(error: unknown): void {
    if (error instanceof UpdateRefusedError) {
      this.options.logger.warn({ reason: error.message }, 'closing connection on an update over a limit')
      this.close(error.closeCode, error.message.slice(0, 120))
      return
    }
    if (error instanceof PadFailedError) {
      this.options.logger.warn({ reason: error.why }, 'closing connection: its pad stopped taking writes')
      this.close(PadFailedError.closeCode, PadFailedError.reason)
      return
    }
    if (error instanceof StoreUnavailableError) {
      this.options.logger.error({ err: error }, 'closing connection: its update could not be stored')
      this.close(CloseCode.tryAgainLater)
      return
    }
    if (error instanceof PolicyError) {
      this.options.logger.warn({ reason: error.message }, 'closing connection on a policy violation')
      this.close(CloseCode.forbidden, error.message)
      return
    }
    if (error instanceof ProtocolError || error instanceof MalformedUpdateError) {
      this.options.logger.warn({ err: error }, 'closing connection on malformed message')
      this.close(CloseCode.malformedMessage)
    } else {
      this.options.logger.error({ err: error }, 'closing connection on server error')
      this.close(CloseCode.internalError)
    }
  }

  /**
   * Keeps the entries of an awareness update this connection may make: a connection speaks for
   * one live client id (the first it announces), never for an id another connection owns. Stock
   * y-websocket clients echo every awareness change they receive back to the server, so foreign
   * entries are dropped, not punished. Returns the update to apply (null when nothing is left),
   * or throws PolicyError for a state over the size bound. Throws on bytes that do not decode.
   */
  private filterAwareness(update: Uint8Array, room: Room): Uint8Array | null {
    const decoder = decoding.createDecoder(update)
    const count = decoding.readVarUint(decoder)
    const kept: [number, number, string][] = []
    let own = [...this.awarenessClients][0]
    for (let i = 0; i < count; i++) {
      const client = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      const state = decoding.readVarString(decoder)
      if (state.length > (this.options.maxAwarenessStateChars ?? 8192)) throw new PolicyError('awareness state too large')
      if (room.presence.ownedByOther(client, this)) continue
      // One id per connection whatever the state says: a null state for an id this connection
      // never announced would only grow the room's awareness metadata (issue 15 part 4: +850 MB
      // per 100 frames of 80,000 such entries).
      if (own !== undefined && own !== client) continue
      if (own === undefined) {
        if (state === 'null') continue
        own = client
      }
      if (state !== 'null' && !room.presence.admit(client, state.length)) continue
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

  /** Filters and applies one awareness update of this connection's client. */
  private async applyAwareness(update: Uint8Array): Promise<void> {
    const room = this.room
    if (!room || this.closed) return
    const allowed = decodeClientInput(() => this.filterAwareness(update, room))
    if (allowed) decodeClientInput(() => room.presence.apply(allowed, { kind: 'connection', connection: this }))
  }

  // A read-only client's updates are dropped. Its sync step 2 after connecting is dropped too,
  // which is what keeps a viewer's stale or forged offline state out of the doc. One that
  // brings anything new is also remembered as refused and closes the connection (see `handle`).
  private refuseWrite(): void {
    this.metrics.rejected('read-only')
    if (this.toldReadOnly) return
    this.toldReadOnly = true
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageAuth)
    authProtocol.writePermissionDenied(encoder, 'read-only')
    this.send(encoding.toUint8Array(encoder))
  }

  private async handle(frame: Uint8Array): Promise<void> {
    const room = this.room
    if (!room) return
    const decoder = decoding.createDecoder(frame)
    const tag = decodeClientInput(() => decoding.readVarUint(decoder))
    switch (tag) {
      case messageSync: {
        const [syncType, payload] = decodeClientInput(() => [decoding.readVarUint(decoder), decoding.readVarUint8Array(decoder)] as const)
        if (syncType === syncProtocol.messageYjsSyncStep1) {
          // Half the send backlog: an answer that large goes after the server's step 1, so it
          // cannot make this client look slow (see SyncHandshake).
          decodeClientInput(() => room.handshake.answerStep1(this, payload, this.maxSendBacklogBytes / 2))
        } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
          if (this.options.canWrite()) {
            this.toldReadOnly = false
            await room.receiveUpdate(payload, this)
          } else if (this.options.writeRefusal && !isEmptyUpdate(payload)) {
            this.close(this.options.writeRefusal.code, this.options.writeRefusal.reason)
          } else if (await room.refuseUpdate(payload, this)) {
            // Its copy now holds a write the pad will never take (see refused-writes.ts): left
            // connected, its later edits would build on it and be refused unseen. Close it.
            this.refuseWrite()
            this.options.logger.info({}, 'closing connection: its write was refused, its copy diverged')
            this.close(CloseCode.diverged)
          } else {
            this.refuseWrite()
          }
        } else {
          throw new ProtocolError(`unknown sync message type ${syncType}`)
        }
        break
      }
      case messageAwareness: {
        const update = decodeClientInput(() => decoding.readVarUint8Array(decoder))
        // Over its rate, the latest state waits for the next token (earlier ones are dropped).
        if (this.awarenessGate.admit(update)) await this.applyAwareness(update)
        break
      }
      case messageQueryAwareness:
        // Every state of the room in answer to a few bytes: at most once per interval.
        if (this.awarenessGate.mayAnswerQuery()) this.send(room.presence.encodeAll())
        break
      default:
        throw new ProtocolError(`unknown message type ${tag}`)
    }
  }
}

/** Runs `fn`; any error it throws is a malformed payload from the client. */
function decodeClientInput<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof PolicyError || error instanceof UpdateRefusedError) throw error
    throw new ProtocolError(error instanceof Error ? error.message : String(error))
  }
}

