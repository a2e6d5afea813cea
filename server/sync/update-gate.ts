/**
 * UpdateGate: the checks an update from a client passes before it is accepted, against the room's
 * limits, its doc and the updates accepted before it (still on their way to the store). Each
 * check throws UpdateRefusedError (4413 past a count or size, 4422 past a content rule, 4403 for
 * a delete in an append-only doc) or MalformedUpdateError (4400); nothing refused is stored.
 */
import * as Y from 'yjs'
import type { DocLog } from './doc-log.ts'
import { MalformedUpdateError, refusalOf, UpdateRefusedError } from './errors.ts'
import type { RoomDoc } from './room-doc.ts'
import { UpdateChecker, type DocShape } from './update-checks.ts'
import type { PlacedItems } from './update-placement.ts'
import type { UpdatePipeline } from './update-pipeline.ts'
import { idKey, scanUpdate, type UpdateShape } from './update-shape.ts'
import type { RoomLimits } from './room-options.ts'

/**
 * Most structs (and most deleted ranges) taken in one turn of the event loop: a larger update is
 * cut into slices of this size (update-slices.ts), and the pipeline applies at most this many per
 * turn. Applying 1,000 structs of typing to a pad takes about 5 ms (15,000 took 82 ms on the
 * development machine): a tenth of the 50 ms a turn may take, so a loaded machine keeps within
 * it too (issue 16, part 6).
 */
export const sliceStructs = 1000

/** A scanned update: its shape, and its items collected for the placement check (update-checks.ts). */
export interface Scanned {
  shape: UpdateShape
  checker: UpdateChecker
}

export class UpdateGate {
  constructor(
    readonly limits: RoomLimits,
    private readonly rules: { docShape: DocShape; appendOnly: boolean },
    private readonly doc: RoomDoc,
    private readonly log: DocLog,
    private readonly pipeline: UpdatePipeline,
  ) {}

  /** Refuses an update over the byte limits (the update's, the doc's), before anything else. */
  checkSize(update: Uint8Array): void {
    const limits = this.limits
    if (update.length > limits.maxUpdateBytes) {
      throw new UpdateRefusedError('payload_too_large', `update larger than ${limits.maxUpdateBytes} bytes`)
    }
    if (this.log.bytes + this.pipeline.inflightBytes + update.length > limits.maxDocBytes) {
      throw new UpdateRefusedError('payload_too_large', `document larger than ${limits.maxDocBytes} bytes`)
    }
  }

  /**
   * The shape of `update` and its content checker when it fits in one slice (the scan stops as
   * soon as it does not, so this costs at most one slice's walk); null when it must be taken in
   * slices. Throws as `scanChecked`.
   */
  scanSmall(update: Uint8Array): Scanned | null {
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
  scanChecked(update: Uint8Array, maxStructs: number, maxDeleteRanges: number): Scanned {
    const checker = new UpdateChecker(this.rules.docShape, this.limits)
    try {
      const shape = scanUpdate(update, { maxStructs, maxDeleteRanges, content: this.limits }, checker.collect)
      return { shape, checker }
    } catch (error) {
      throw refusalOf(error)
    }
  }

  /**
   * Scans `update` under the room's limits (see update-shape.ts), without the content checks (a
   * read-only connection's update is never applied). Throws as `scanChecked`.
   */
  scan(update: Uint8Array): UpdateShape {
    try {
      return scanUpdate(update, this.limits)
    } catch (error) {
      throw refusalOf(error)
    }
  }

  /**
   * Checks where the scanned items go, against the doc and the updates accepted before (parents
   * are types; elements, attributes and marks as the doc's shape allows). Throws as `scanChecked`.
   */
  checkPlacement({ shape, checker }: Scanned): PlacedItems {
    try {
      this.checkParents(shape)
      checker.check({ doc: this.doc.doc, findQueued: this.pipeline.findQueued, types: this.doc.typeInfos })
    } catch (error) {
      throw refusalOf(error)
    }
    return checker.items
  }

  /** Refuses, before anything is stored, an update whose scanned `shape` breaks a rule of the room. */
  checkShape(update: Uint8Array, shape: UpdateShape): void {
    if (this.rules.appendOnly && shape.deleteRanges > 0) throw new UpdateRefusedError('forbidden', 'this document is append-only')
    this.checkPendingStart(shape.firstClocks, update.length)
  }

  /**
   * An update starting past what the doc (with the updates accepted before it) has for a client
   * cannot be integrated yet: Yjs keeps it pending. Legitimate clients rarely do that; a hostile
   * one could fill memory with it: refuses (4413) one that would pass `maxPendingBytes`.
   */
  checkPendingStart(firstClocks: Map<number, number>, bytes: number): void {
    const limits = this.limits
    const pending = this.doc.pendingBytes()
    for (const [client, clock] of firstClocks) {
      if (clock > this.projectedState(client) && pending + bytes > limits.maxPendingBytes) {
        throw new UpdateRefusedError('payload_too_large', `more than ${limits.maxPendingBytes} bytes of pending updates`)
      }
    }
  }

  /** True when the doc's pending updates passed their bound (the last sender is then closed). */
  get pendingOverLimit(): boolean {
    return this.doc.pendingBytes() > this.limits.maxPendingBytes
  }

  /** The clock `client` will have reached once every accepted update is applied. */
  projectedState(client: number): number {
    return Math.max(Y.getState(this.doc.doc.store, client), this.pipeline.queuedEnd(client))
  }

  /**
   * An item placed inside another item must be placed inside a type (a map, a text, an element):
   * Yjs takes that on trust and breaks half-way through integrating otherwise. The parent may be
   * in the doc, in an update accepted but not applied yet, or in this update.
   */
  private checkParents(shape: UpdateShape): void {
    const store = this.doc.doc.store
    for (const parent of shape.parentRefs) {
      if (parent.clock < Y.getState(store, parent.client)) {
        const item = Y.getItem(store, Y.createID(parent.client, parent.clock))
        const isType = item instanceof Y.Item && item.content instanceof Y.ContentType && item.id.clock === parent.clock
        if (!isType && !(item instanceof Y.GC)) throw new MalformedUpdateError('parent is not a type')
        continue
      }
      const key = idKey(parent.client, parent.clock)
      if (shape.typeItems.has(key) || this.pipeline.queuesType(key)) continue
      // Anything else the update or the accepted ones hold at that id is not a type; beyond them,
      // the parent is missing and Yjs keeps the item pending until it arrives.
      const known = Math.max(this.projectedState(parent.client), shape.endClocks.get(parent.client) ?? 0)
      if (parent.clock < known) throw new MalformedUpdateError('parent is not a type')
    }
  }
}
