/**
 * DocLog: what a room knows of its doc's stored log (rows and bytes since the last compaction),
 * and the compaction that merges the log into one row, off the hot path. Appends racing a
 * compaction keep their own rows (DocStore [DS3]).
 */
import * as Y from 'yjs'
import type { DocStore } from '../storage/doc-store.ts'
import type { Logger } from '../../shared/logger.ts'
import { scratchDoc } from './scratch-doc.ts'

/** Where a compaction can take the doc from instead of reading and merging the log. */
export interface LiveDocSource {
  /**
   * True when the live doc holds every stored row once the updates accepted so far are applied:
   * the room is the doc's only writer (no other instance) and its doc is built.
   */
  holdsEveryRow(): boolean
  /** The whole live doc as one update once the accepted updates are applied, or null if it was released. */
  settledWhole(): Promise<Uint8Array | null>
}

export class DocLog {
  /** Size of the doc's compacted row after the last compaction (0 before any). */
  private compactedBytes = 0
  private compaction: Promise<void> | null = null

  constructor(
    private readonly store: DocStore,
    private readonly docName: string,
    private readonly logger: Logger,
    /** Compact once the log holds this many rows. */
    private readonly compactAfterRows: number,
    private readonly live: LiveDocSource,
    /** Rows of the log. */
    private rows: number,
    /** Bytes of the doc's stored updates since the last compaction (an upper bound of its size). */
    private docBytes: number,
    /**
     * The checks (quarantine.ts `loadChecksVersion`) everything in the live doc is known to pass:
     * what the load found, lowered by `storedUnchecked`. A compaction from the live doc stores
     * its row with it (DocStore [DS13]).
     */
    private liveChecks: number,
  ) {}

  /** An update not known to pass the load's checks reached the live doc (and the store). */
  storedUnchecked(): void {
    this.liveChecks = 0
  }

  /** Bytes of the doc's stored updates since the last compaction. */
  get bytes(): number {
    return this.docBytes
  }

  /** An update of `bytes` was stored as a row of its own. */
  stored(bytes: number): void {
    this.rows++
    this.docBytes += bytes
  }

  /** An update of `bytes` another instance stored reached the doc. */
  received(bytes: number): void {
    this.docBytes += bytes
  }

  /**
   * Compacts, on a later turn of the event loop, once the log has `compactAfterRows` rows and what
   * was appended since the last compaction is at least as large as the doc was then: a compaction
   * rewrites the whole doc, so a large doc that keeps growing is compacted less often (amortized,
   * each stored byte is rewritten a bounded number of times).
   */
  maybeCompact(stopped: () => boolean): void {
    if (this.compaction || stopped() || this.rows < this.compactAfterRows) return
    if (this.docBytes - this.compactedBytes < this.compactedBytes) return
    this.compaction = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => (stopped() ? undefined : this.compact()))
      // reason: `compact` logged the failure; the log stays as it is and a later one retries.
      .catch(() => {})
      .finally(() => {
        this.compaction = null
      })
  }

  /** Waits for a running compaction, then compacts whatever is left (unloading). Never throws. */
  async compactRest(): Promise<void> {
    if (this.compaction) await this.compaction
    // reason: `compact` logged the failure; the rows stay and the next load merges them.
    if (this.rows > 1) await this.compact().catch(() => {})
  }

  /** Merges the stored log into one row. */
  private async compact(): Promise<void> {
    try {
      if (this.live.holdsEveryRow()) {
        await this.compactFromLiveDoc()
        return
      }
      const loaded = await this.store.load(this.docName)
      if (!loaded || loaded.refs.length <= 1) return
      // Re-encode instead of storing the merged log as is: mergeUpdates keeps every item
      // separate, encodeStateAsUpdate joins adjacent ones (about 2.6x smaller, faster to load).
      const scratch = scratchDoc()
      Y.applyUpdate(scratch, loaded.update)
      const compacted = Y.encodeStateAsUpdate(scratch)
      scratch.destroy()
      // The row holds exactly what the merged rows held: it passes what each of them passed.
      await this.store.compact(this.docName, compacted, loaded.refs, loaded.checks)
      this.rows -= loaded.refs.length - 1
      this.docBytes = Math.max(0, this.docBytes - loaded.update.length) + compacted.length
      this.compactedBytes = compacted.length
      this.logger.debug({ docName: this.docName, rows: loaded.refs.length }, 'compacted doc log')
    } catch (error) {
      this.logger.error({ err: error, docName: this.docName }, 'compaction failed')
      throw error
    }
  }

  /**
   * Compacts from the live doc instead of reading and merging the log (which costs more than
   * everything else a busy room does): once every update accepted before the rows were listed
   * has been applied, the doc holds every one of those rows.
   */
  private async compactFromLiveDoc(): Promise<void> {
    const refs = await this.store.refs(this.docName)
    if (refs.length <= 1) return
    const checks = this.liveChecks
    const compacted = await this.live.settledWhole()
    if (!compacted) return
    // Read before the wait: a change stored meanwhile lowers it for the next compaction, and
    // this one may hold that change.
    await this.store.compact(this.docName, compacted, refs, Math.min(checks, this.liveChecks))
    this.rows -= refs.length - 1
    this.docBytes = compacted.length
    this.compactedBytes = compacted.length
    this.logger.debug({ docName: this.docName, rows: refs.length }, 'compacted doc log from the live doc')
  }
}
