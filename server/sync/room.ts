/**
 * Room: one live doc on this instance, with its Awareness and the peers (connections) in it. The
 * Room wires a few parts together, each the owner of one concern:
 * - RoomDoc (room-doc.ts): the Y.Doc and its stored bytes (a cold pad is served its bytes);
 * - UpdateIntake (update-intake.ts): the checks (update-gate.ts), the order of accepted updates
 *   (update-pipeline.ts) and the room's one time window (time-window.ts);
 * - RoomWriter (room-writer.ts): every write to the doc, store first;
 * - UpdateBroadcast, RoomPresence, RoomBus: the fan-out of updates and presence to the peers
 *   (the same bytes to everyone, never an echo) and to other instances;
 * - SyncHandshake (sync-handshake.ts): the server's side of the sync handshake.
 *
 * The path of one update from a socket to the store and to the other sockets, as calls:
 *   Connection.receive → Connection.handle → Room.receiveUpdate → UpdateIntake.receive (the
 *   UpdateGate checks) → UpdatePipeline.accept → [the window closes] RoomWriter.append
 *   (DocStore.append) → [durable] UpdatePipeline.drain → RoomWriter.applyStored → RoomDoc.apply
 *   (Y.applyUpdate, origin `connection`) → Room.docChanged (routeChange) → UpdateBroadcast.queueStored →
 *   [next turn] UpdateBroadcast.flush → Peer.send to every other peer and RoomBus.publish to
 *   other instances; and Peer.acknowledge to the sender.
 *
 * Ordering and durability rule: a client's update is applied to the doc only once the store
 * made it durable, in the order accepted, so the doc only ever holds stored content and no client
 * is shown an edit a crash could still lose. Updates from other instances (`bus`) are applied
 * and sent to this instance's peers, never stored again.
 */
import type * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { isEmptyUpdate } from '../../shared/protocol.ts'
import type { DocMessage } from '../bus/bus.ts'
import type { DocStore, RefusedRange } from '../storage/doc-store.ts'
import { DocLog } from './doc-log.ts'
import { PadFailedError } from './errors.ts'
import type { UpdateOrigin } from './origin.ts'
import { routeChange } from './change-routes.ts'
import type { Peer } from './peer.ts'
import { loadHealthy } from './quarantine.ts'
import { RefusedWrites } from './refused-writes.ts'
import { UpdateBroadcast } from './room-broadcast.ts'
import { RoomBus } from './room-bus.ts'
import { RoomDoc } from './room-doc.ts'
import { defaultRoomLimits, type RoomOptions } from './room-options.ts'
import { RoomPresence } from './room-presence.ts'
import { RoomWriter } from './room-writer.ts'
import { SyncHandshake } from './sync-handshake.ts'
import { UpdateIntake } from './update-intake.ts'

export { defaultRoomLimits, type RoomLimits, type RoomOptions } from './room-options.ts'
export { sliceStructs } from './update-gate.ts'

export class Room {
  private readonly peers = new Set<Peer>()
  private readonly doc: RoomDoc
  private readonly intake: UpdateIntake
  private readonly writer: RoomWriter
  private readonly broadcast: UpdateBroadcast
  /** The room's presence: the peers' awareness states (read by Connection for its filter). */
  readonly presence: RoomPresence
  /** The server's side of the sync handshake (Connection answers a client's step 1 through it). */
  readonly handshake: SyncHandshake
  /** The doc's stored log: its size, and its compaction. */
  private readonly log: DocLog
  /** The writes this pad refused (see refused-writes.ts), loaded with the doc. */
  private readonly refused: RefusedWrites
  private closing: Promise<void> | null = null

  /**
   * Loads `docName` from `store` into a new Room. With a bus, the room subscribes to the doc's
   * channel first and loads second (see RoomBus). Stored rows that keep the doc from loading are
   * quarantined and the rest is loaded (quarantine.ts). Throws when the store fails.
   */
  static async load(docName: string, store: DocStore, options: RoomOptions): Promise<Room> {
    const bus = await RoomBus.subscribe(docName, options.bus, options.logger)
    let loaded
    let stateVector: Map<number, number> | null
    let checks: number
    let refused: RefusedRange[]
    let quarantined = 0
    try {
      ;[{ loaded, checks, stateVector, quarantined }, refused] = await Promise.all([loadHealthy(store, docName, options.logger), store.loadRefused(docName)])
    } catch (error) {
      void bus.close()
      throw error
    }
    const room = new Room(docName, store, options, bus, { rows: loaded?.refs.length ?? 0, bytes: loaded?.update.length ?? 0, checks })
    room.refused.add(refused)
    if (quarantined > 0) options.onQuarantine?.(docName, quarantined)
    // The stored bytes are the doc's whole state: a fresh client is served them at once, and the
    // doc itself (applying a long history takes tens of ms) is built when first needed.
    if (loaded) room.doc.loaded(loaded.update, stateVector)
    // Not read by the load (nothing was walked, or rows were quarantined): read in slices while
    // the room is served; the server's step 1 waits for it (sync-handshake.ts).
    room.doc.readStateVectorLater(() => room.stateVectorRead())
    bus.attach(room.receiveFromBus)
    room.maybeCompact()
    return room
  }

  private constructor(
    readonly docName: string,
    private readonly store: DocStore,
    private readonly options: RoomOptions,
    private readonly bus: RoomBus,
    /** The loaded log: its rows, its bytes, the load's checks it passes (see DocLog). */
    stored: { rows: number; bytes: number; checks: number },
  ) {
    const limits = options.limits ?? defaultRoomLimits
    this.doc = new RoomDoc((ydoc) => options.onDocCreated?.(docName, ydoc), this.docChanged)
    this.log = new DocLog(store, docName, options.logger, options.compactAfterRows, this.liveDoc, stored.rows, stored.bytes, stored.checks)
    this.writer = new RoomWriter(docName, store, this.doc, this.log, options.logger, limits.maxPendingBytes, {
      stored: () => this.storedChanges(),
      failed: (reason) => options.onFailed?.(docName, reason),
    })
    this.refused = new RefusedWrites({ store, docName, logger: options.logger, shared: options.bus?.shared ?? false, track: (write) => this.writer.track(write) })
    const rules = { limits, docShape: options.docShape ?? 'free', appendOnly: options.appendOnly ?? false }
    const window = { windowMs: options.broadcastWindowMs ?? 0, sendsPerSecond: options.broadcastSendsPerSecond ?? 0 }
    this.intake = new UpdateIntake({ ...rules, ...window }, this.doc, this.log, this.refused, this.peers, this.writer, () => this.isClosed)
    this.broadcast = new UpdateBroadcast(
      this.peers,
      this.intake.window,
      (update) => bus.publish({ kind: 'update', payload: update }),
      () => this.presence.flush(),
    )
    this.presence = new RoomPresence(() => this.doc.doc, this.peers, {
      flushMs: options.awarenessFlushMs ?? 0,
      maxChars: options.maxAwarenessChars ?? 2 * 1024 * 1024,
      publish: (payload) => bus.publish({ kind: 'awareness', payload }),
      onPeople: options.onPresence && ((people) => options.onPresence!(docName, people)),
    })
    this.handshake = new SyncHandshake(this.doc, this.peers, limits.maxStateVectorClients)
  }

  /** The live doc as the log's compaction reads it (see DocLog). */
  private readonly liveDoc = {
    holdsEveryRow: () => !this.options.bus?.shared && this.doc.isBuilt,
    settledWhole: async () => {
      await this.intake.pipeline.settled()
      await this.writer.serverChangesDone()
      return this.doc.isReleased ? null : this.doc.encodeWhole()
    },
  }

  /** The doc's state vector was read after the load: the peers waiting for the server's step 1 get it. */
  private stateVectorRead(): void {
    try {
      this.handshake.sendAwaitedStep1()
    } catch (error) {
      // Stored bytes marked checked that do not decode after all (a bug, or a file changed by
      // hand): the waiting peers get no step 1 (they were sent the stored bytes), and the log
      // says why. Reloading the room walks the bytes again only if a row is unchecked.
      this.options.logger.error({ err: error, docName: this.docName }, 'reading the state vector of the stored doc failed')
    }
  }

  /** The room's doc with everything stored applied (building it if it was not yet). */
  get ydoc(): Y.Doc {
    return this.doc.built
  }

  /** The room's Awareness (presence and cursors of its clients). */
  get awareness(): awarenessProtocol.Awareness {
    return this.presence.awareness
  }

  /** True once the stored state has been applied to the doc (something needed more than its bytes). */
  get isBuilt(): boolean {
    return this.doc.isBuilt
  }

  /** Number of peers currently in the room. */
  get size(): number {
    return this.peers.size
  }

  /** True once `close` has been called; a closed room takes no connections. */
  get isClosed(): boolean {
    return this.closing !== null
  }

  /** Why the pad stopped taking writes (a stored update failed to apply), or null. */
  get failure(): string | null {
    return this.writer.failure
  }

  /** Awareness metadata entries the room holds (states and recently removed ids). @internal */
  get awarenessMetaSize(): number {
    return this.presence.metaSize
  }

  /** Adds a peer (it receives broadcasts from now on), sends it every awareness state; the server's step 1 follows (SyncHandshake). */
  addConnection(peer: Peer): void {
    this.peers.add(peer)
    this.handshake.joined(peer)
    this.presence.welcome(peer)
  }

  /** Removes a peer and the awareness states it owned (others see its cursor vanish). */
  removeConnection(peer: Peer): void {
    this.handshake.left(peer)
    this.intake.left(peer)
    if (this.peers.delete(peer)) this.presence.remove(peer)
  }

  /** The answer to a sync step 1 (see SyncHandshake.syncStep2For). */
  syncStep2For(stateVector: Uint8Array): Uint8Array {
    return this.handshake.syncStep2For(stateVector)
  }

  /**
   * Takes `update` from `peer` (UpdateIntake.receive): returns once it is accepted; it is applied,
   * broadcast and acknowledged once stored. Throws PadFailedError when the pad stopped taking
   * writes, and as UpdateIntake.receive.
   */
  async receiveUpdate(update: Uint8Array, peer: Peer): Promise<void> {
    const failure = this.writer.failure
    if (failure && !isEmptyUpdate(update)) throw new PadFailedError(failure)
    await this.intake.receive(update, peer)
  }

  /** Takes `update` from a peer that may not write; true when its copy diverged (UpdateIntake.refuse). */
  refuseUpdate(update: Uint8Array, peer: Peer): Promise<boolean> {
    return this.intake.refuse(update, peer)
  }

  /** A change on behalf of the server (a moderator action through the API): see RoomWriter.applyServerChange. */
  applyServerChange(change: (ydoc: Y.Doc) => void): Promise<void> {
    return this.writer.applyServerChange(change)
  }

  /** Resolves once every update accepted so far is stored and applied (for consistent reads). */
  async whenSettled(): Promise<void> {
    await this.intake.pipeline.settled()
    await this.writer.settled()
  }

  /**
   * Catches up after the bus was down: whatever other instances stored meanwhile is loaded from
   * the store and sent to this instance's connections; this instance's awareness is re-announced.
   */
  async resync(): Promise<void> {
    if (this.closing) return
    const doc = this.doc.built
    const loaded = await this.store.load(this.docName)
    if (loaded && !this.closing) Y.applyUpdate(doc, loaded.update, { kind: 'bus' } satisfies UpdateOrigin)
    this.presence.reannounce()
  }

  /**
   * Waits for in-flight appends and broadcasts, compacts the stored log when it has more than one
   * row, and releases the doc. Connections still present are not closed here (see RoomRegistry).
   * Idempotent.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.presence.stop()
      this.closing = this.doClose()
    }
    return this.closing
  }

  private async doClose(): Promise<void> {
    this.intake.pipeline.appendImmediately()
    await this.whenSettled()
    this.broadcast.flush()
    this.presence.flush()
    await this.log.compactRest()
    await this.bus.close()
    this.doc.release()
    this.presence.destroy()
  }

  /** After stored changes reached the doc: maybe compact, and tell who keeps revisions. */
  private storedChanges(): void {
    this.maybeCompact()
    this.options.onStored?.(this.docName)
  }

  /** Compacts the stored log when it has grown enough (see DocLog), unless the room is closing. */
  private maybeCompact(): void {
    this.log.maybeCompact(() => this.closing !== null)
  }

  /** Every change of the doc, routed by its origin to the fan-out (and the store): change-routes.ts. */
  private readonly docChanged = (update: Uint8Array, origin: unknown): void => routeChange(update, origin, this.broadcast, this.writer)

  private readonly receiveFromBus = (message: DocMessage): void => {
    if (this.closing) return
    try {
      if (message.kind === 'update') {
        Y.applyUpdate(this.doc.built, message.payload, { kind: 'bus' } satisfies UpdateOrigin)
        this.log.received(message.payload.length)
      } else {
        this.presence.apply(message.payload, { kind: 'bus' })
      }
    } catch (error) {
      this.options.logger.error({ err: error, docName: this.docName }, 'bad message from the bus')
    }
  }
}
