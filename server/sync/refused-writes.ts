/**
 * RefusedWrites: what a pad refused, so it can never land later (issue 16, part 2).
 *
 * A Yjs client numbers its structs 0, 1, 2, ... and every struct it makes after one builds on
 * it. So once a write of client C starting at clock `a` was refused (the pad was locked or
 * ended, or the connection is read-only), every later struct of C is either that write or built
 * on it: the room refuses, from then on, any update that
 * - carries a struct of C reaching past `a` (it contains the refused write or comes after it),
 * - refers to an id of C at or past `a` as origin, right origin or parent (it was made on top of
 *   the refused write, e.g. in another tab that saw it), or
 * - deletes an id of C at or past `a`.
 * The update refused for building on a refused write is refused in turn: its own new structs are
 * recorded the same way. The ranges are kept in the DocStore (durable before the client is told),
 * so a reconnect, another instance or a restart refuses them too. Without this, the refused
 * write's client would have every later edit held back by Yjs as "pending" (it depends on the
 * dropped one), shown to nobody, until a reconnect delivered the refused write with them.
 */
import * as decoding from 'lib0/decoding'
import type { DocStore, RefusedRange } from '../storage/doc-store.ts'
import type { Logger } from '../../shared/logger.ts'
import { lengthsOnly, readLength, skipStruct, type UpdateShape } from './update-shape.ts'

/** Where a room's RefusedWrites keeps what it refused. */
export interface RefusedWritesHost {
  store: DocStore
  docName: string
  logger: Logger
  /** True when other instances write the pad too (and may refuse writes of their own). */
  shared: boolean
  /** Tracks a store write, so the room waits for it before it closes. */
  track<T>(write: Promise<T>): Promise<T>
}

/** The writes one pad refused: checked against every update, kept in the DocStore. */
export class RefusedWrites {
  /** For each client with a refused write: the lowest refused clock. */
  private readonly from = new Map<number, number>()
  /**
   * With other instances, the clients each asker (a connection) named so far: the first update
   * naming a client re-reads the refused writes, which another instance may have recorded.
   */
  private readonly checked = new WeakMap<object, Set<number>>()

  constructor(private readonly host: RefusedWritesHost) {}

  /** Remembers `ranges` (from the store or from a refusal just made). */
  add(ranges: Iterable<RefusedRange>): void {
    for (const { client, start } of ranges) {
      if (start < (this.from.get(client) ?? Infinity)) this.from.set(client, start)
    }
  }

  /** Number of clients with a refused write. */
  get size(): number {
    return this.from.size
  }

  /** The lowest refused clock of `client`, or undefined when none of its writes was refused. */
  refusedFrom(client: number): number | undefined {
    return this.from.get(client)
  }

  /**
   * Remembers refused `ranges` at once (later updates are checked against them from now on) and
   * has the store keep them; resolves once they are durable. A store failure is logged: this
   * instance still refuses them while the room is loaded, which is all it can do without one.
   */
  async record(ranges: RefusedRange[]): Promise<void> {
    if (ranges.length === 0) return
    this.add(ranges)
    const { store, docName, logger } = this.host
    logger.info({ docName, ranges }, 'write refused; remembering it')
    try {
      await this.host.track(store.appendRefused(docName, ranges))
    } catch (error) {
      logger.error({ err: error, docName }, 'storing a refused write failed')
    }
  }

  /**
   * With other instances sharing the pad, re-reads the refused writes the first time `asker`
   * names a client (in its structs, references or deletions): another instance may have refused
   * that client's write, e.g. before the client reconnected here. Throws the store's error.
   */
  async refresh(shape: UpdateShape, asker: object): Promise<void> {
    if (!this.host.shared) return
    let checked = this.checked.get(asker)
    if (!checked) this.checked.set(asker, (checked = new Set()))
    let unseen = false
    for (const ends of [shape.endClocks, shape.refEnds, shape.deleteEnds]) {
      for (const client of ends.keys()) {
        if (checked.has(client)) continue
        checked.add(client)
        unseen = true
      }
    }
    if (unseen) this.add(await this.host.store.loadRefused(this.host.docName))
  }

  /** True when an update of `shape` contains a refused write or builds on one (see the header). */
  touches(shape: UpdateShape): boolean {
    if (this.from.size === 0) return false
    return reaches(this.from, shape.endClocks) || reaches(this.from, shape.refEnds) || reaches(this.from, shape.deleteEnds)
  }
}

function reaches(from: Map<number, number>, ends: Map<number, number>): boolean {
  for (const [client, end] of ends) {
    const start = from.get(client)
    if (start !== undefined && end > start) return true
  }
  return false
}

/**
 * The ranges of `shape`'s structs the room does not hold: for each client, from where the
 * update starts or from `known(client)` (the clock the room holds or has accepted up to),
 * whichever is later, to where the update ends. Empty when the update brings nothing new (e.g.
 * the empty sync step 2 of a client with no edits), which is not a refusal worth recording.
 */
export function newRanges(shape: UpdateShape, known: (client: number) => number): RefusedRange[] {
  const ranges: RefusedRange[] = []
  for (const [client, end] of shape.endClocks) {
    const start = Math.max(shape.firstClocks.get(client) ?? 0, known(client))
    if (end > start) ranges.push({ client, start, end })
  }
  return ranges
}

/** Deleted ranges per client, as Yjs' DeleteSet holds them (`clients`). */
export type Deletions = Map<number, { clock: number; len: number }[]>

/**
 * The delete set of `update` (v1 encoding), read without decoding its structs. Throws on bytes
 * that do not follow the encoding (callers pass updates the scan accepted, or stored ones).
 */
export function readDeletions(update: Uint8Array): Deletions {
  const decoder = decoding.createDecoder(update)
  const clients = decoding.readVarUint(decoder)
  for (let c = 0; c < clients; c++) {
    const count = decoding.readVarUint(decoder)
    const client = decoding.readVarUint(decoder)
    let clock = decoding.readVarUint(decoder)
    for (let i = 0; i < count; i++) clock += skipStruct(decoder, client, clock, lengthsOnly)
  }
  const deletions: Deletions = new Map()
  const deleteClients = decoding.readVarUint(decoder)
  for (let c = 0; c < deleteClients; c++) {
    const client = decoding.readVarUint(decoder)
    const count = decoding.readVarUint(decoder)
    const ranges: { clock: number; len: number }[] = []
    for (let r = 0; r < count; r++) ranges.push({ clock: decoding.readVarUint(decoder), len: readLength(decoder) })
    deletions.set(client, [...(deletions.get(client) ?? []), ...ranges])
  }
  return deletions
}

/**
 * True when `update` deletes something `done` (a doc's delete set, its ranges merged as Yjs
 * keeps them) does not: a refused deletion. A refused deletion makes no structs to remember,
 * but the client's copy has diverged all the same: left connected, its next sync (a reconnect)
 * would carry the deletion in again.
 */
export function deletesMore(update: Deletions, done: Deletions): boolean {
  for (const [client, ranges] of update) {
    const have = done.get(client) ?? []
    for (const { clock, len } of ranges) {
      if (!have.some((range) => range.clock <= clock && range.clock + range.len >= clock + len)) return true
    }
  }
  return false
}
