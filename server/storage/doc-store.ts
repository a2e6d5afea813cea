/**
 * DocStore: the durable, append-only log of Yjs updates per doc name.
 *
 * Rules every implementation keeps (the contract suite in
 * `test/helpers/contracts/doc-store.contract.ts` checks each by its ID):
 * - [DS1] `append` resolves only once the update is durable: a process crash after it resolves
 *   never loses the update.
 * - [DS2] `load` returns every update appended to the doc so far, merged into one update, plus
 *   opaque references to exactly the stored rows it merged. A doc never written loads as `null`.
 * - [DS3] `compact(docName, merged, refs)` atomically replaces exactly the rows named by `refs` with
 *   one row holding `merged`. Rows appended after the load that produced `refs` stay untouched,
 *   so an append racing a compaction is never lost.
 * - [DS8] `refs` returns references to exactly the doc's stored rows (what `load` would merge),
 *   without reading their bytes, in the order they were stored; `[]` for a doc never written.
 * - [DS4] Loading after compaction yields the same document as before it.
 * - [DS5] Docs are independent: appends to one never show in another.
 * - [DS6] `delete` removes every row of a doc, its revisions too.
 * - [DS7] `appendRevision` numbers a doc's revisions 1, 2, 3, ... in the order they were added;
 *   `listRevisions` returns them in that order with exactly the bytes and fields given.
 * - [DS9] `appendRefused` resolves only once the ranges are durable; `loadRefused` returns every
 *   range recorded for the doc, in the order recorded, untouched by `compact`; `delete` removes
 *   them with the doc.
 * - [DS11] `rows` returns exactly the doc's stored rows (what `load` would merge), each with its
 *   reference and bytes as stored, in the order they were stored; `[]` for a doc never written.
 * - [DS12] `quarantine(docName, refs, reason)` atomically moves exactly the rows named by `refs` out
 *   of the log into the doc's quarantine: `load`, `refs` and `rows` no longer see them,
 *   `listQuarantined` returns them (bytes as stored, the reason, when) for an operator. `delete`
 *   removes them too.
 * - [DS13] Each row keeps the `checks` number it was written with (`append`, `compact`; 0 when
 *   not given, and for rows stored before the store knew of it). `load` returns the least
 *   `checks` of the rows it merged, so a load says a number only when every one of its rows was
 *   written with it (or a higher one). `quarantine` and other rows' writes never change a row's.
 * Updates are stored as given, unvalidated: callers validate before appending. `checks` is the
 * caller's record of what it validated (see sync/quarantine.ts `loadChecksVersion`), kept and
 * returned, never interpreted by the store.
 */

/** One stored row of a doc's log. */
export interface StoredRow {
  ref: number
  update: Uint8Array
}

/** A row taken out of a doc's log because the doc could not be loaded with it (see [DS12]). */
export interface QuarantinedRow {
  /** The reference it had in the log. */
  ref: number
  update: Uint8Array
  reason: string
  /** ms since the epoch. */
  quarantinedAt: number
}

/** The result of loading a doc: the merged update and the rows it came from. */
export interface LoadedDoc {
  /** Every stored update of the doc merged into one (`Y.mergeUpdates`). */
  update: Uint8Array
  /** Opaque references to the stored rows merged into `update`, for `compact`. */
  refs: readonly number[]
  /** The least `checks` the merged rows were written with (0 when any was written without) [DS13]. */
  checks: number
}

/** One saved revision of a doc: a Yjs snapshot (`Y.encodeSnapshot`) and who changed what since the last. */
export interface Revision {
  /** 1-based, in the order revisions were added. */
  rev: number
  snapshot: Uint8Array
  /** ms since the epoch. */
  createdAt: number
  /** Ids of the people whose edits this revision adds (Y.PermanentUserData descriptions). */
  authors: string[]
  /** Why it was taken: `seed` (the content the pad was created with), `quiet`, `interval`, `start`, `end`, `restore`, `before-delete` (the pad just before a change deleted more than a fifth of its text). */
  reason: string
}

/**
 * A write the doc refused (the pad was locked or ended, or the connection read-only): Yjs client
 * `client`'s structs at clocks `start` (inclusive) to `end` (exclusive). See sync/refused-writes.ts.
 */
export interface RefusedRange {
  client: number
  start: number
  end: number
}

export interface DocStore {
  /**
   * Appends one update to the doc's log; resolves when it is durable [DS1]. `checks`: the version
   * of the checks the caller knows it passes, kept with the row [DS13]. @default 0
   */
  append(docName: string, update: Uint8Array, checks?: number): Promise<void>
  /** Loads the doc's merged state, or null when nothing was ever stored for it [DS2]. */
  load(docName: string): Promise<LoadedDoc | null>
  /** References to the doc's stored rows, without their bytes [DS8]. */
  refs(docName: string): Promise<number[]>
  /** Replaces exactly the rows in `refs` with one row holding `merged` [DS3], kept with `checks` (@default 0) [DS13]. */
  compact(docName: string, merged: Uint8Array, refs: readonly number[], checks?: number): Promise<void>
  /** Adds a revision and returns its number [DS7]. */
  appendRevision(docName: string, revision: Omit<Revision, 'rev'>): Promise<number>
  /** Every revision of the doc, oldest first [DS7]. */
  listRevisions(docName: string): Promise<Revision[]>
  /** Records refused writes of the doc; resolves when durable [DS9]. */
  appendRefused(docName: string, ranges: readonly RefusedRange[]): Promise<void>
  /** Every refused write recorded for the doc, oldest first ([] when none) [DS9]. */
  loadRefused(docName: string): Promise<RefusedRange[]>
  /** The doc's stored rows with their bytes, unmerged [DS11]. */
  rows(docName: string): Promise<StoredRow[]>
  /** Moves the rows in `refs` out of the log into the doc's quarantine [DS12]. */
  quarantine(docName: string, refs: readonly number[], reason: string): Promise<void>
  /** The doc's quarantined rows, oldest first [DS12]. */
  listQuarantined(docName: string): Promise<QuarantinedRow[]>
  /** Removes the doc entirely, its refused writes and quarantined rows too [DS6]. */
  delete(docName: string): Promise<void>
  /** Waits for in-flight writes, then releases resources. Idempotent. */
  close(): Promise<void>
}
