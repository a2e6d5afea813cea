/**
 * DocStore on PostgreSQL. Appends made in the same tick, for any docs, are written by one
 * multi-row INSERT (group commit): each caller's promise resolves once that statement committed.
 * One such statement is in flight at a time; appends arriving meanwhile form the next one.
 * Compaction and revision numbering take a per-doc advisory lock, so two instances never compact
 * one doc at once, and an append racing a compaction keeps its own row [DS3].
 */
import type pg from 'pg'
import * as Y from 'yjs'
import type { DocStore, LoadedDoc, QuarantinedRow, RefusedRange, Revision, StoredRow } from '../doc-store.ts'
import { inTransaction } from './transaction.ts'

interface PendingAppend {
  docName: string
  update: Uint8Array
  checks: number
  resolve: () => void
  reject: (error: unknown) => void
}

export class PgDocStore implements DocStore {
  private pending: PendingAppend[] = []
  private flushing: Promise<void> | null = null
  private scheduled = false
  private closed = false
  /** INSERT statements written so far (group commit makes it far smaller than the appends). */
  insertStatements = 0

  constructor(private readonly pool: pg.Pool) {}

  append(docName: string, update: Uint8Array, checks = 0): Promise<void> {
    if (this.closed) return Promise.reject(new Error('PgDocStore is closed'))
    return new Promise((resolve, reject) => {
      this.pending.push({ docName, update, checks, resolve, reject })
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.flushing = this.flush().finally(() => {
        this.flushing = null
        if (this.pending.length > 0) this.schedule()
      })
    })
  }

  private async flush(): Promise<void> {
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    try {
      this.insertStatements++
      await this.pool.query(
        'INSERT INTO doc_updates (doc_name, data, created_at, checks) SELECT * FROM unnest($1::text[], $2::bytea[], $3::bigint[], $4::integer[])',
        [
          batch.map((item) => item.docName),
          batch.map((item) => Buffer.from(item.update.buffer, item.update.byteOffset, item.update.byteLength)),
          batch.map(() => Date.now()),
          batch.map((item) => item.checks),
        ],
      )
    } catch (error) {
      for (const item of batch) item.reject(error)
      return
    }
    for (const item of batch) item.resolve()
  }

  async load(docName: string): Promise<LoadedDoc | null> {
    const { rows } = await this.pool.query<{ id: string; data: Buffer; checks: number }>('SELECT id, data, checks FROM doc_updates WHERE doc_name = $1 ORDER BY id', [docName])
    if (rows.length === 0) return null
    const updates = rows.map((row) => new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength))
    const checks = rows.reduce((least, row) => Math.min(least, row.checks), Number.POSITIVE_INFINITY)
    return { update: updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates), refs: rows.map((row) => Number(row.id)), checks }
  }

  async refs(docName: string): Promise<number[]> {
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM doc_updates WHERE doc_name = $1 ORDER BY id', [docName])
    return rows.map((row) => Number(row.id))
  }

  async rows(docName: string): Promise<StoredRow[]> {
    const { rows } = await this.pool.query<{ id: string; data: Buffer }>('SELECT id, data FROM doc_updates WHERE doc_name = $1 ORDER BY id', [docName])
    return rows.map((row) => ({ ref: Number(row.id), update: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) }))
  }

  async quarantine(docName: string, refs: readonly number[], reason: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(
        'INSERT INTO doc_quarantine (id, doc_name, data, created_at, quarantined_at, reason) SELECT id, doc_name, data, created_at, $3, $4 FROM doc_updates WHERE doc_name = $1 AND id = ANY($2::bigint[])',
        [docName, refs, Date.now(), reason],
      )
      await client.query('DELETE FROM doc_updates WHERE doc_name = $1 AND id = ANY($2::bigint[])', [docName, refs])
    })
  }

  async listQuarantined(docName: string): Promise<QuarantinedRow[]> {
    const { rows } = await this.pool.query<{ id: string; data: Buffer; reason: string; quarantined_at: string }>(
      'SELECT id, data, reason, quarantined_at FROM doc_quarantine WHERE doc_name = $1 ORDER BY id',
      [docName],
    )
    return rows.map((row) => ({ ref: Number(row.id), update: new Uint8Array(row.data), reason: row.reason, quarantinedAt: Number(row.quarantined_at) }))
  }

  async compact(docName: string, merged: Uint8Array, refs: readonly number[], checks = 0): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`compact:${docName}`])
      const { rowCount } = await client.query('DELETE FROM doc_updates WHERE doc_name = $1 AND id = ANY($2::bigint[])', [docName, refs])
      // Another instance compacted these rows first: its merged row already holds them.
      if (rowCount !== refs.length) throw new CompactionRaceError(docName)
      await client.query('INSERT INTO doc_updates (doc_name, data, created_at, checks) VALUES ($1, $2, $3, $4)', [docName, Buffer.from(merged), Date.now(), checks])
    }).catch((error: unknown) => {
      if (!(error instanceof CompactionRaceError)) throw error
    })
  }

  async appendRevision(docName: string, revision: Omit<Revision, 'rev'>): Promise<number> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`revision:${docName}`])
      const { rows } = await client.query<{ next: number }>('SELECT COALESCE(MAX(rev), 0) + 1 AS next FROM revisions WHERE doc_name = $1', [docName])
      const next = rows[0]!.next
      await client.query('INSERT INTO revisions (doc_name, rev, snapshot, created_at, authors, reason) VALUES ($1, $2, $3, $4, $5, $6)', [
        docName,
        next,
        Buffer.from(revision.snapshot),
        revision.createdAt,
        JSON.stringify(revision.authors),
        revision.reason,
      ])
      return next
    })
  }

  async listRevisions(docName: string): Promise<Revision[]> {
    const { rows } = await this.pool.query<{ rev: number; snapshot: Buffer; created_at: string; authors: string[]; reason: string }>(
      'SELECT rev, snapshot, created_at, authors, reason FROM revisions WHERE doc_name = $1 ORDER BY rev',
      [docName],
    )
    return rows.map((row) => ({ rev: row.rev, snapshot: new Uint8Array(row.snapshot), createdAt: Number(row.created_at), authors: row.authors, reason: row.reason }))
  }

  async appendRefused(docName: string, ranges: readonly RefusedRange[]): Promise<void> {
    if (this.closed) throw new Error('PgDocStore is closed')
    if (ranges.length === 0) return
    await this.pool.query(
      'INSERT INTO refused_ranges (doc_name, client, start_clock, end_clock, created_at) SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])',
      [docName, ranges.map((range) => range.client), ranges.map((range) => range.start), ranges.map((range) => range.end), ranges.map(() => Date.now())],
    )
  }

  async loadRefused(docName: string): Promise<RefusedRange[]> {
    const { rows } = await this.pool.query<{ client: string; start_clock: string; end_clock: string }>(
      'SELECT client, start_clock, end_clock FROM refused_ranges WHERE doc_name = $1 ORDER BY id',
      [docName],
    )
    return rows.map((row) => ({ client: Number(row.client), start: Number(row.start_clock), end: Number(row.end_clock) }))
  }

  async delete(docName: string): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('DELETE FROM doc_updates WHERE doc_name = $1', [docName])
      await client.query('DELETE FROM revisions WHERE doc_name = $1', [docName])
      await client.query('DELETE FROM refused_ranges WHERE doc_name = $1', [docName])
      await client.query('DELETE FROM doc_quarantine WHERE doc_name = $1', [docName])
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    while (this.flushing || this.pending.length > 0 || this.scheduled) {
      if (this.flushing) await this.flushing
      else if (this.pending.length > 0) {
        this.flushing = this.flush().finally(() => (this.flushing = null))
        await this.flushing
      } else await new Promise((resolve) => setImmediate(resolve))
    }
  }

  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work)
  }
}

/** The rows a compaction meant to replace were already replaced by another instance's. */
class CompactionRaceError extends Error {
  constructor(docName: string) {
    super(`rows of ${docName} were compacted concurrently`)
  }
}
