/**
 * UpdateIntake: how a room takes updates from its peers. It owns the room's one time window
 * (time-window.ts) and the order of accepted updates (update-pipeline.ts): an update is checked
 * (update-gate.ts), queued in the order accepted, handed to the store when the window closes,
 * and, once stored, handed back to the room (`PipelineSink.applyStored`) in that order.
 *
 * A write from a peer that may not write is never applied; when it brings something new it is
 * remembered as refused (refused-writes.ts), so it can never land later.
 */
import * as Y from 'yjs'
import { CloseCode, closeReason } from '../../shared/close-codes.ts'
import { isEmptyUpdate } from '../../shared/protocol.ts'
import type { DocLog } from './doc-log.ts'
import { refusalOf, StoreUnavailableError, UpdateRefusedError } from './errors.ts'
import type { Peer } from './peer.ts'
import { deletesMore, newRanges, readDeletions, type RefusedWrites } from './refused-writes.ts'
import type { RoomDoc } from './room-doc.ts'
import type { RoomLimits } from './room-options.ts'
import { RateMeter, TimeWindow } from './time-window.ts'
import type { DocShape } from './update-checks.ts'
import { sliceStructs, UpdateGate, type Scanned } from './update-gate.ts'
import { UpdatePipeline, type PipelineSink } from './update-pipeline.ts'
import type { UpdateShape } from './update-shape.ts'
import { sliceUpdateInTurns } from './update-slices.ts'

/** Updates of one peer that may be accepted and not yet stored before it waits for the store. */
const maxPendingPerPeer = 1000

export interface IntakeOptions {
  limits: RoomLimits
  docShape: DocShape
  appendOnly: boolean
  /** See RoomOptions.broadcastWindowMs. */
  windowMs: number
  /** See RoomOptions.broadcastSendsPerSecond. */
  sendsPerSecond: number
}

/** Lets the event loop run everything else that is due before going on. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export class UpdateIntake {
  /** The room's one time window, shared with its fan-out (room-broadcast.ts). */
  readonly window = new TimeWindow(() => this.windowWidth())
  readonly pipeline: UpdatePipeline
  private readonly gate: UpdateGate
  /** The peer the last update came from (see `windowWidth`). */
  private lastWriter: Peer | null = null
  /** When an update last came from another peer than the one before (Date.now()). */
  private lastWriterChange = 0
  /** Updates accepted per second, lately (see `windowWidth`). */
  private readonly updateRate = new RateMeter()

  constructor(
    private readonly options: IntakeOptions,
    private readonly doc: RoomDoc,
    log: DocLog,
    private readonly refused: RefusedWrites,
    private readonly peers: ReadonlySet<Peer>,
    sink: PipelineSink,
    private readonly isClosing: () => boolean,
  ) {
    this.pipeline = new UpdatePipeline(this.window, sink)
    this.gate = new UpdateGate(options.limits, options, doc, log, this.pipeline)
  }

  /** True when the doc's pending updates passed their bound (see UpdateGate). */
  get pendingOverLimit(): boolean {
    return this.gate.pendingOverLimit
  }

  /** A peer left. */
  left(peer: Peer): void {
    if (this.lastWriter === peer) this.lastWriter = null
  }

  /**
   * Takes `update` from `peer`: checks it and queues it, and returns once it is accepted, so the
   * peer can pass on its next update while this one is being stored. Throws, before anything is
   * stored, MalformedUpdateError or UpdateRefusedError (see update-gate.ts).
   */
  async receive(update: Uint8Array, peer: Peer): Promise<void> {
    if (isEmptyUpdate(update)) {
      // (Every client's answer to the server's step 1 when it has nothing new: no need to build.)
      this.pipeline.acknowledgeAfterQueue(peer)
      return
    }
    this.doc.build()
    // A peer that runs far ahead of the store waits for it.
    if (this.pipeline.pendingOf(peer) >= maxPendingPerPeer) await this.pipeline.settled()
    this.gate.checkSize(update)
    const small = this.gate.scanSmall(update)
    if (!small) {
      await this.receiveInSlices(update, peer)
      return
    }
    this.gate.checkShape(update, small.shape)
    // Before the placement check: an edit inside a refused element is a diverged copy (4409, the
    // client resyncs), not content the server cannot place (4422).
    await this.refuseIfBuiltOnRefused([small.shape], peer)
    this.accept(update, small, peer)
  }

  /**
   * Takes an update over one slice (see update-slices.ts), e.g. a client's catch-up after a whole
   * session offline: first cuts and scans it a slice per turn of the event loop, refusing it
   * whole (nothing stored) when it is malformed up to there, claims more than the room's limits
   * or builds on a refused write; then checks and queues its slices one per turn, each stored and
   * applied on its own. A slice that fails the later checks (a parent that is not a type, too
   * many pending bytes) closes the peer as for a whole update; the slices before it stay.
   */
  private async receiveInSlices(update: Uint8Array, peer: Peer): Promise<void> {
    const limits = this.options.limits
    const slices: ({ update: Uint8Array } & Scanned)[] = []
    // Distinct client ids over all the slices (issue 15: an update naming 100,000 clients).
    const clients = new Set<number>()
    let structs = 0
    let deleteRanges = 0
    const iterator = sliceUpdateInTurns(update, sliceStructs, sliceStructs, { maxTotalStructs: limits.maxStructs, maxClients: limits.maxClients })
    for (;;) {
      let next
      try {
        next = iterator.next()
      } catch (error) {
        // Past the struct count 4413, past the client ids 4422; anything else is malformed (4400).
        throw refusalOf(error)
      }
      if (next.done) break
      if (!next.value) {
        // (Still reading the structs ahead of the first slice.)
        await nextTurn()
        if (peer.isClosed || this.isClosing()) return
        continue
      }
      structs += next.value.structs
      deleteRanges += next.value.deleteRanges
      if (structs > limits.maxStructs) throw new UpdateRefusedError('payload_too_large', `update carries more than ${limits.maxStructs} structs`)
      if (deleteRanges > limits.maxDeleteRanges) throw new UpdateRefusedError('payload_too_large', `update deletes more than ${limits.maxDeleteRanges} ranges`)
      const scanned = this.gate.scanChecked(next.value.update, limits.maxStructs, limits.maxDeleteRanges)
      for (const client of scanned.shape.endClocks.keys()) clients.add(client)
      for (const client of scanned.shape.deleteEnds.keys()) clients.add(client)
      if (clients.size > limits.maxClients) throw new UpdateRefusedError('unprocessable', `update refused: update names more than ${limits.maxClients} client ids`)
      slices.push({ update: next.value.update, ...scanned })
      await nextTurn()
      if (peer.isClosed || this.isClosing()) return
    }
    // As for a whole update: one that starts past what the doc has for a client is kept pending
    // by Yjs, and the whole of it counts against the pending bound.
    const firstClocks = new Map<number, number>()
    for (const { shape } of slices) {
      for (const [client, clock] of shape.firstClocks) firstClocks.set(client, Math.min(clock, firstClocks.get(client) ?? clock))
    }
    this.gate.checkPendingStart(firstClocks, update.length)
    await this.refuseIfBuiltOnRefused(
      slices.map((slice) => slice.shape),
      peer,
    )
    for (const slice of slices) {
      if (peer.isClosed || this.isClosing()) return
      this.gate.checkShape(slice.update, slice.shape)
      this.accept(slice.update, slice, peer)
      await nextTurn()
    }
  }

  /** Checks where a scanned update's items go and queues it for the store and the doc. */
  private accept(update: Uint8Array, scanned: Scanned, peer: Peer): void {
    const placed = this.gate.checkPlacement(scanned)
    if (peer !== this.lastWriter) {
      if (this.lastWriter) this.lastWriterChange = Date.now()
      this.lastWriter = peer
    }
    this.updateRate.note()
    this.pipeline.accept(peer, update, scanned.shape, placed)
  }

  /**
   * Takes `update` from a peer that may not write (locked, ended, read-only): it is never
   * applied. When it brings structs the pad does not hold, they are remembered as refused
   * (durably, before this resolves) so they can never land later, and true is returned: the
   * peer's copy has diverged and it must be closed (4409). False when the update brings nothing
   * new (e.g. the empty sync step 2 of a viewer). Throws as `receive` on an update that does not
   * decode or breaks a limit.
   */
  async refuse(update: Uint8Array, peer: Peer): Promise<boolean> {
    if (isEmptyUpdate(update)) return false
    const shape = this.gate.scan(update)
    await this.refreshRefused(shape, peer)
    // A room whose clients only read is not built for them (see room-doc.ts): its state and
    // delete set are read from the stored bytes instead, once.
    const state = this.doc.isBuilt ? null : Y.decodeStateVector(this.doc.stateVector())
    const ranges = newRanges(shape, (client) => (state ? (state.get(client) ?? 0) : this.gate.projectedState(client)))
    if (ranges.length > 0) {
      await this.refused.record(ranges)
      return true
    }
    if (this.refused.touches(shape)) return true
    if (shape.deleteRanges === 0) return false
    return deletesMore(readDeletions(update), this.doc.deletions())
  }

  /**
   * Refuses (4409) updates of these shapes when one contains a refused write or builds on one,
   * remembering their new structs as refused in turn (see refused-writes.ts).
   */
  private async refuseIfBuiltOnRefused(shapes: UpdateShape[], peer: Peer): Promise<void> {
    for (const shape of shapes) await this.refreshRefused(shape, peer)
    if (!shapes.some((shape) => this.refused.touches(shape))) return
    await this.refused.record(shapes.flatMap((shape) => newRanges(shape, (client) => this.gate.projectedState(client))))
    throw new UpdateRefusedError('diverged', closeReason[CloseCode.diverged])
  }

  /** Re-reads refused writes another instance may have recorded (see RefusedWrites.refresh). */
  private async refreshRefused(shape: UpdateShape, peer: Peer): Promise<void> {
    try {
      await this.refused.refresh(shape, peer)
    } catch (error) {
      throw new StoreUnavailableError(error)
    }
  }

  /**
   * The window's width now: the least time between two update frames of this room (see
   * RoomOptions). Coalescing only when it pays (issue 21): while sending every update as it comes
   * keeps the room within its sends budget (updates per second lately × connections), nothing
   * waits for a window (0: what arrives in one turn goes together). Past the budget, the edits of
   * people typing at once are merged, one frame per window, and a room with more connections than
   * the budget allows in one window widens it; one writer alone (a paste, a client catching up) is
   * stored and sent at the store's pace, as the budget allows. Without a budget (0), the window
   * always merges the edits of people typing at once.
   */
  private windowWidth(): number {
    const window = this.options.windowMs
    const budget = this.options.sendsPerSecond
    const now = Date.now()
    if (budget > 0 && this.updateRate.read(now) * this.peers.size <= budget) return 0
    const base = now - this.lastWriterChange < 2 * window ? window : 0
    return budget > 0 ? Math.max(base, (this.peers.size * 1000) / budget) : base
  }
}
