/**
 * UpdatePipeline: the updates a room accepted from its connections and has not applied yet, in
 * the order accepted. Each is handed to the store, and applied only once its append settled, in
 * order: every settled entry at the head of the queue is applied in one go, consecutive updates of
 * one connection as one run (one transaction, one acknowledgement). So the room's doc only ever
 * holds stored content, and no client is shown an edit a crash could still lose.
 *
 * While the room is busy (past its sends budget, see update-intake.ts `windowWidth`), appends
 * wait for the room's window (time-window.ts) to close: an update stored at once
 * would only wait for the window before anyone saw it, so the updates of one window share one
 * commit (one fsync instead of one per keystroke) and go out in one frame as soon as they are
 * stored. The first update after a quiet spell is handed to the store at once.
 *
 * A drain applies at most `maxStructsPerDrain` structs and deleted ranges (a whole entry at
 * least); what is left goes in the next turn of the event loop, so the slices of a large catch-up
 * stored in one commit still never keep the loop for long (issue 16, part 6).
 */
import type { Peer } from './peer.ts'
import { QueuedItems } from './queued-items.ts'
import type { TimeWindow } from './time-window.ts'
import type { PlacedItems, QueuedItem } from './update-placement.ts'
import type { UpdateShape } from './update-shape.ts'

/** Where the pipeline's updates go: to the store first, then, once stored and in order, into the room's doc. */
export interface PipelineSink {
  /** Has the store append `update`; resolves once it is durable. */
  append(update: Uint8Array): Promise<void>
  /**
   * Applies one connection's run of stored updates (possibly none, e.g. an acknowledgement
   * request), in one transaction; `failure` holds the store's error when one of them could not be
   * stored (it is left out of `updates`). Returns true when something was applied.
   */
  applyStored(connection: Peer, updates: Uint8Array[], failure: { error: unknown } | null): boolean
  /** Called after each drain that applied anything. */
  drained(): void
}

/** An accepted update, or an acknowledgement request (`update` null) due after what precedes it. */
interface Accepted {
  connection: Peer
  update: Uint8Array | null
  shape: UpdateShape | null
  /** Its items with their placements (update-checks.ts), when they were checked. */
  placed?: PlacedItems
  /** `staged`: waiting for the window before it is handed to the store. */
  outcome: 'staged' | 'storing' | 'stored' | 'failed'
  /** When the append started (performance.now()), for the append latency metric. */
  started: number
  error?: unknown
  /** Called once this entry has been applied (see `settled`). */
  waiters?: (() => void)[]
}

/**
 * Most structs plus deleted ranges applied in one drain (one turn), unless one entry alone has
 * more. Matches the room's slice size (room.ts `sliceStructs`).
 */
export const maxStructsPerDrain = 1000

export class UpdatePipeline {
  private queue: Accepted[] = []
  /** For each client, the highest clock the queued updates reach (cleared when none is left). */
  private readonly ends = new Map<number, number>()
  /** The queued updates' placed items, by id. */
  private readonly items = new QueuedItems()
  /** How many queued updates create a type at each id (`idKey`). */
  private readonly typeKeys = new Map<string, number>()
  private staged: Accepted[] = []
  private drainScheduled = false
  private bytes = 0
  private readonly perPeer = new Map<Peer, number>()
  private immediate = false

  constructor(
    /** The room's one time window: staged updates go to the store when it closes. */
    private readonly window: TimeWindow,
    private readonly sink: PipelineSink,
  ) {}

  /** Bytes of the updates accepted and not applied yet. */
  get inflightBytes(): number {
    return this.bytes
  }

  /** How many of `connection`'s updates are accepted and not applied yet. */
  pendingOf(connection: Peer): number {
    return this.perPeer.get(connection) ?? 0
  }

  /** The highest clock of `client` that the queued updates reach (0 for none). */
  queuedEnd(client: number): number {
    return this.ends.get(client) ?? 0
  }

  /** True when a queued update creates a type at `key` (see update-shape.ts `idKey`). */
  queuesType(key: string): boolean {
    return this.typeKeys.has(key)
  }

  /** The item covering `client:clock` in the oldest queued update (checked) that has one, or null. */
  readonly findQueued = (client: number, clock: number): QueuedItem | null => this.items.find(client, clock)

  /** Queues `update` (already checked, with its `shape` and placed items) from `connection`. */
  accept(connection: Peer, update: Uint8Array, shape: UpdateShape, placed?: PlacedItems): void {
    const entry: Accepted = { connection, update, shape, placed, outcome: 'staged', started: 0 }
    this.queue.push(entry)
    if (placed) this.items.add(placed)
    for (const key of shape.typeItems) this.typeKeys.set(key, (this.typeKeys.get(key) ?? 0) + 1)
    for (const [client, end] of shape.endClocks) {
      if (end > (this.ends.get(client) ?? 0)) this.ends.set(client, end)
    }
    this.bytes += update.length
    this.perPeer.set(connection, this.pendingOf(connection) + 1)
    this.staged.push(entry)
    if (this.immediate) this.appendStaged()
    else this.window.schedule(this.appendStaged, 'now')
  }

  /** Queues an acknowledgement for `connection`, due once everything accepted before it is applied. */
  acknowledgeAfterQueue(connection: Peer): void {
    this.queue.push({ connection, update: null, shape: null, outcome: 'stored', started: 0 })
    this.scheduleDrain()
  }

  /** Hands staged updates to the store at once from now on (the room is closing). */
  appendImmediately(): void {
    this.immediate = true
    this.appendStaged()
  }

  /** Resolves once everything accepted so far has been applied (at once when nothing is queued). */
  settled(): Promise<void> {
    const last = this.queue.at(-1)
    if (!last) return Promise.resolve()
    return new Promise((resolve) => (last.waiters ??= []).push(resolve))
  }

  /** Hands every staged update to the store, in the order accepted (they share its next commit). */
  private readonly appendStaged = (): void => {
    const staged = this.staged
    if (staged.length === 0) return
    this.staged = []
    for (const entry of staged) {
      entry.outcome = 'storing'
      entry.started = performance.now()
      this.sink.append(entry.update!).then(
        () => {
          entry.outcome = 'stored'
          this.scheduleDrain()
        },
        (error: unknown) => {
          entry.outcome = 'failed'
          entry.error = error
          this.scheduleDrain()
        },
      )
    }
  }

  /** Drains on a microtask, so every append a commit settled is applied in the same drain. */
  private scheduleDrain(): void {
    if (this.drainScheduled) return
    this.drainScheduled = true
    queueMicrotask(() => this.drain())
  }

  /**
   * Applies every entry at the head of the queue whose append has settled, in order, one run per
   * connection. An update the store refused is never applied, so no client sees it.
   */
  private drain(): void {
    this.drainScheduled = false
    let count = 0
    let work = 0
    while (count < this.queue.length && (this.queue[count]!.outcome === 'stored' || this.queue[count]!.outcome === 'failed')) {
      const shape = this.queue[count]!.shape
      const entryWork = shape ? shape.structs + shape.deleteRanges : 0
      if (count > 0 && work + entryWork > maxStructsPerDrain) {
        // The rest is applied in the next turn, after whatever else is due.
        this.drainScheduled = true
        setImmediate(() => this.drain())
        break
      }
      work += entryWork
      count++
    }
    if (count === 0) return
    const done = this.queue.slice(0, count)
    this.queue = this.queue.slice(count)
    if (this.queue.length === 0) this.ends.clear()
    for (const entry of done) this.forget(entry)
    let applied = false
    for (let start = 0; start < done.length; ) {
      const connection = done[start]!.connection
      let end = start
      while (end < done.length && done[end]!.connection === connection) end++
      applied = this.applyRun(connection, done.slice(start, end)) || applied
      start = end
    }
    if (applied) this.sink.drained()
    for (const entry of done) for (const resolve of entry.waiters ?? []) resolve()
  }

  /** Drops a drained entry from the lookups by id. */
  private forget(entry: Accepted): void {
    if (entry.placed) this.items.remove(entry.placed)
    for (const key of entry.shape?.typeItems ?? []) {
      const left = this.typeKeys.get(key)! - 1
      if (left > 0) this.typeKeys.set(key, left)
      else this.typeKeys.delete(key)
    }
  }

  private applyRun(connection: Peer, run: Accepted[]): boolean {
    const now = performance.now()
    const updates: Uint8Array[] = []
    let failure: { error: unknown } | null = null
    for (const entry of run) {
      if (!entry.update) continue
      this.bytes -= entry.update.length
      const left = this.pendingOf(connection) - 1
      if (left > 0) this.perPeer.set(connection, left)
      else this.perPeer.delete(connection)
      if (entry.outcome === 'failed') {
        failure ??= { error: entry.error }
        continue
      }
      connection.metrics.appendSeconds((now - entry.started) / 1000)
      updates.push(entry.update)
    }
    return this.sink.applyStored(connection, updates, failure)
  }
}
