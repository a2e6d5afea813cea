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
import * as syncProtocol from 'y-protocols/sync'
import { CloseCode, closeLabel, closeReason, retryReason } from '../../shared/close-codes.ts'
import { errorTable } from '../../shared/errors.ts'
import type { Logger } from '../../shared/logger.ts'
import { isEmptyUpdate, messageAwareness, messageQueryAwareness, messageSync, writeAck, writePermissionDeniedFrame } from '../../shared/protocol.ts'
import { InboundFlow } from './inbound-flow.ts'
import { AwarenessGate, filterAwareness, type ConnectionAwarenessLimits } from './awareness-limits.ts'
import { decodeClientInput, ProtocolError, SyncError } from './errors.ts'
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

export class Connection implements Peer {
  /** Awareness client ids this connection's client has announced. */
  readonly awarenessClients = new Set<number>()
  private room: Room | null = null
  private queue: Promise<void> = Promise.resolve()
  private closed = false
  private toldReadOnly = false
  /** The client's rate and queue: pauses reading from the socket when it sends too fast. */
  private readonly flow: InboundFlow
  /** Presence rate and query-awareness interval of this connection. */
  private readonly awarenessGate: AwarenessGate

  constructor(
    private readonly socket: SyncSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.flow = new InboundFlow(socket, options.rateLimit ?? { perSecond: 200, burst: 500 }, options.maxQueuedBytes)
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

  /** True while reading from the socket is paused (for tests and metrics). */
  get isPaused(): boolean {
    return this.flow.isPaused
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
    const admission = this.flow.admit(frame.byteLength)
    if (!admission.ok) {
      if (admission.why === 'rate limited') this.options.logger.warn({ limit: this.flow.rateLimit }, 'closing connection over its message rate')
      this.close(CloseCode.rateLimited, retryReason(admission.why, admission.retryInMs))
      return
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
    this.flow.stop()
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
      this.flow.dequeued(bytes)
      if (this.closed) return
      try {
        await task()
      } catch (error) {
        this.fail(error)
      }
    })
  }

  /** Closes this connection for `error`, with its code's close code and reason (shared/errors.ts `errorTable`). */
  private fail(error: unknown): void {
    const known = error instanceof SyncError ? error : null
    const row = known?.row ?? errorTable.internal
    const level = row.http >= 500 ? 'error' : 'warn'
    this.options.logger[level]({ err: error, code: known?.code ?? 'internal' }, 'closing connection on a refused or failed message')
    this.close(row.close, (known?.reason ?? row.reason).slice(0, 120))
  }

  /** Filters and applies one awareness update of this connection's client. */
  private async applyAwareness(update: Uint8Array): Promise<void> {
    const room = this.room
    if (!room || this.closed) return
    const allowed = decodeClientInput(() => filterAwareness(update, this, room.presence, this.options.maxAwarenessStateChars ?? 8192))
    if (allowed) decodeClientInput(() => room.presence.apply(allowed, { kind: 'connection', connection: this }))
  }

  // A read-only client's updates are dropped. Its sync step 2 after connecting is dropped too,
  // which is what keeps a viewer's stale or forged offline state out of the doc. One that
  // brings anything new is also remembered as refused and closes the connection (see `handle`).
  private refuseWrite(): void {
    this.metrics.rejected('read-only')
    if (this.toldReadOnly) return
    this.toldReadOnly = true
    this.send(writePermissionDeniedFrame('read-only'))
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
