/**
 * MemoryDocStore: a DocStore held in a Map, for unit tests (no disk). It keeps the same rules as
 * the SQLite store and is checked by the same contract suite
 * (`test/unit/server/memory-doc-store.test.ts`), so a unit test that passes against it says
 * something about the real store too.
 */
import * as Y from 'yjs'
import type { DocStore, LoadedDoc, QuarantinedRow, RefusedRange, Revision, StoredRow } from '../../server/storage/doc-store.ts'

interface Row {
  id: number
  update: Uint8Array
  /** See DocStore [DS13]. */
  checks: number
}

/** The rows of every doc; two MemoryDocStores over one backing see each other's writes. */
export class MemoryDocBacking {
  readonly docs = new Map<string, Row[]>()
  readonly revisions = new Map<string, Revision[]>()
  readonly refused = new Map<string, RefusedRange[]>()
  readonly quarantined = new Map<string, QuarantinedRow[]>()
  nextId = 1
}

export class MemoryDocStore implements DocStore {
  private closed = false

  constructor(readonly backing: MemoryDocBacking = new MemoryDocBacking()) {}

  async append(docName: string, update: Uint8Array, checks = 0): Promise<void> {
    if (this.closed) throw new Error('MemoryDocStore is closed')
    // Copy: the caller may reuse its buffer; a real store keeps its own bytes too.
    this.rowsOf(docName).push({ id: this.backing.nextId++, update: update.slice(), checks })
  }

  async load(docName: string): Promise<LoadedDoc | null> {
    const rows = this.backing.docs.get(docName)
    if (!rows || rows.length === 0) return null
    const update = rows.length === 1 ? rows[0]!.update : Y.mergeUpdates(rows.map((row) => row.update))
    return { update, refs: rows.map((row) => row.id), checks: rows.reduce((least, row) => Math.min(least, row.checks), Number.POSITIVE_INFINITY) }
  }

  async refs(docName: string): Promise<number[]> {
    return (this.backing.docs.get(docName) ?? []).map((row) => row.id)
  }

  async rows(docName: string): Promise<StoredRow[]> {
    return (this.backing.docs.get(docName) ?? []).map((row) => ({ ref: row.id, update: row.update.slice() }))
  }

  async quarantine(docName: string, refs: readonly number[], reason: string): Promise<void> {
    const moved = new Set(refs)
    const list = this.backing.quarantined.get(docName) ?? []
    for (const row of this.rowsOf(docName)) if (moved.has(row.id)) list.push({ ref: row.id, update: row.update, reason, quarantinedAt: Date.now() })
    this.backing.quarantined.set(docName, list)
    this.backing.docs.set(docName, this.rowsOf(docName).filter((row) => !moved.has(row.id)))
  }

  async listQuarantined(docName: string): Promise<QuarantinedRow[]> {
    return (this.backing.quarantined.get(docName) ?? []).map((row) => ({ ...row, update: row.update.slice() }))
  }

  async compact(docName: string, merged: Uint8Array, refs: readonly number[], checks = 0): Promise<void> {
    const replaced = new Set(refs)
    const kept = this.rowsOf(docName).filter((row) => !replaced.has(row.id))
    kept.push({ id: this.backing.nextId++, update: merged.slice(), checks })
    this.backing.docs.set(docName, kept)
  }

  async appendRevision(docName: string, revision: Omit<Revision, 'rev'>): Promise<number> {
    const list = this.backing.revisions.get(docName) ?? []
    const rev = list.length + 1
    list.push({ ...revision, rev, snapshot: revision.snapshot.slice(), authors: [...revision.authors] })
    this.backing.revisions.set(docName, list)
    return rev
  }

  async listRevisions(docName: string): Promise<Revision[]> {
    return (this.backing.revisions.get(docName) ?? []).map((revision) => ({ ...revision, snapshot: revision.snapshot.slice() }))
  }

  async appendRefused(docName: string, ranges: readonly RefusedRange[]): Promise<void> {
    if (this.closed) throw new Error('MemoryDocStore is closed')
    const list = this.backing.refused.get(docName) ?? []
    list.push(...ranges.map((range) => ({ ...range })))
    this.backing.refused.set(docName, list)
  }

  async loadRefused(docName: string): Promise<RefusedRange[]> {
    return (this.backing.refused.get(docName) ?? []).map((range) => ({ ...range }))
  }

  async delete(docName: string): Promise<void> {
    this.backing.docs.delete(docName)
    this.backing.revisions.delete(docName)
    this.backing.refused.delete(docName)
    this.backing.quarantined.delete(docName)
  }

  async close(): Promise<void> {
    this.closed = true
  }

  /** Number of stored rows of `docName` (0 when never written). @internal */
  rowCount(docName: string): number {
    return this.backing.docs.get(docName)?.length ?? 0
  }

  /** The `checks` each stored row of the doc was written with, in order [DS13]. @internal */
  rowChecks(docName: string): number[] {
    return (this.backing.docs.get(docName) ?? []).map((row) => row.checks)
  }

  private rowsOf(docName: string): Row[] {
    let rows = this.backing.docs.get(docName)
    if (!rows) {
      rows = []
      this.backing.docs.set(docName, rows)
    }
    return rows
  }
}
