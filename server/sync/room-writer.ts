/**
 * RoomWriter: every write to a room's doc goes through here, store first. It appends to the
 * DocStore (tracking each write, so the room waits for them before it closes), applies the
 * clients' stored updates in runs (UpdatePipeline's sink) and makes the server's own changes.
 *
 * If an update that was stored fails to apply (Yjs throws), the doc may hold part of it and later
 * updates could build on what is missing: the pad stops taking writes and says why (`failure`,
 * a metric, an error log line, `onFailed` for `/healthz`). Its writers are closed with the
 * `pad_failed` close (1011, "pad failed; writes stopped"); reads go on. Reloading the room (once
 * everyone left, or after a restart) rebuilds the doc from the store.
 */
import * as Y from 'yjs'
import { CloseCode } from '../../shared/close-codes.ts'
import { errorTable } from '../../shared/errors.ts'
import type { Logger } from '../../shared/logger.ts'
import { isEmptyUpdate } from '../../shared/protocol.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { DocLog } from './doc-log.ts'
import { PadFailedError } from './errors.ts'
import type { UpdateOrigin } from './origin.ts'
import type { Peer } from './peer.ts'
import type { RoomDoc } from './room-doc.ts'
import type { PipelineSink } from './update-pipeline.ts'
import { checksOf, loadChecksVersion } from './quarantine.ts'
import { scratchDoc } from './scratch-doc.ts'

export interface WriterHooks {
  /** Called after stored changes reached the doc. */
  stored: () => void
  /** Called once when the pad stops taking writes, with why. */
  failed?: (reason: string) => void
}

export class RoomWriter implements PipelineSink {
  /** Store writes not yet settled. */
  private readonly writes = new Set<Promise<unknown>>()
  private serverChanges: Promise<void> = Promise.resolve()
  private failureReason: string | null = null

  constructor(
    private readonly docName: string,
    private readonly store: DocStore,
    private readonly doc: RoomDoc,
    private readonly log: DocLog,
    private readonly logger: Logger,
    /** Bytes of updates the doc may hold pending before the last sender is closed (4413). */
    private readonly maxPendingBytes: number,
    private readonly hooks: WriterHooks,
  ) {}

  /** Why the pad stopped taking writes, or null while it takes them. */
  get failure(): string | null {
    return this.failureReason
  }

  /**
   * Has the store append a client's `update`, which passed the gate (update-gate.ts: stricter
   * than the load's checks, so it is stored as passing those, DocStore [DS13]); resolves once it
   * is durable.
   */
  append(update: Uint8Array): Promise<void> {
    return this.track(this.store.append(this.docName, update, loadChecksVersion))
  }

  /** Has the store append a server-made `update`, with the load's checks it passes (walked now). */
  private appendMade(update: Uint8Array): Promise<void> {
    const checks = checksOf(update)
    if (checks !== loadChecksVersion) this.log.storedUnchecked()
    return this.track(this.store.append(this.docName, update, checks))
  }

  /** Tracks a store write, so `settled` waits for it. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.writes.add(promise)
    const untrack = () => this.writes.delete(promise)
    promise.then(untrack, untrack)
    return promise
  }

  /** Resolves once the server's changes and every store write so far have settled. */
  async settled(): Promise<void> {
    await this.serverChanges
    await Promise.allSettled([...this.writes])
  }

  /** Resolves once the server's changes so far are applied. */
  serverChangesDone(): Promise<void> {
    return this.serverChanges
  }

  /**
   * Applies one peer's run of stored updates in one transaction (one doc event, one broadcast
   * entry) and acknowledges it. An update the store refused closes its sender (1013).
   */
  applyStored(peer: Peer, updates: Uint8Array[], failure: { error: unknown } | null): boolean {
    if (failure) {
      this.logger.error({ err: failure.error, docName: this.docName }, 'closing connection: its update could not be stored')
      peer.close(errorTable.store_unavailable.close, errorTable.store_unavailable.reason)
    }
    if (updates.length > 0) {
      for (const update of updates) this.log.stored(update.length)
      try {
        this.doc.apply(updates, { kind: 'connection', connection: peer })
      } catch (error) {
        this.fail(error, peer)
        return true
      }
      if (this.doc.pendingBytes() > this.maxPendingBytes) peer.close(CloseCode.tooLarge, 'too many pending updates')
    }
    if (!failure) peer.acknowledge(() => this.doc.stateVector())
    return updates.length > 0
  }

  /** Called after each drain that applied anything. */
  drained(): void {
    this.hooks.stored()
  }

  /**
   * Makes a change on behalf of the server: `change` edits a scratch copy of the doc, the
   * difference is stored, then applied (and so broadcast). Changes run one at a time, so
   * read-modify-write changes do not interleave. Rejects with PadFailedError when the pad stopped
   * taking writes, and with the store's error.
   */
  applyServerChange(change: (ydoc: Y.Doc) => void): Promise<void> {
    const run = this.serverChanges.then(async () => {
      if (this.failureReason) throw new PadFailedError(this.failureReason)
      const doc = this.doc.built
      const scratch = scratchDoc()
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc))
      const before = Y.encodeStateVector(scratch)
      change(scratch)
      const update = Y.encodeStateAsUpdate(scratch, before)
      scratch.destroy()
      if (isEmptyUpdate(update)) return
      await this.appendMade(update)
      this.log.stored(update.length)
      Y.applyUpdate(doc, update, { kind: 'server' } satisfies UpdateOrigin)
      this.hooks.stored()
    })
    // reason: the caller gets `run` itself, with its error; this chain only orders later changes.
    this.serverChanges = run.catch(() => {})
    return run
  }

  /**
   * A change Yjs made by itself while integrating another (no origin): it is already in the doc,
   * so it is stored; `then` runs once it is (e.g. to send it to everyone).
   */
  storeDerived(update: Uint8Array, then: () => void): void {
    this.appendMade(update).then(
      () => {
        this.log.stored(update.length)
        then()
      },
      (error: unknown) => this.logger.error({ err: error, docName: this.docName }, 'storing a derived update failed'),
    )
  }

  private fail(error: unknown, sender: Peer): void {
    const first = this.failureReason === null
    this.failureReason = `a stored update failed to apply: ${error instanceof Error ? error.message : String(error)}`
    this.logger.error({ err: error, docName: this.docName }, 'a stored update failed to apply; the pad stops taking writes')
    if (first) {
      sender.metrics.padFailed()
      this.hooks.failed?.(this.failureReason)
    }
    sender.close(errorTable.pad_failed.close, errorTable.pad_failed.reason)
  }
}
