/**
 * RoomRegistry: the live Rooms of this instance. It loads a Room on the first connection to a doc
 * (concurrent first connections share one load), keeps it while anyone is connected, and unloads
 * it `unloadDelayMs` after the last one leaves: appends are flushed, the log is compacted, the
 * doc is dropped from memory. A connection arriving while its room unloads waits for the unload
 * to finish and then loads the doc afresh, so it never misses a stored update.
 */
import type * as Y from 'yjs'
import { CloseCode, closeReason } from '../../shared/close-codes.ts'
import type { DocStore } from '../storage/doc-store.ts'
import { Connection, type ConnectionOptions } from './connection.ts'
import { lazyChild } from '../../shared/logger.ts'
import { Room, type RoomOptions } from './room.ts'
import type { SyncSocket } from './socket.ts'
import type { DocShape } from './update-checks.ts'
import type { ConnectionAwarenessLimits } from './awareness-limits.ts'
import type { SyncMetrics } from './sync-metrics.ts'
import type { PresentPerson } from '../../shared/participants.ts'

/**
 * The registry's options: every RoomOptions field (given to each room it loads; `logger` gets the
 * doc's name bound), with the per-doc ones as functions of the doc's name, and the connections'.
 */
export interface RoomRegistryOptions extends Omit<RoomOptions, 'appendOnly' | 'docShape'> {
  store: DocStore
  /** How long an empty room stays loaded, in case someone reconnects. @default 2000 */
  unloadDelayMs: number
  /** @default 4 MiB */
  maxQueuedBytesPerConnection: number
  /** See ConnectionOptions.rateLimit. */
  rateLimit?: ConnectionOptions['rateLimit']
  /** See ConnectionOptions.metrics. */
  metrics?: SyncMetrics
  /** See ConnectionOptions.maxSendBacklogBytes. */
  maxSendBacklogBytes?: number
  /** See ConnectionOptions.awareness. */
  awarenessLimits?: Partial<ConnectionAwarenessLimits>
  /** Which docs clients may only add to (see RoomOptions.appendOnly). */
  isAppendOnly?: (docName: string) => boolean
  /** Which content rules each doc follows (see RoomOptions.docShape). @default () => 'free' */
  docShape?: (docName: string) => DocShape
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Promise<Room>>()
  private readonly unloading = new Map<string, Promise<void>>()
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>()
  private readonly connections = new Set<Connection>()
  /** Pads that stopped taking writes (see room-writer.ts), with why; forgotten when their room unloads. */
  private readonly failed = new Map<string, string>()
  /** Every room's `onFailed` (one function for all of them): remembers the pad, then tells the owner. */
  private readonly roomFailed = (failedDoc: string, reason: string): void => {
    this.failed.set(failedDoc, reason)
    this.options.onFailed?.(failedDoc, reason)
  }
  private closing: Promise<void> | null = null

  private readonly stopResync: (() => void) | null

  constructor(private readonly options: RoomRegistryOptions) {
    // After a bus outage every loaded room catches up from the store.
    this.stopResync =
      options.bus?.onReconnect(() => {
        for (const entry of this.rooms.values()) {
          void entry.then(
            (room) => room.resync(),
            // A room that failed to load has nothing to catch up (its load logged the failure).
            () => {},
          ).catch((error: unknown) => this.options.logger.error({ err: error }, 'resync after bus outage failed'))
        }
      }) ?? null
  }

  /**
   * Creates the Connection for `socket` joining `docName`. Returns at once, so the transport can
   * feed it frames while the room loads. After `close`, the socket is refused with 1001.
   */
  connect(docName: string, socket: SyncSocket, options: Pick<ConnectionOptions, 'wantsAck'> & Partial<Pick<ConnectionOptions, 'canWrite' | 'writeRefusal' | 'mayParticipate'>>): Connection {
    const connection = new Connection(socket, {
      wantsAck: options.wantsAck,
      canWrite: options.canWrite ?? (() => true),
      writeRefusal: options.writeRefusal,
      mayParticipate: options.mayParticipate,
      awareness: this.options.awarenessLimits,
      maxQueuedBytes: this.options.maxQueuedBytesPerConnection,
      rateLimit: this.options.rateLimit,
      maxSendBacklogBytes: this.options.maxSendBacklogBytes,
      metrics: this.options.metrics,
      logger: lazyChild(this.options.logger, { docName }),
    })
    if (this.closing) {
      connection.close(CloseCode.goingAway)
      return connection
    }
    this.connections.add(connection)
    connection.attach(this.join(docName, connection))
    return connection
  }

  /** Called by the transport after a socket closed: forget the connection, maybe unload its room. */
  disconnected(docName: string, connection: Connection): void {
    connection.handleSocketClosed()
    this.connections.delete(connection)
    void this.rooms.get(docName)?.then(
      (room) => this.scheduleUnload(room),
      // A room that failed to load is not cached (see `acquire`): nothing to unload.
      () => {},
    )
  }

  /** The loaded pads that stopped taking writes because an update they stored failed to apply, with why (for `/healthz`). */
  get failedPads(): { docName: string; reason: string }[] {
    return [...this.failed].map(([docName, reason]) => ({ docName, reason }))
  }

  /** Number of open connections. */
  get connectionCount(): number {
    return this.connections.size
  }

  /** Doc names of the loaded rooms whose doc is built; the others hold only their stored bytes. */
  async builtDocNames(): Promise<string[]> {
    const rooms = await Promise.allSettled([...this.rooms.values()])
    return rooms.flatMap((result) => (result.status === 'fulfilled' && result.value.isBuilt && !result.value.isClosed ? [result.value.docName] : []))
  }

  /** The room of `docName` if it is loaded or loading. @internal (tests look inside rooms) */
  loadedRoom(docName: string): Promise<Room> | undefined {
    return this.rooms.get(docName)
  }

  /** Doc names of the rooms currently loaded or loading. */
  get loadedDocNames(): string[] {
    return [...this.rooms.keys()]
  }

  /**
   * Shuts down: every connection is closed with 1001 (going away), every room flushes its
   * appends and compacts. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose()
    return this.closing
  }

  private async doClose(): Promise<void> {
    this.stopResync?.()
    for (const timer of this.unloadTimers.values()) clearTimeout(timer)
    this.unloadTimers.clear()
    for (const connection of this.connections) connection.close(CloseCode.goingAway, closeReason[CloseCode.goingAway])
    await Promise.allSettled([...this.connections].map((connection) => connection.whenIdle()))
    this.connections.clear()
    const rooms = await Promise.allSettled([...this.rooms.values()])
    this.rooms.clear()
    await Promise.allSettled([
      ...this.unloading.values(),
      ...rooms.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)),
    ])
  }

  /**
   * Applies a server-made change to `docName` (loading the room if nobody is connected, and
   * unloading it again afterwards). Resolves once the change is stored and broadcast.
   */
  async change(docName: string, change: (ydoc: Y.Doc) => void): Promise<void> {
    if (this.closing) throw new Error('RoomRegistry is closed')
    const room = await this.acquire(docName)
    try {
      await room.applyServerChange(change)
    } finally {
      this.scheduleUnload(room)
    }
  }

  /**
   * Reads `docName`'s current content (loading it if needed) through `read`, after every update
   * already accepted has been stored and applied.
   */
  async read<T>(docName: string, read: (ydoc: Y.Doc) => T): Promise<T> {
    const room = await this.acquire(docName)
    try {
      await room.whenSettled()
      return read(room.ydoc)
    } finally {
      this.scheduleUnload(room)
    }
  }

  private async join(docName: string, connection: Connection): Promise<Room> {
    const room = await this.acquire(docName)
    if (connection.isClosed) {
      this.scheduleUnload(room)
    } else {
      room.addConnection(connection)
    }
    return room
  }

  /** The loaded, open room for `docName`, loading it if needed; cancels a pending unload. */
  private async acquire(docName: string): Promise<Room> {
    for (;;) {
      await this.unloading.get(docName)
      let entry = this.rooms.get(docName)
      if (!entry) {
        entry = Room.load(docName, this.options.store, {
          ...this.options,
          // Made on first use (a pino child costs about a kilobyte): most rooms never log.
          logger: lazyChild(this.options.logger, { docName }),
          appendOnly: this.options.isAppendOnly?.(docName) ?? false,
          docShape: this.options.docShape?.(docName) ?? 'free',
          onFailed: this.roomFailed,
        })
        this.rooms.set(docName, entry)
        // A failed load is not cached: the next connection tries again.
        entry.catch(() => {
          if (this.rooms.get(docName) === entry) this.rooms.delete(docName)
        })
      }
      const room = await entry
      // The room may have started unloading while we awaited it: wait for that, load afresh.
      if (room.isClosed) continue
      this.cancelUnload(docName)
      return room
    }
  }

  private cancelUnload(docName: string): void {
    const timer = this.unloadTimers.get(docName)
    if (timer) {
      clearTimeout(timer)
      this.unloadTimers.delete(docName)
    }
  }

  private scheduleUnload(room: Room): void {
    if (room.size > 0 || room.isClosed || this.closing || this.unloadTimers.has(room.docName)) return
    const timer = setTimeout(() => {
      this.unloadTimers.delete(room.docName)
      if (room.size > 0 || room.isClosed) return
      this.rooms.delete(room.docName)
      // Reloaded, the doc is rebuilt from the store (rows that fail to load are quarantined).
      this.failed.delete(room.docName)
      const unloaded = room.close().finally(() => this.unloading.delete(room.docName))
      this.unloading.set(room.docName, unloaded)
      this.options.logger.debug({ docName: room.docName }, 'room unloaded')
    }, this.options.unloadDelayMs)
    timer.unref()
  }
}
