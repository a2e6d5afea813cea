/**
 * Room: one live doc on this instance, with its Awareness and the connections editing it.
 *
 * Ordering and durability rule: an update from a client is validated, appended to the DocStore,
 * and only when the append has resolved (durable) applied to the Y.Doc. The doc's `update` event
 * then broadcasts it to every other connection and the sender gets an acknowledgement. So the
 * Room's Y.Doc only ever holds stored content, and no client is shown an edit that a crash could
 * still lose.
 */
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { messageAwareness, messageSync } from '../../shared/protocol.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { Connection } from './connection.ts'
import type { Logger } from './logger.ts'
import { isUpdateOrigin, type UpdateOrigin } from './origin.ts'

export interface RoomOptions {
  /** Compact the stored log once it holds this many rows. @default 500 */
  compactAfterRows: number
  logger: Logger
  /**
   * Called with names (the awareness `user.name` of a client) seen in this room for the first
   * time, so the session can record who was present. Optional.
   */
  onPresence?: (docName: string, names: string[]) => void
  /** Called after a client's or the server's change was stored and applied (e.g. to keep revisions). */
  onStored?: (docName: string) => void
}

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
  readonly ydoc: Y.Doc
  readonly awareness: awarenessProtocol.Awareness
  private readonly connections = new Set<Connection>()
  private readonly inflight = new Set<Promise<unknown>>()
  private storedRows: number
  private compaction: Promise<void> | null = null
  private serverChanges: Promise<void> = Promise.resolve()
  private readonly presentNames = new Set<string>()
  private closing: Promise<void> | null = null

  /** Loads `docName` from `store` into a new Room. Throws when the store fails. */
  static async load(docName: string, store: DocStore, options: RoomOptions): Promise<Room> {
    const loaded = await store.load(docName)
    const room = new Room(docName, store, options, loaded?.refs.length ?? 0)
    if (loaded) Y.applyUpdate(room.ydoc, loaded.update, { kind: 'store' } satisfies UpdateOrigin)
    room.maybeCompact()
    return room
  }

  private constructor(
    readonly docName: string,
    private readonly store: DocStore,
    private readonly options: RoomOptions,
    storedRows: number,
  ) {
    this.storedRows = storedRows
    // History is a feature: keep deleted content so revisions and authorship can be shown.
    this.ydoc = new Y.Doc({ gc: false })
    this.awareness = new awarenessProtocol.Awareness(this.ydoc)
    this.awareness.setLocalState(null)
    this.ydoc.on('update', this.onDocUpdate)
    this.awareness.on('update', this.onAwarenessUpdate)
  }

  /** Number of connections currently in the room. */
  get size(): number {
    return this.connections.size
  }

  /** True once `close` has been called; a closed room takes no connections. */
  get isClosed(): boolean {
    return this.closing !== null
  }

  /** Adds a connection and sends it the server's sync step 1 and every awareness state. */
  addConnection(connection: Connection): void {
    this.connections.add(connection)
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageSync)
    syncProtocol.writeSyncStep1(encoder, this.ydoc)
    connection.send(encoding.toUint8Array(encoder))
    const clients = [...this.awareness.getStates().keys()]
    if (clients.length > 0) connection.send(this.encodeAwareness(clients))
  }

  /** Removes a connection and the awareness states it owned (others see its cursor vanish). */
  removeConnection(connection: Connection): void {
    if (!this.connections.delete(connection)) return
    const owned = [...connection.awarenessClients]
    if (owned.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, owned, null)
  }

  /** True when a connection other than `asking` has announced awareness client id `client`. */
  awarenessOwner(client: number, asking: Connection): boolean {
    for (const connection of this.connections) {
      if (connection !== asking && connection.awarenessClients.has(client)) return true
    }
    return false
  }

  /** Answers a sync step 1: the update holding everything the peer with `stateVector` lacks. */
  diffSince(stateVector: Uint8Array): Uint8Array {
    return Y.encodeStateAsUpdate(this.ydoc, stateVector)
  }

  /**
   * Stores `update` from `connection`, then applies it (which broadcasts it to the others).
   * Throws MalformedUpdateError before storing anything when the update does not decode, and
   * the store's error when the append fails (the update is then neither applied nor broadcast).
   */
  async receiveUpdate(update: Uint8Array, connection: Connection): Promise<void> {
    if (!isEmptyUpdate(update)) {
      try {
        Y.decodeUpdate(update)
      } catch (error) {
        throw new MalformedUpdateError(error)
      }
      const started = performance.now()
      await this.track(this.store.append(this.docName, update))
      connection.metrics.appendSeconds((performance.now() - started) / 1000)
      this.storedRows++
      Y.applyUpdate(this.ydoc, update, { kind: 'connection', connection } satisfies UpdateOrigin)
      this.maybeCompact()
      this.options.onStored?.(this.docName)
    }
    connection.acknowledge(Y.encodeStateVector(this.ydoc))
  }

  /**
   * Makes a change on behalf of the server (a moderator action through the API): `change` edits a
   * scratch copy of the doc, the difference is stored, then applied and broadcast to everyone.
   * Server changes to one room run one at a time, so read-modify-write changes do not interleave.
   */
  applyServerChange(change: (ydoc: Y.Doc) => void): Promise<void> {
    const run = this.serverChanges.then(async () => {
      const scratch = new Y.Doc({ gc: false })
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(this.ydoc))
      const before = Y.encodeStateVector(scratch)
      change(scratch)
      const update = Y.encodeStateAsUpdate(scratch, before)
      scratch.destroy()
      if (isEmptyUpdate(update)) return
      await this.track(this.store.append(this.docName, update))
      this.storedRows++
      Y.applyUpdate(this.ydoc, update, { kind: 'server' } satisfies UpdateOrigin)
      this.maybeCompact()
      this.options.onStored?.(this.docName)
    })
    this.serverChanges = run.catch(() => {})
    return run
  }

  /** Resolves once every update accepted so far is stored and applied (for consistent reads). */
  async whenSettled(): Promise<void> {
    await this.serverChanges
    await Promise.allSettled([...this.inflight])
  }

  /** Applies an awareness update from `connection`; throws when it does not decode. */
  receiveAwareness(update: Uint8Array, connection: Connection): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, { kind: 'connection', connection } satisfies UpdateOrigin)
  }

  /** Every awareness state, encoded as one awareness frame. */
  encodeAllAwareness(): Uint8Array {
    return this.encodeAwareness([...this.awareness.getStates().keys()])
  }

  /**
   * Waits for in-flight appends, compacts the stored log when it has more than one row, and
   * releases the doc. Connections still present are not closed here (see RoomRegistry). Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose()
    return this.closing
  }

  private async doClose(): Promise<void> {
    await this.serverChanges
    await Promise.allSettled([...this.inflight])
    if (this.compaction) await this.compaction
    if (this.storedRows > 1) await this.compact().catch(() => {})
    this.ydoc.off('update', this.onDocUpdate)
    this.awareness.off('update', this.onAwarenessUpdate)
    this.awareness.destroy()
    this.ydoc.destroy()
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise)
    const untrack = () => this.inflight.delete(promise)
    promise.then(untrack, untrack)
    return promise
  }

  private maybeCompact(): void {
    if (this.compaction || this.closing || this.storedRows < this.options.compactAfterRows) return
    this.compaction = this.compact()
      .catch(() => {})
      .finally(() => {
        this.compaction = null
      })
  }

  /** Merges the stored log into one row. Appends racing it keep their own rows (DocStore [DS3]). */
  private async compact(): Promise<void> {
    try {
      const loaded = await this.store.load(this.docName)
      if (!loaded || loaded.refs.length <= 1) return
      // Re-encode instead of storing the merged log as is: mergeUpdates keeps every item
      // separate, encodeStateAsUpdate joins adjacent ones (about 2.6x smaller, faster to load).
      const scratch = new Y.Doc({ gc: false })
      Y.applyUpdate(scratch, loaded.update)
      const compacted = Y.encodeStateAsUpdate(scratch)
      scratch.destroy()
      await this.store.compact(this.docName, compacted, loaded.refs)
      this.storedRows -= loaded.refs.length - 1
      this.options.logger.debug({ docName: this.docName, rows: loaded.refs.length }, 'compacted doc log')
    } catch (error) {
      this.options.logger.error({ err: error, docName: this.docName }, 'compaction failed')
      throw error
    }
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (isUpdateOrigin(origin) && origin.kind === 'store') return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageSync)
    syncProtocol.writeUpdate(encoder, update)
    const frame = encoding.toUint8Array(encoder)
    if (isUpdateOrigin(origin)) {
      this.broadcast(frame, origin.kind === 'connection' ? origin.connection : null)
      return
    }
    // A change Yjs made by itself while integrating another (e.g. removing formatting markers
    // that concurrent edits left empty) carries no origin. It is already in the doc, so store it
    // and then send it to everyone; otherwise the room would hold content no client and no
    // store has.
    void this.track(this.store.append(this.docName, update)).then(
      () => {
        this.storedRows++
        this.broadcast(frame, null)
      },
      (error: unknown) => this.options.logger.error({ err: error, docName: this.docName }, 'storing a derived update failed'),
    )
  }

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const sender = isUpdateOrigin(origin) && origin.kind === 'connection' ? origin.connection : null
    if (sender) {
      for (const client of added) sender.awarenessClients.add(client)
      for (const client of removed) sender.awarenessClients.delete(client)
    }
    const changed = [...added, ...updated, ...removed]
    if (changed.length > 0) this.broadcast(this.encodeAwareness(changed), sender)
    if (sender && this.options.onPresence) this.notePresence([...added, ...updated])
  }

  private notePresence(clients: number[]): void {
    const fresh: string[] = []
    for (const client of clients) {
      const user = (this.awareness.getStates().get(client) as { user?: { name?: unknown } } | undefined)?.user
      const name = typeof user?.name === 'string' ? user.name.trim().slice(0, 60) : ''
      if (name && !this.presentNames.has(name)) {
        this.presentNames.add(name)
        fresh.push(name)
      }
    }
    if (fresh.length > 0) this.options.onPresence!(this.docName, fresh)
  }

  private encodeAwareness(clients: number[]): Uint8Array {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageAwareness)
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients))
    return encoding.toUint8Array(encoder)
  }

  private broadcast(frame: Uint8Array, except: Connection | null): void {
    for (const connection of this.connections) {
      if (connection !== except) connection.send(frame)
    }
  }
}

