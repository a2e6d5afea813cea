/**
 * Room: one live doc on this instance, with its Awareness and the connections editing it.
 *
 * Ordering and durability rule: an update from a client is validated, appended to the DocStore,
 * and only when the append has resolved (durable) applied to the Y.Doc (update-pipeline.ts). The
 * doc's `update` event then broadcasts it to every other connection and the sender gets an
 * acknowledgement. So the Room's Y.Doc only ever holds stored content, and no client is shown an
 * edit that a crash could still lose.
 *
 * Broadcasts are coalesced (room-broadcast.ts): while a room is busy, the updates its clients send
 * within one `broadcastWindowMs` are stored together when the window closes (one commit) and go
 * out as one frame once stored, the same bytes to every connection, and a sender is never echoed
 * its own. The first update after a quiet spell is stored and sent at once. Awareness changes are
 * coalesced the same way and throttled to one frame per `awarenessFlushMs`.
 * With several server instances, the room also holds a replica: its stored changes are published
 * on the Bus after they are stored, and changes other instances published are applied and sent
 * to this instance's connections (never stored again).
 */
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { messageSync } from '../../shared/protocol.ts'
import { CloseCode, closeReason } from '../../shared/close-codes.ts'
import type { Bus, DocMessage } from '../bus/bus.ts'
import type { DocStore, RefusedRange } from '../storage/doc-store.ts'
import type { Connection } from './connection.ts'
import type { Logger } from './logger.ts'
import { DocLog, type LiveDocSource } from './doc-log.ts'
import { loadHealthy } from './quarantine.ts'
import { isUpdateOrigin, type UpdateOrigin } from './origin.ts'
import { AwarenessBroadcast, mergeAll, UpdateBroadcast } from './room-broadcast.ts'
import { deletesMore, newRanges, readDeletions, RefusedWrites, type Deletions } from './refused-writes.ts'
import { UpdatePipeline } from './update-pipeline.ts'
import { sliceUpdate } from './update-slices.ts'
import { checkStateVector, defaultUpdateCheckLimits, UpdateChecker, type DocShape, type PlacedItems, type TypeInfo, type UpdateCheckLimits } from './update-checks.ts'
import { ContentRefusedError, idKey, MalformedShapeError, scanUpdate, stateFromUpdate, UpdateTooComplexError, type UpdateShape } from './update-shape.ts'
import { presentPerson, type PresentPerson } from '../../shared/participants.ts'

/**
 * What one room accepts; each limit refuses with a documented close code. The content limits
 * (UpdateCheckLimits: nesting, names, values, client ids, state vectors) refuse with 4422.
 */
export interface RoomLimits extends UpdateCheckLimits {
  /** Largest single update, in bytes (4413). */
  maxUpdateBytes: number
  /** Largest doc, in bytes of its stored updates since the last compaction (4413). */
  maxDocBytes: number
  /** Bytes of updates the doc holds but cannot integrate yet (missing what they build on) (4413). */
  maxPendingBytes: number
  /**
   * Most structs one update may carry, counted before it is decoded (4413). One over
   * `sliceStructs` is taken in slices, one per turn of the event loop.
   */
  maxStructs: number
  /** Most deleted ranges one update may carry (4413). */
  maxDeleteRanges: number
}

/**
 * The defaults (as `server/config.ts`): an update of up to 4 MiB and 200,000 structs is taken,
 * in slices (see `sliceStructs`), so a client's catch-up after a whole session offline gets in.
 */
export const defaultRoomLimits: RoomLimits = {
  maxUpdateBytes: 4 * 1024 * 1024,
  maxDocBytes: 32 * 1024 * 1024,
  maxPendingBytes: 1024 * 1024,
  maxStructs: 200_000,
  maxDeleteRanges: 200_000,
  ...defaultUpdateCheckLimits,
}

export interface RoomOptions {
  /** Compact the stored log once it holds this many rows. @default 500 */
  compactAfterRows: number
  logger: Logger
  /**
   * Called with the people (awareness `user` id and name, see shared/participants.ts) seen in
   * this room for the first time or under a new name, so the session can record who was present.
   * Placeholder names are never reported. Optional.
   */
  onPresence?: (docName: string, people: PresentPerson[]) => void
  /**
   * Called when loading the doc moved `rows` stored rows that kept it from loading into the
   * store's quarantine (quarantine.ts), so the moderator can be told. Optional.
   */
  onQuarantine?: (docName: string, rows: number) => void
  /** Called after a client's or the server's change was stored and applied (e.g. to keep revisions). */
  onStored?: (docName: string) => void
  /** Called once with the room's live Y.Doc when it is made, before anything is applied to it (e.g. to watch its transactions). */
  onDocCreated?: (docName: string, ydoc: Y.Doc) => void
  /** @default defaultRoomLimits */
  limits?: RoomLimits
  /** Least time between two awareness frames of the room, in ms; 0 sends on the next turn. @default 0 */
  awarenessFlushMs?: number
  /**
   * Least time between two update frames of the room, in ms: the first edit after a quiet spell
   * goes out on the next turn, later ones wait for the window and go out merged. 0 merges only
   * what arrived in the same turn of the event loop. @default 0
   */
  broadcastWindowMs?: number
  /**
   * Most frames per second a busy room sends over all its connections: a room with more
   * connections than `broadcastSendsPerSecond * broadcastWindowMs / 1000` widens its window to
   * stay within it, so one huge room cannot take the whole CPU (its latency grows with its size
   * instead). 0: no bound. @default 0
   */
  broadcastSendsPerSecond?: number
  /** Fan-out to other server instances. Without one, the room is the only replica. */
  bus?: Bus
  /**
   * Clients may only add to this doc, never delete (e.g. a chat: nobody removes someone else's
   * message). An update from a client that deletes anything closes it with 4403. @default false
   */
  appendOnly?: boolean
  /** Which content rules the doc's updates follow (update-checks.ts). @default 'free' */
  docShape?: DocShape
  /**
   * Characters of awareness state JSON the room holds over all its clients; a state that would
   * pass it is dropped (its sender keeps its old one). @default 2 MiB (a room of 250 states of 8 KiB)
   */
  maxAwarenessChars?: number
}

/** An update the room refuses under one of its limits; the sender is closed with `closeCode`. */
export class UpdateRefusedError extends Error {
  constructor(
    readonly closeCode: CloseCode,
    message: string,
    /** Set when the update carries more structs or deleted ranges than a scan allowed. */
    readonly tooComplex = false,
  ) {
    super(message)
    this.name = 'UpdateRefusedError'
  }
}

/**
 * The error to throw for what a scan or check of a client's update threw: past a count (4413,
 * `tooComplex`), a content rule (4422), bytes that do not decode (MalformedUpdateError).
 */
function refusalOf(error: unknown): Error {
  if (error instanceof UpdateRefusedError || error instanceof MalformedUpdateError) return error
  if (error instanceof UpdateTooComplexError) return new UpdateRefusedError(CloseCode.tooLarge, error.message, true)
  if (error instanceof ContentRefusedError) return new UpdateRefusedError(CloseCode.updateRefused, `update refused: ${error.message}`)
  return new MalformedUpdateError(error instanceof MalformedShapeError ? error.message : error)
}

/** A scanned update: its shape, and its items collected for the placement check (update-checks.ts). */
interface Scanned {
  shape: UpdateShape
  checker: UpdateChecker
}

/** The store could not make an update durable; it was neither applied nor broadcast. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'StoreUnavailableError'
  }
}

/**
 * How long a new connection may wait for the server's sync step 1: it is sent right after the
 * answer to the client's own step 1 (clients send theirs first), or after this delay.
 */
const step1DelayMs = 50

/**
 * Most structs (and most deleted ranges) taken in one turn of the event loop: a larger update is
 * cut into slices of this size (update-slices.ts), and the pipeline applies at most this many per
 * turn. Applying 1,000 structs of typing to a pad takes about 5 ms (15,000 took 82 ms on the
 * development machine): a tenth of the 50 ms a turn may take, so a loaded machine keeps within
 * it too (issue 16, part 6).
 */
export const sliceStructs = 1000

/** Lets the event loop run everything else that is due before going on. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Updates of one connection that may be accepted and not yet stored before it waits for the store. */
const maxPendingPerConnection = 1000

/** Raised for updates that do not decode; the caller closes the sending connection. */
export class MalformedUpdateError extends Error {
  constructor(cause: unknown) {
    super(`malformed update: ${cause instanceof Error ? cause.message : String(cause)}`)
    this.name = 'MalformedUpdateError'
  }
}

/** True when `update` is the empty update (no structs, no deletions) a sync step 2 often carries. */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0
}

export class Room {
  /** The live doc, made on first use; holds nothing until built (see `build`). */
  private docInstance: Y.Doc | null = null
  /** Set when `close` releases the doc. */
  private released = false
  /** Made on first use: a room whose clients announce no presence (e.g. a projector) needs none. */
  private awarenessInstance: awarenessProtocol.Awareness | null = null
  private readonly connections = new Set<Connection>()
  /** Which connection announced each awareness client id (one owner per id). */
  private readonly awarenessOwners = new Map<number, Connection>()
  /** Store writes not yet settled. */
  private readonly writes = new Set<Promise<unknown>>()
  /** Accepted updates on their way to the store and the doc; made on the first update. */
  private pipelineInstance: UpdatePipeline | null = null
  /** The room's outgoing update frames; made on the first broadcast. */
  private updateBroadcastInstance: UpdateBroadcast | null = null
  /** The room's outgoing awareness frames; made on the first awareness change. */
  private awarenessBroadcastInstance: AwarenessBroadcast | null = null
  /** The connection the last update came from (see `broadcastWindow`). */
  private lastWriter: Connection | null = null
  /** When an update last came from another connection than the one before (Date.now()). */
  private lastWriterChange = 0
  /** True while stored client updates are applied: they already waited for their window. */
  private applyingStored = false
  private readonly limits: RoomLimits
  /** The doc's stored log: its size, and its compaction. */
  private readonly log: DocLog
  private serverChanges: Promise<void> = Promise.resolve()
  /** Person key → the last name reported for them (bounded by the room's awareness states over its life). */
  private readonly presentPeople = new Map<string, string>()
  private closing: Promise<void> | null = null
  /** `Y.encodeStateAsUpdate` of the doc, kept until the next change (a connect storm encodes once). */
  private fullState: Uint8Array | null = null
  /**
   * The loaded state not yet applied to the doc (see `build`). A room whose clients only read
   * never builds its doc: a fresh client is served these bytes and the server's sync step 1 is
   * read from them, so an idle room costs its stored bytes, not a Y.Doc of every item.
   */
  private unbuilt: Uint8Array | null = null
  /** Connections waiting for the server's sync step 1 (sent on the next turn, after their own step 2). */
  private readonly awaitingStep1 = new Set<Connection>()
  /** The state vector of `unbuilt`, read once for every client of an unbuilt room. */
  private unbuiltStateVector: Uint8Array | null = null
  /** The delete set of `unbuilt`, read once when a read-only client's update needs it. */
  private unbuiltDeletions: Deletions | null = null
  private unsubscribe: (() => Promise<void>) | null = null
  private busFailureLogged = false
  /** The writes this pad refused (see refused-writes.ts), loaded with the doc. */
  private readonly refused: RefusedWrites
  /** Characters of each client's awareness state, and their sum (see `maxAwarenessChars`). */
  private readonly awarenessChars = new Map<number, number>()
  private awarenessCharsTotal = 0
  /** Type infos of the doc's types, for placing the items of incoming updates (update-checks.ts). */
  private readonly typeInfos = new WeakMap<Y.AbstractType<unknown>, TypeInfo>()

  /**
   * Loads `docName` from `store` into a new Room. With a bus, the room subscribes to the doc's
   * channel first and loads second, so nothing another instance publishes in between is missed
   * (updates are idempotent, so overlap is harmless). Stored rows that keep the doc from loading
   * are quarantined and the rest is loaded (quarantine.ts). Throws when the store fails.
   */
  static async load(docName: string, store: DocStore, options: RoomOptions): Promise<Room> {
    const early: DocMessage[] = []
    let room: Room | null = null
    const subscription = options.bus?.subscribe(docName, (message) => (room ? room.receiveFromBus(message) : early.push(message)))
    // A bus that is down would hold the load: serve local clients now, the bus catches up later.
    const subscribed = subscription ? await settleWithin(subscription, 2000) : null
    let loaded
    let refused: RefusedRange[]
    let quarantined = 0
    try {
      ;[{ loaded, quarantined }, refused] = await Promise.all([loadHealthy(store, docName, options.logger), store.loadRefused(docName)])
    } catch (error) {
      void subscription?.then((unsubscribe) => unsubscribe()).catch(() => {})
      throw error
    }
    const created = new Room(docName, store, options, loaded?.refs.length ?? 0, loaded?.update.length ?? 0)
    room = created
    created.refused.add(refused)
    if (quarantined > 0) options.onQuarantine?.(docName, quarantined)
    if (loaded) {
      // The stored bytes are the doc's whole state: a fresh client is served them at once, and
      // the doc itself (applying a long history takes tens of ms) is built when first needed or
      // shortly after, so a cold room's first client does not wait for it.
      created.fullState = loaded.update
      created.unbuilt = loaded.update
    }
    for (const message of early) created.receiveFromBus(message)
    if (subscribed) created.unsubscribe = subscribed
    else if (subscription) {
      subscription.then(
        (unsubscribe) => (created.isClosed ? void unsubscribe().catch(() => {}) : (created.unsubscribe = unsubscribe)),
        (error: unknown) => options.logger.warn({ err: error, docName }, 'bus subscription failed'),
      )
    }
    created.maybeCompact()
    return created
  }

  private constructor(
    readonly docName: string,
    private readonly store: DocStore,
    private readonly options: RoomOptions,
    storedRows: number,
    docBytes: number,
  ) {
    this.limits = options.limits ?? defaultRoomLimits
    this.refused = new RefusedWrites({ store, docName, logger: options.logger, shared: options.bus?.shared ?? false, track: (write) => this.track(write) })
    this.log = new DocLog(store, docName, options.logger, options.compactAfterRows, this.liveDoc, storedRows, docBytes)
  }

  /** The live doc as the log's compaction reads it (see DocLog). */
  private readonly liveDoc: LiveDocSource = {
    holdsEveryRow: () => !this.options.bus?.shared && this.isBuilt,
    settledWhole: async () => {
      await this.pipelineInstance?.settled()
      await this.serverChanges
      return this.released ? null : this.encodeWhole()
    },
  }

  /**
   * The live doc, made on first use (a room that is only read never needs one). History is a
   * feature: it keeps deleted content so revisions and authorship can be shown.
   */
  private get doc(): Y.Doc {
    if (!this.docInstance) {
      this.docInstance = new Y.Doc({ gc: false })
      this.docInstance.on('update', this.onDocUpdate)
      this.options.onDocCreated?.(this.docName, this.docInstance)
    }
    return this.docInstance
  }

  /** The room's Awareness (presence and cursors of its clients). */
  get awareness(): awarenessProtocol.Awareness {
    if (!this.awarenessInstance) {
      const awareness = new awarenessProtocol.Awareness(this.doc)
      awareness.setLocalState(null)
      awareness.on('update', this.onAwarenessUpdate)
      this.awarenessInstance = awareness
    }
    return this.awarenessInstance
  }

  private get pipeline(): UpdatePipeline {
    this.pipelineInstance ??= new UpdatePipeline({
      append: (update) => this.track(this.store.append(this.docName, update)),
      window: () => this.broadcastWindow(),
      applyRun: (connection, updates, failure) => this.applyRun(connection, updates, failure),
      drained: () => {
        this.maybeCompact()
        this.options.onStored?.(this.docName)
      },
    })
    return this.pipelineInstance
  }

  private get updateBroadcast(): UpdateBroadcast {
    this.updateBroadcastInstance ??= new UpdateBroadcast(
      this.connections,
      () => this.broadcastWindow(),
      (update) => this.publish({ kind: 'update', payload: update }),
    )
    return this.updateBroadcastInstance
  }

  private get awarenessBroadcast(): AwarenessBroadcast {
    this.awarenessBroadcastInstance ??= new AwarenessBroadcast(
      this.connections,
      () => this.awareness,
      this.options.awarenessFlushMs ?? 0,
      (payload) => this.publish({ kind: 'awareness', payload }),
      () => this.sweepAwarenessMeta(),
    )
    return this.awarenessBroadcastInstance
  }

  /** The room's doc with everything stored applied (building it if it was not yet). */
  get ydoc(): Y.Doc {
    this.build()
    return this.doc
  }

  /** True once the stored state has been applied to the doc (something needed more than its bytes). */
  get isBuilt(): boolean {
    return this.unbuilt === null
  }

  /** Number of connections currently in the room. */
  get size(): number {
    return this.connections.size
  }

  /** True once `close` has been called; a closed room takes no connections. */
  get isClosed(): boolean {
    return this.closing !== null
  }

  /**
   * Adds a connection (it receives broadcasts from now on) and sends it every awareness state
   * and the server's sync step 1: right after the answer to its own step 1, so reading the state
   * vector of a large unbuilt pad never delays that answer (see `step1DelayMs`; a connect storm
   * reads it once).
   */
  addConnection(connection: Connection): void {
    this.connections.add(connection)
    this.awaitingStep1.add(connection)
    if (this.awaitingStep1.size === 1) setTimeout(() => this.sendAwaitedStep1(), step1DelayMs).unref()
    const clients = this.awarenessInstance ? [...this.awarenessInstance.getStates().keys()] : []
    if (clients.length > 0) connection.send(this.awarenessBroadcast.encode(clients))
  }

  /** The doc's state vector, read from the stored bytes while the doc is not built. */
  private stateVector(): Uint8Array {
    if (this.unbuilt) return (this.unbuiltStateVector ??= Y.encodeStateVector(stateFromUpdate(this.unbuilt)))
    return Y.encodeStateVector(this.doc)
  }

  /** True when the server's sync step 1 means reading the state vector of a large pad that is not built. */
  get step1IsCostly(): boolean {
    return this.unbuilt !== null && this.unbuiltStateVector === null && this.unbuilt.length > 64 * 1024
  }

  /** Sends the server's sync step 1 to `only` if it still waits for it, else to every connection waiting. */
  sendAwaitedStep1(only?: Connection): void {
    if (this.awaitingStep1.size === 0 || this.released) return
    if (only && !this.awaitingStep1.has(only)) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageSync)
    encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep1)
    encoding.writeVarUint8Array(encoder, this.stateVector())
    const frame = encoding.toUint8Array(encoder)
    const waiting = only ? [only] : [...this.awaitingStep1]
    for (const connection of waiting) {
      this.awaitingStep1.delete(connection)
      if (this.connections.has(connection)) connection.send(frame)
    }
  }

  /** Applies the loaded state to the doc if that has not happened yet. */
  private build(): void {
    const update = this.unbuilt
    if (!update || this.released) return
    this.unbuilt = null
    this.unbuiltStateVector = null
    this.unbuiltDeletions = null
    const served = this.fullState
    Y.applyUpdate(this.doc, update, { kind: 'store' } satisfies UpdateOrigin)
    // The stored bytes still describe the whole doc unless something else changed it meanwhile.
    if (served === update) this.fullState = served
  }

  /** Removes a connection and the awareness states it owned (others see its cursor vanish). */
  removeConnection(connection: Connection): void {
    this.awaitingStep1.delete(connection)
    if (this.lastWriter === connection) this.lastWriter = null
    if (!this.connections.delete(connection)) return
    const owned = [...connection.awarenessClients]
    for (const client of owned) {
      if (this.awarenessOwners.get(client) === connection) this.awarenessOwners.delete(client)
    }
    if (owned.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, owned, null)
  }

  /**
   * True when the room can hold an awareness state of `chars` characters for `client` (replacing
   * its current one) within `maxAwarenessChars`; the state is then counted as the client's.
   */
  admitAwarenessState(client: number, chars: number): boolean {
    const old = this.awarenessChars.get(client) ?? 0
    const total = this.awarenessCharsTotal - old + chars
    if (total > (this.options.maxAwarenessChars ?? 2 * 1024 * 1024)) return false
    this.awarenessChars.set(client, chars)
    this.awarenessCharsTotal = total
    return true
  }

  /** Forgets the awareness of clients whose state is gone: their size and, once sent, their metadata. */
  private forgetAwareness(clients: number[]): void {
    for (const client of clients) {
      this.awarenessCharsTotal -= this.awarenessChars.get(client) ?? 0
      this.awarenessChars.delete(client)
    }
  }

  /**
   * Drops the awareness metadata of ids that have no state any more, once their removal has been
   * sent (y-protocols keeps it for ever otherwise; issue 15 part 4). Called after each frame.
   */
  private sweepAwarenessMeta(): void {
    const awareness = this.awarenessInstance
    if (!awareness || awareness.meta.size === awareness.states.size) return
    for (const client of awareness.meta.keys()) {
      if (!awareness.states.has(client) && !this.awarenessBroadcastInstance?.isPending(client)) awareness.meta.delete(client)
    }
  }

  /** Awareness metadata entries the room holds (states and recently removed ids). @internal */
  get awarenessMetaSize(): number {
    return this.awarenessInstance?.meta.size ?? 0
  }

  /** True when a connection other than `asking` has announced awareness client id `client`. */
  awarenessOwner(client: number, asking: Connection): boolean {
    const owner = this.awarenessOwners.get(client)
    return owner !== undefined && owner !== asking
  }

  /**
   * Answers a sync step 1: the update holding everything the peer with `stateVector` lacks. A
   * fresh client (empty state vector) gets the cached full state, even before the doc is built;
   * any other waits for it. Throws on a state vector that does not decode, and UpdateRefusedError
   * (4422) on one listing more than `maxStateVectorClients` clients.
   */
  syncStep2For(stateVector: Uint8Array): Uint8Array {
    try {
      checkStateVector(stateVector, this.limits.maxStateVectorClients)
    } catch (error) {
      if (error instanceof ContentRefusedError) throw new UpdateRefusedError(CloseCode.updateRefused, `update refused: ${error.message}`)
      throw error
    }
    const fresh = stateVector.length === 1 && stateVector[0] === 0
    if (fresh && this.fullState) return this.fullState
    this.build()
    if (!fresh) return Y.encodeStateAsUpdate(this.doc, stateVector)
    this.fullState ??= Y.encodeStateAsUpdate(this.doc)
    return this.fullState
  }

  /**
   * Takes `update` from `connection`: checks it, has the store append it, and returns once it is
   * accepted, so the connection can pass on its next update while this one is being stored (a
   * fast writer's updates share a commit). Each accepted update is applied (which broadcasts it)
   * and acknowledged only once stored, in the order accepted. Throws, before anything is stored,
   * MalformedUpdateError when the update does not decode (see update-shape.ts: what the scan
   * accepts, Yjs decodes) and UpdateRefusedError when it breaks a limit. When the store fails,
   * the sender is closed with 1013 and the update is neither applied nor shown to anyone.
   */
  async receiveUpdate(update: Uint8Array, connection: Connection): Promise<void> {
    if (isEmptyUpdate(update)) {
      // (Every client's answer to the server's step 1 when it has nothing new: no need to build.)
      this.pipeline.acknowledgeAfterQueue(connection)
      return
    }
    this.build()
    // A connection that runs far ahead of the store waits for it.
    if (this.pipeline.pendingOf(connection) >= maxPendingPerConnection) await this.pipeline.settled()
    this.checkSize(update)
    const small = this.scanSmall(update)
    if (!small) {
      await this.receiveInSlices(update, connection)
      return
    }
    this.checkShape(update, small.shape)
    // Before the placement check: an edit inside a refused element is a diverged copy (4409, the
    // client resyncs), not content the server cannot place (4422).
    await this.refuseIfBuiltOnRefused([small.shape], connection)
    this.acceptChecked(update, small.shape, this.checkPlacement(small.shape, small.checker), connection)
  }

  /** Queues a checked update of `connection` (its `shape` and `placed` items) for the store and the doc. */
  private acceptChecked(update: Uint8Array, shape: UpdateShape, placed: PlacedItems, connection: Connection): void {
    if (connection !== this.lastWriter) {
      if (this.lastWriter) this.lastWriterChange = Date.now()
      this.lastWriter = connection
    }
    this.pipeline.accept(connection, update, shape, placed)
  }

  /**
   * Refuses (4409) updates of these shapes when one contains a refused write or builds on one,
   * remembering their new structs as refused in turn (see refused-writes.ts).
   */
  private async refuseIfBuiltOnRefused(shapes: UpdateShape[], connection: Connection): Promise<void> {
    for (const shape of shapes) await this.refreshRefused(shape, connection)
    if (!shapes.some((shape) => this.refused.touches(shape))) return
    await this.refused.record(shapes.flatMap((shape) => newRanges(shape, (client) => this.projectedState(client))))
    throw new UpdateRefusedError(CloseCode.diverged, closeReason[CloseCode.diverged])
  }

  /**
   * Takes an update over one slice (see update-slices.ts), e.g. a client's catch-up after a whole
   * session offline: first cuts and scans it a slice per turn of the event loop, refusing it
   * whole (nothing stored) when it is malformed up to there, claims more than the room's limits
   * or builds on a refused write; then checks and queues its slices one per turn, each stored and
   * applied on its own. A slice that fails the later checks (a parent that is not a type, too
   * many pending bytes) closes the connection as for a whole update; the slices before it stay.
   */
  private async receiveInSlices(update: Uint8Array, connection: Connection): Promise<void> {
    const limits = this.limits
    const slices: ({ update: Uint8Array } & Scanned)[] = []
    // Distinct client ids over all the slices (issue 15: an update naming 100,000 clients).
    const clients = new Set<number>()
    let structs = 0
    let deleteRanges = 0
    const iterator = sliceUpdate(update, sliceStructs, sliceStructs)
    for (;;) {
      let next
      try {
        next = iterator.next()
      } catch (error) {
        throw new MalformedUpdateError(error instanceof Error ? error.message : error)
      }
      if (next.done) break
      structs += next.value.structs
      deleteRanges += next.value.deleteRanges
      if (structs > limits.maxStructs) throw new UpdateRefusedError(CloseCode.tooLarge, `update carries more than ${limits.maxStructs} structs`)
      if (deleteRanges > limits.maxDeleteRanges) throw new UpdateRefusedError(CloseCode.tooLarge, `update deletes more than ${limits.maxDeleteRanges} ranges`)
      const scanned = this.scanChecked(next.value.update, limits.maxStructs, limits.maxDeleteRanges)
      for (const client of scanned.shape.endClocks.keys()) clients.add(client)
      for (const client of scanned.shape.deleteEnds.keys()) clients.add(client)
      if (clients.size > limits.maxClients) throw new UpdateRefusedError(CloseCode.updateRefused, `update refused: update names more than ${limits.maxClients} client ids`)
      slices.push({ update: next.value.update, ...scanned })
      await nextTurn()
      if (connection.isClosed || this.closing) return
    }
    // As for a whole update (see `checkShape`): one that starts past what the doc has for a
    // client is kept pending by Yjs, and the whole of it counts against the pending bound.
    const firstClocks = new Map<number, number>()
    for (const { shape } of slices) {
      for (const [client, clock] of shape.firstClocks) firstClocks.set(client, Math.min(clock, firstClocks.get(client) ?? clock))
    }
    const pending = this.pendingBytes()
    for (const [client, clock] of firstClocks) {
      if (clock > this.projectedState(client) && pending + update.length > limits.maxPendingBytes) {
        throw new UpdateRefusedError(CloseCode.tooLarge, `more than ${limits.maxPendingBytes} bytes of pending updates`)
      }
    }
    await this.refuseIfBuiltOnRefused(
      slices.map((slice) => slice.shape),
      connection,
    )
    for (const slice of slices) {
      if (connection.isClosed || this.closing) return
      this.checkShape(slice.update, slice.shape)
      this.acceptChecked(slice.update, slice.shape, this.checkPlacement(slice.shape, slice.checker), connection)
      await nextTurn()
    }
  }

  /**
   * Takes `update` from a connection that may not write (locked, ended, read-only): it is never
   * applied. When it brings structs the pad does not hold, they are remembered as refused
   * (durably, before this resolves) so they can never land later, and true is returned: the
   * connection's copy has diverged and it must be closed (4409). False when the update brings
   * nothing new (e.g. the empty sync step 2 of a viewer). Throws as `receiveUpdate` on an update
   * that does not decode or breaks a limit.
   */
  async refuseUpdate(update: Uint8Array, connection: Connection): Promise<boolean> {
    if (isEmptyUpdate(update)) return false
    const shape = this.scan(update)
    await this.refreshRefused(shape, connection)
    // A room whose clients only read is not built for them (see `unbuilt`): its state and delete
    // set are read from the stored bytes instead, once.
    const state = this.unbuilt ? Y.decodeStateVector(this.stateVector()) : null
    const ranges = newRanges(shape, (client) => (state ? (state.get(client) ?? 0) : this.projectedState(client)))
    if (ranges.length > 0) {
      await this.refused.record(ranges)
      return true
    }
    if (this.refused.touches(shape)) return true
    if (shape.deleteRanges === 0) return false
    return deletesMore(readDeletions(update), this.deletions())
  }

  /** The doc's delete set: from the stored bytes while the doc is not built. */
  private deletions(): Deletions {
    if (this.unbuilt) return (this.unbuiltDeletions ??= readDeletions(this.unbuilt))
    return Y.createDeleteSetFromStructStore(this.doc.store).clients
  }

  /** Re-reads refused writes another instance may have recorded (see RefusedWrites.refresh). */
  private async refreshRefused(shape: UpdateShape, connection: Connection): Promise<void> {
    try {
      await this.refused.refresh(shape, connection)
    } catch (error) {
      throw new StoreUnavailableError(error)
    }
  }

  /**
   * Applies one connection's run of stored updates in one transaction (one doc event, one
   * broadcast entry) and acknowledges it. An update the store refused closes its sender (1013).
   */
  private applyRun(connection: Connection, updates: Uint8Array[], failure: { error: unknown } | null): boolean {
    if (failure) {
      this.options.logger.error({ err: failure.error, docName: this.docName }, 'closing connection: its update could not be stored')
      connection.close(CloseCode.tryAgainLater)
    }
    if (updates.length > 0) {
      for (const update of updates) this.log.stored(update.length)
      const origin = { kind: 'connection', connection } satisfies UpdateOrigin
      this.applyingStored = true
      try {
        this.doc.transact(() => {
          for (const update of updates) Y.applyUpdate(this.doc, update, origin)
        }, origin)
      } catch (error) {
        this.options.logger.error({ err: error, docName: this.docName }, 'applying a stored update failed')
      } finally {
        this.applyingStored = false
      }
      this.checkPending(connection)
    }
    if (!failure) connection.acknowledge(() => Y.encodeStateVector(this.doc))
    return updates.length > 0
  }

  /**
   * Makes a change on behalf of the server (a moderator action through the API): `change` edits a
   * scratch copy of the doc, the difference is stored, then applied and broadcast to everyone.
   * Server changes to one room run one at a time, so read-modify-write changes do not interleave.
   */
  applyServerChange(change: (ydoc: Y.Doc) => void): Promise<void> {
    const run = this.serverChanges.then(async () => {
      this.build()
      const scratch = new Y.Doc({ gc: false })
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(this.doc))
      const before = Y.encodeStateVector(scratch)
      change(scratch)
      const update = Y.encodeStateAsUpdate(scratch, before)
      scratch.destroy()
      if (isEmptyUpdate(update)) return
      await this.track(this.store.append(this.docName, update))
      this.log.stored(update.length)
      Y.applyUpdate(this.doc, update, { kind: 'server' } satisfies UpdateOrigin)
      this.maybeCompact()
      this.options.onStored?.(this.docName)
    })
    this.serverChanges = run.catch(() => {})
    return run
  }

  /** Resolves once every update accepted so far is stored and applied (for consistent reads). */
  async whenSettled(): Promise<void> {
    await this.pipelineInstance?.settled()
    await this.serverChanges
    await Promise.allSettled([...this.writes])
  }

  /** Applies an awareness update from `connection`; throws when it does not decode. */
  receiveAwareness(update: Uint8Array, connection: Connection): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, { kind: 'connection', connection } satisfies UpdateOrigin)
  }

  /** Every awareness state, encoded as one awareness frame. */
  encodeAllAwareness(): Uint8Array {
    return this.awarenessBroadcast.encode([...this.awareness.getStates().keys()])
  }

  /**
   * Catches up after the bus was down: whatever other instances stored meanwhile is loaded from
   * the store and sent to this instance's connections; this instance's awareness is re-announced.
   */
  async resync(): Promise<void> {
    if (this.closing) return
    this.build()
    const loaded = await this.store.load(this.docName)
    if (loaded && !this.closing) Y.applyUpdate(this.doc, loaded.update, { kind: 'bus' } satisfies UpdateOrigin)
    this.awarenessBroadcast.note(this.awarenessOwners.keys(), true)
  }

  /**
   * Waits for in-flight appends and broadcasts, compacts the stored log when it has more than one
   * row, and releases the doc. Connections still present are not closed here (see RoomRegistry).
   * Idempotent.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.awarenessBroadcastInstance?.stop()
      this.closing = this.doClose()
    }
    return this.closing
  }

  private async doClose(): Promise<void> {
    this.pipelineInstance?.appendImmediately()
    await this.pipelineInstance?.settled()
    await this.serverChanges
    await Promise.allSettled([...this.writes])
    this.updateBroadcastInstance?.flush()
    if (this.awarenessBroadcastInstance?.pending) this.awarenessBroadcastInstance.flush()
    await this.log.compactRest()
    const unsubscribe = this.unsubscribe
    this.unsubscribe = null
    await unsubscribe?.().catch(() => {})
    this.released = true
    this.docInstance?.off('update', this.onDocUpdate)
    this.awarenessInstance?.off('update', this.onAwarenessUpdate)
    this.awarenessInstance?.destroy()
    this.docInstance?.destroy()
  }

  /** Refuses an update over the byte limits (the update's, the doc's), before anything else. */
  private checkSize(update: Uint8Array): void {
    const limits = this.limits
    if (update.length > limits.maxUpdateBytes) {
      throw new UpdateRefusedError(CloseCode.tooLarge, `update larger than ${limits.maxUpdateBytes} bytes`)
    }
    if (this.log.bytes + (this.pipelineInstance?.inflightBytes ?? 0) + update.length > limits.maxDocBytes) {
      throw new UpdateRefusedError(CloseCode.tooLarge, `document larger than ${limits.maxDocBytes} bytes`)
    }
  }

  /**
   * The shape of `update` and its content checker when it fits in one slice (the scan stops as
   * soon as it does not, so this costs at most one slice's walk); null when it must be taken in
   * slices. Throws as `scanChecked`.
   */
  private scanSmall(update: Uint8Array): Scanned | null {
    try {
      return this.scanChecked(update, Math.min(sliceStructs, this.limits.maxStructs), Math.min(sliceStructs, this.limits.maxDeleteRanges))
    } catch (error) {
      if (error instanceof UpdateRefusedError && error.tooComplex) {
        if (this.limits.maxStructs <= sliceStructs || this.limits.maxDeleteRanges <= sliceStructs) throw error
        return null
      }
      throw error
    }
  }

  /**
   * Scans `update` with the content checks that need no doc (names, nesting, values, client ids:
   * update-checks.ts), collecting its items for `checkPlacement`. Throws UpdateRefusedError past a
   * limit (4413, `tooComplex` set past the struct or range counts) or a content rule (4422),
   * MalformedUpdateError when it does not decode.
   */
  private scanChecked(update: Uint8Array, maxStructs: number, maxDeleteRanges: number): Scanned {
    const checker = new UpdateChecker(this.options.docShape ?? 'free', this.limits)
    try {
      const shape = scanUpdate(update, { maxStructs, maxDeleteRanges, content: this.limits }, checker.collect)
      return { shape, checker }
    } catch (error) {
      throw refusalOf(error)
    }
  }

  /**
   * Checks where the scanned items go, against the doc and the updates accepted before (parents
   * are types; elements, attributes and marks as the doc's shape allows). Throws as `scanChecked`.
   */
  private checkPlacement(shape: UpdateShape, checker: UpdateChecker): PlacedItems {
    try {
      this.checkParents(shape)
      checker.check({ doc: this.doc, queued: () => this.pipelineInstance?.queuedPlacements() ?? [], types: this.typeInfos })
    } catch (error) {
      throw refusalOf(error)
    }
    return checker.items
  }

  /** Refuses, before anything is stored, an update whose scanned `shape` breaks a rule of the room. */
  private checkShape(update: Uint8Array, shape: UpdateShape): void {
    const limits = this.limits
    if (this.options.appendOnly && shape.deleteRanges > 0) throw new UpdateRefusedError(CloseCode.forbidden, 'this document is append-only')
    // An update starting past what the doc (with the updates accepted before it) has for a client
    // cannot be integrated yet: Yjs keeps it pending. Legitimate clients rarely do that; a hostile
    // one could fill memory with it.
    const pending = this.pendingBytes()
    for (const [client, clock] of shape.firstClocks) {
      if (clock > this.projectedState(client) && pending + update.length > limits.maxPendingBytes) {
        throw new UpdateRefusedError(CloseCode.tooLarge, `more than ${limits.maxPendingBytes} bytes of pending updates`)
      }
    }
  }

  /**
   * Scans `update` under the room's limits (see update-shape.ts), without the content checks (a
   * read-only connection's update is never applied). Throws as `scanChecked`.
   */
  private scan(update: Uint8Array): UpdateShape {
    try {
      return scanUpdate(update, this.limits)
    } catch (error) {
      throw refusalOf(error)
    }
  }

  /** The clock `client` will have reached once every accepted update is applied. */
  private projectedState(client: number): number {
    return Math.max(Y.getState(this.doc.store, client), this.pipelineInstance?.queuedEnd(client) ?? 0)
  }

  /**
   * An item placed inside another item must be placed inside a type (a map, a text, an element):
   * Yjs takes that on trust and breaks half-way through integrating otherwise. The parent may be
   * in the doc, in an update accepted but not applied yet, or in this update.
   */
  private checkParents(shape: UpdateShape): void {
    const store = this.doc.store
    for (const parent of shape.parentRefs) {
      if (parent.clock < Y.getState(store, parent.client)) {
        const item = Y.getItem(store, Y.createID(parent.client, parent.clock))
        const isType = item instanceof Y.Item && item.content instanceof Y.ContentType && item.id.clock === parent.clock
        if (!isType && !(item instanceof Y.GC)) throw new MalformedUpdateError('parent is not a type')
        continue
      }
      const key = idKey(parent.client, parent.clock)
      if (shape.typeItems.has(key) || this.pipelineInstance?.queuesType(key)) continue
      // Anything else the update or the accepted ones hold at that id is not a type; beyond them,
      // the parent is missing and Yjs keeps the item pending until it arrives.
      const known = Math.max(this.projectedState(parent.client), shape.endClocks.get(parent.client) ?? 0)
      if (parent.clock < known) throw new MalformedUpdateError('parent is not a type')
    }
  }

  /** Closes `connection` when the doc's pending updates passed their bound after its update. */
  private checkPending(connection: Connection): void {
    if (this.pendingBytes() > this.limits.maxPendingBytes) {
      connection.close(CloseCode.tooLarge, 'too many pending updates')
    }
  }

  private pendingBytes(): number {
    return (this.doc.store.pendingStructs?.update.length ?? 0) + (this.doc.store.pendingDs?.length ?? 0)
  }

  private receiveFromBus(message: DocMessage): void {
    if (this.closing) return
    try {
      if (message.kind === 'update') {
        this.build()
        Y.applyUpdate(this.doc, message.payload, { kind: 'bus' } satisfies UpdateOrigin)
        this.log.received(message.payload.length)
      } else {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, message.payload, { kind: 'bus' } satisfies UpdateOrigin)
      }
    } catch (error) {
      this.options.logger.error({ err: error, docName: this.docName }, 'bad message from the bus')
    }
  }

  private publish(message: DocMessage): void {
    const bus = this.options.bus
    if (!bus) return
    bus.publish(this.docName, message).then(
      () => {
        this.busFailureLogged = false
      },
      (error: unknown) => {
        // Other instances catch up from the store when the bus is back (see resync).
        if (this.busFailureLogged) return
        this.busFailureLogged = true
        this.options.logger.warn({ err: error, docName: this.docName }, 'publishing to the bus failed')
      },
    )
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.writes.add(promise)
    const untrack = () => this.writes.delete(promise)
    promise.then(untrack, untrack)
    return promise
  }

  /** Compacts the stored log when it has grown enough (see DocLog), unless the room is closing. */
  private maybeCompact(): void {
    this.log.maybeCompact(() => this.closing !== null)
  }

  /** The whole doc as one update, the parts Yjs keeps pending (missing what they build on) included. */
  private encodeWhole(): Uint8Array {
    const state = Y.encodeStateAsUpdate(this.doc)
    const { pendingStructs, pendingDs } = this.doc.store
    const parts = [state]
    if (pendingStructs) parts.push(pendingStructs.update)
    if (pendingDs) parts.push(pendingDs)
    return mergeAll(parts)
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    this.fullState = null
    if (isUpdateOrigin(origin)) {
      switch (origin.kind) {
        case 'store':
          return
        case 'connection':
          // Stored updates of clients already waited for their window (see update-pipeline.ts).
          if (this.applyingStored) this.updateBroadcast.queueNow(update, origin.connection, true)
          else this.updateBroadcast.queue(update, origin.connection, true)
          return
        case 'server':
          this.updateBroadcast.queue(update, null, true)
          return
        case 'bus':
          this.updateBroadcast.queue(update, null, false)
          return
      }
    }
    // A change Yjs made by itself while integrating another (e.g. removing formatting markers
    // that concurrent edits left empty) carries no origin. It is already in the doc, so store it
    // and then send it to everyone; otherwise the room would hold content no client and no
    // store has.
    void this.track(this.store.append(this.docName, update)).then(
      () => {
        this.log.stored(update.length)
        this.updateBroadcast.queue(update, null, true)
      },
      (error: unknown) => this.options.logger.error({ err: error, docName: this.docName }, 'storing a derived update failed'),
    )
  }

  /** The least time between two update frames of this room now (see RoomOptions). */
  private broadcastWindow(): number {
    const window = this.options.broadcastWindowMs ?? 0
    // The window merges the edits of people typing at once; one writer alone (a paste, a
    // client catching up) is stored and sent at the store's pace, as the sends budget allows.
    const base = Date.now() - this.lastWriterChange < 2 * window ? window : 0
    const budget = this.options.broadcastSendsPerSecond ?? 0
    return budget > 0 ? Math.max(base, (this.connections.size * 1000) / budget) : base
  }

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const sender = isUpdateOrigin(origin) && origin.kind === 'connection' ? origin.connection : null
    if (sender) {
      for (const client of added) {
        sender.awarenessClients.add(client)
        this.awarenessOwners.set(client, sender)
      }
      for (const client of removed) {
        sender.awarenessClients.delete(client)
        if (this.awarenessOwners.get(client) === sender) this.awarenessOwners.delete(client)
      }
    }
    this.forgetAwareness(removed)
    const fromBus = isUpdateOrigin(origin) && origin.kind === 'bus'
    this.awarenessBroadcast.note([...added, ...updated, ...removed], !fromBus)
    // Viewers and anyone after the end may be present, but are not participants (issue 15 part 4).
    if (sender && this.options.onPresence && sender.mayParticipate) this.notePresence([...added, ...updated])
  }

  private notePresence(clients: number[]): void {
    const fresh: PresentPerson[] = []
    for (const client of clients) {
      const present = presentPerson((this.awareness.getStates().get(client) as { user?: unknown } | undefined)?.user)
      if (present && this.presentPeople.get(present.person) !== present.name) {
        this.presentPeople.set(present.person, present.name)
        fresh.push(present)
      }
    }
    if (fresh.length > 0) this.options.onPresence!(this.docName, fresh)
  }
}

/** Resolves to the promise's value if it settles within `ms`, else to null (it keeps running). */
async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms)
  })
  try {
    return await Promise.race([promise.catch(() => null), timeout])
  } finally {
    clearTimeout(timer)
  }
}
