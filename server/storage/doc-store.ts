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
 * - [DS4] Loading after compaction yields the same document as before it.
 * - [DS5] Docs are independent: appends to one never show in another.
 * - [DS6] `delete` removes every row of a doc.
 * Updates are stored as given, unvalidated: callers validate before appending.
 */

/** The result of loading a doc: the merged update and the rows it came from. */
export interface LoadedDoc {
  /** Every stored update of the doc merged into one (`Y.mergeUpdates`). */
  update: Uint8Array
  /** Opaque references to the stored rows merged into `update`, for `compact`. */
  refs: readonly number[]
}

export interface DocStore {
  /** Appends one update to the doc's log; resolves when it is durable [DS1]. */
  append(docName: string, update: Uint8Array): Promise<void>
  /** Loads the doc's merged state, or null when nothing was ever stored for it [DS2]. */
  load(docName: string): Promise<LoadedDoc | null>
  /** Replaces exactly the rows in `refs` with one row holding `merged` [DS3]. */
  compact(docName: string, merged: Uint8Array, refs: readonly number[]): Promise<void>
  /** Removes the doc entirely [DS6]. */
  delete(docName: string): Promise<void>
  /** Waits for in-flight writes, then releases resources. Idempotent. */
  close(): Promise<void>
}
