/**
 * DocStore on the embedded SQLite file. Appends are written in groups, one transaction each
 * (group commit): one fsync serves every keystroke of the group, and each caller's promise
 * resolves only after that transaction committed. A group is what arrived in one tick; while
 * appends keep coming, commits are at least `commitWindowMs` apart, so a busy server makes a
 * bounded number of fsyncs per second whatever the number of typists (the first append after a
 * quiet spell still commits on the next tick).
 */
import type Database from 'better-sqlite3'
import * as Y from 'yjs'
import type { DocStore, LoadedDoc, QuarantinedRow, RefusedRange, Revision, StoredRow } from '../doc-store.ts'

interface PendingAppend {
  docName: string
  update: Uint8Array
  resolve: () => void
  reject: (error: unknown) => void
}

export interface SqliteDocStoreOptions {
  /** Least time between two commits of appends, in ms; 0 commits every tick's appends. @default 0 */
  commitWindowMs?: number
}

export class SqliteDocStore implements DocStore {
  private pending: PendingAppend[] = []
  private flushScheduled = false
  private lastCommit = 0
  private closed = false
  private readonly insert: Database.Statement<[string, Uint8Array, number]>
  private readonly selectDoc: Database.Statement<[string], { id: number; data: Uint8Array }>
  private readonly selectRefs: Database.Statement<[string], { id: number }>
  private readonly deleteRows: Database.Statement<[string, string]>
  private readonly deleteDoc: Database.Statement<[string]>
  private readonly writeBatch: (batch: PendingAppend[]) => void

  constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteDocStoreOptions = {},
  ) {
    this.insert = db.prepare('INSERT INTO doc_updates (doc_name, data, created_at) VALUES (?, ?, ?)')
    this.selectDoc = db.prepare('SELECT id, data FROM doc_updates WHERE doc_name = ? ORDER BY id')
    this.selectRefs = db.prepare('SELECT id FROM doc_updates WHERE doc_name = ? ORDER BY id')
    this.deleteRows = db.prepare(
      'DELETE FROM doc_updates WHERE doc_name = ? AND id IN (SELECT value FROM json_each(?))',
    )
    this.deleteDoc = db.prepare('DELETE FROM doc_updates WHERE doc_name = ?')
    this.writeBatch = db.transaction((batch: PendingAppend[]) => {
      const now = Date.now()
      for (const { docName, update } of batch) this.insert.run(docName, update, now)
    })
  }

  append(docName: string, update: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('SqliteDocStore is closed'))
    return new Promise((resolve, reject) => {
      this.pending.push({ docName, update, resolve, reject })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        const wait = this.lastCommit + (this.options.commitWindowMs ?? 0) - performance.now()
        if (wait > 0) setTimeout(() => this.flush(), wait)
        else setImmediate(() => this.flush())
      }
    })
  }

  private flush(): void {
    this.flushScheduled = false
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    this.lastCommit = performance.now()
    try {
      this.writeBatch(batch)
    } catch (error) {
      for (const item of batch) item.reject(error)
      return
    }
    for (const item of batch) item.resolve()
  }

  async load(docName: string): Promise<LoadedDoc | null> {
    const rows = this.selectDoc.all(docName)
    if (rows.length === 0) return null
    const update = rows.length === 1 ? rows[0]!.data : Y.mergeUpdates(rows.map((row) => row.data))
    return { update, refs: rows.map((row) => row.id) }
  }

  async refs(docName: string): Promise<number[]> {
    return this.selectRefs.all(docName).map((row) => row.id)
  }

  async rows(docName: string): Promise<StoredRow[]> {
    return this.selectDoc.all(docName).map((row) => ({ ref: row.id, update: new Uint8Array(row.data) }))
  }

  async quarantine(docName: string, refs: readonly number[], reason: string): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO doc_quarantine (id, doc_name, data, created_at, quarantined_at, reason) SELECT id, doc_name, data, created_at, ?, ? FROM doc_updates WHERE doc_name = ? AND id IN (SELECT value FROM json_each(?))',
        )
        .run(Date.now(), reason, docName, JSON.stringify(refs))
      this.deleteRows.run(docName, JSON.stringify(refs))
    })()
  }

  async listQuarantined(docName: string): Promise<QuarantinedRow[]> {
    const rows = this.db.prepare('SELECT id, data, reason, quarantined_at FROM doc_quarantine WHERE doc_name = ? ORDER BY id').all(docName) as { id: number; data: Uint8Array; reason: string; quarantined_at: number }[]
    return rows.map((row) => ({ ref: row.id, update: new Uint8Array(row.data), reason: row.reason, quarantinedAt: row.quarantined_at }))
  }

  async compact(docName: string, merged: Uint8Array, refs: readonly number[]): Promise<void> {
    this.db.transaction(() => {
      this.deleteRows.run(docName, JSON.stringify(refs))
      this.insert.run(docName, merged, Date.now())
    })()
  }

  async appendRevision(docName: string, revision: Omit<Revision, 'rev'>): Promise<number> {
    return this.db.transaction(() => {
      const { next } = this.db.prepare('SELECT COALESCE(MAX(rev), 0) + 1 AS next FROM revisions WHERE doc_name = ?').get(docName) as { next: number }
      this.db
        .prepare('INSERT INTO revisions (doc_name, rev, snapshot, created_at, authors_json, reason) VALUES (?, ?, ?, ?, ?, ?)')
        .run(docName, next, revision.snapshot, revision.createdAt, JSON.stringify(revision.authors), revision.reason)
      return next
    })()
  }

  async listRevisions(docName: string): Promise<Revision[]> {
    const rows = this.db.prepare('SELECT rev, snapshot, created_at, authors_json, reason FROM revisions WHERE doc_name = ? ORDER BY rev').all(docName) as {
      rev: number
      snapshot: Uint8Array
      created_at: number
      authors_json: string
      reason: string
    }[]
    return rows.map((row) => ({ rev: row.rev, snapshot: new Uint8Array(row.snapshot), createdAt: row.created_at, authors: JSON.parse(row.authors_json) as string[], reason: row.reason }))
  }

  async appendRefused(docName: string, ranges: readonly RefusedRange[]): Promise<void> {
    if (this.closed) throw new Error('SqliteDocStore is closed')
    const insert = this.db.prepare('INSERT INTO refused_ranges (doc_name, client, start_clock, end_clock, created_at) VALUES (?, ?, ?, ?, ?)')
    const now = Date.now()
    this.db.transaction(() => {
      for (const { client, start, end } of ranges) insert.run(docName, client, start, end, now)
    })()
  }

  async loadRefused(docName: string): Promise<RefusedRange[]> {
    const rows = this.db.prepare('SELECT client, start_clock, end_clock FROM refused_ranges WHERE doc_name = ? ORDER BY rowid').all(docName) as {
      client: number
      start_clock: number
      end_clock: number
    }[]
    return rows.map((row) => ({ client: row.client, start: row.start_clock, end: row.end_clock }))
  }

  async delete(docName: string): Promise<void> {
    this.db.transaction(() => {
      this.deleteDoc.run(docName)
      this.db.prepare('DELETE FROM revisions WHERE doc_name = ?').run(docName)
      this.db.prepare('DELETE FROM refused_ranges WHERE doc_name = ?').run(docName)
      this.db.prepare('DELETE FROM doc_quarantine WHERE doc_name = ?').run(docName)
    })()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.flush()
  }
}
