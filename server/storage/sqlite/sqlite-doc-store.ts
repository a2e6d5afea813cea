/**
 * DocStore on the embedded SQLite file. Writes are committed in groups, one transaction each
 * (group commit): one fsync serves every keystroke of the group, and each caller's promise
 * resolves only once that transaction is durable. A group is what arrived in one tick; while
 * writes keep coming, commits are at least `commitWindowMs` apart, so a busy server makes a
 * bounded number of fsyncs per second whatever the number of typists (the first write after a
 * quiet spell still commits on the next tick). Every write takes that path, not only appends:
 * a revision, a compaction, a quarantine, refused ranges and a deletion each run in the next
 * group's transaction (in a savepoint of their own, so one that fails fails alone), so none of
 * them stops the event loop for an fsync (issue 21: 1,000 pads saving their revisions each
 * stopped it for one).
 *
 * With `synchronous = FULL` on a WAL file (the default), the fsync leaves the event loop (issue
 * 21): the group is committed without SQLite's own sync (`synchronous = NORMAL` for that one
 * transaction: SQLite still syncs before every checkpoint), then the WAL file is synced on
 * libuv's thread pool (`fdatasync`, what SQLite's FULL does at each commit) and the group's
 * promises resolve once that sync is done. The writes that arrive while a sync is in flight
 * gather into one group, committed as soon as it is done (then synced in turn): under load, one
 * commit per sync instead of one per tick (issue 21: 1,000 rooms typing made about as many
 * commits a second, each with its BEGIN, COMMIT and two pragmas on the event loop). None could
 * be durable before that sync's successor anyway; a write waits only the group's commit longer
 * (with a 10 ms sync and 1,000 appends a second: 1,100 commits instead of 10,000, 46 % less CPU,
 * p50 16.5 ms instead of 15.8; with this machine's 0.3 ms sync nearly every tick commits alone).
 * So the server keeps sending while the disk works, and a slow disk (an fsync of 1 ms
 * typically, 30 ms on a busy shared machine) holds up only the writes waiting for it. Nobody is
 * shown an edit before its sync: the room applies an update only once its append resolved.
 * A failed sync rejects its group (the rows may be in the file all the same, as after a crash in
 * the middle of a commit: the room does not apply them and closes their senders, who resync).
 */
import type Database from 'better-sqlite3'
import fs from 'node:fs'
import * as Y from 'yjs'
import type { DocStore, LoadedDoc, QuarantinedRow, RefusedRange, Revision, StoredRow } from '../doc-store.ts'

/** A write waiting for the next group commit: an append, or another write run in its own savepoint. */
type PendingWrite =
  | { docName: string; update: Uint8Array; checks: number; run?: undefined; resolve: (value: undefined) => void; reject: (error: unknown) => void }
  | { run: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void; outcome?: { value: unknown } | { error: unknown } }

export interface SqliteDocStoreOptions {
  /** Least time between two commits of appends, in ms; 0 commits every tick's appends. @default 0 */
  commitWindowMs?: number
  /**
   * How committed appends are made durable off the event loop (tests replace it): calls `done`
   * once everything written to the WAL file so far is on disk. @default fdatasync of the WAL file
   * when the file is in WAL mode with `synchronous = FULL`; otherwise SQLite's own commit is all
   * (NORMAL: no sync per commit; an in-memory database: nothing to sync)
   */
  walSync?: WalSync
}

/** Makes everything written to the WAL file so far durable, then calls `done` (with the error, if any). */
export type WalSync = (done: (error: Error | null) => void) => void

/** `fdatasync` of `file` on libuv's thread pool, the file opened on first use; `close` closes it. */
function fileSync(file: string): { sync: WalSync; close(): void } {
  let fd: number | null = null
  return {
    sync(done) {
      try {
        // (SQLite locks the -shm file, not the -wal file, so this descriptor disturbs no lock.)
        fd ??= fs.openSync(file, 'r+')
      } catch (error) {
        done(error as Error)
        return
      }
      fs.fdatasync(fd, (error) => done(error))
    },
    close() {
      if (fd !== null) fs.closeSync(fd)
      fd = null
    },
  }
}

export class SqliteDocStore implements DocStore {
  private pending: PendingWrite[] = []
  private flushScheduled = false
  private lastCommit = 0
  private closed = false
  private readonly insert: Database.Statement<[string, Uint8Array, number, number]>
  private readonly selectDoc: Database.Statement<[string], { id: number; data: Uint8Array; checks: number }>
  private readonly selectRefs: Database.Statement<[string], { id: number }>
  private readonly deleteRows: Database.Statement<[string, string]>
  private readonly deleteDoc: Database.Statement<[string]>
  private readonly writeBatch: (batch: PendingWrite[]) => void
  /** Runs a write in a savepoint of the group's transaction (better-sqlite3 nests transactions so). */
  private readonly inSavepoint: (run: () => unknown) => unknown
  /**
   * True when the connection syncs each commit itself (`synchronous = FULL`), read once: nothing
   * else sets it. An unsynced commit lowers it to NORMAL around itself (statements prepared once).
   */
  private readonly syncsFull: boolean
  private readonly syncNormal: Database.Statement<[]>
  private readonly syncFull: Database.Statement<[]>
  private readonly statements = new Map<string, Database.Statement>()
  /** Syncs the WAL after a commit made without SQLite's sync, or null: SQLite's commit is all. */
  private readonly walSync: WalSync | null
  private readonly closeWal: () => void = () => {}
  /** Writes committed and waiting for the next WAL sync. */
  private unsynced: PendingWrite[] = []
  private syncing = false
  /** A group waits for the sync in flight to finish (see `scheduleFlush`). */
  private flushAfterSync = false
  /** Called once no sync is in flight and none is due (see `close`). */
  private whenSynced: (() => void) | null = null

  constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteDocStoreOptions = {},
  ) {
    const syncsEachCommit = !db.memory && db.pragma('journal_mode', { simple: true }) === 'wal' && db.pragma('synchronous', { simple: true }) === 2
    if (options.walSync) this.walSync = options.walSync
    else if (syncsEachCommit) {
      const wal = fileSync(`${db.name}-wal`)
      this.walSync = wal.sync
      this.closeWal = wal.close
    } else this.walSync = null
    this.insert = db.prepare('INSERT INTO doc_updates (doc_name, data, created_at, checks) VALUES (?, ?, ?, ?)')
    this.selectDoc = db.prepare('SELECT id, data, checks FROM doc_updates WHERE doc_name = ? ORDER BY id')
    this.selectRefs = db.prepare('SELECT id FROM doc_updates WHERE doc_name = ? ORDER BY id')
    this.deleteRows = db.prepare(
      'DELETE FROM doc_updates WHERE doc_name = ? AND id IN (SELECT value FROM json_each(?))',
    )
    this.deleteDoc = db.prepare('DELETE FROM doc_updates WHERE doc_name = ?')
    this.syncsFull = db.pragma('synchronous', { simple: true }) === 2
    this.syncNormal = db.prepare('PRAGMA synchronous = NORMAL')
    this.syncFull = db.prepare('PRAGMA synchronous = FULL')
    this.inSavepoint = db.transaction((run: () => unknown) => run())
    this.writeBatch = db.transaction((batch: PendingWrite[]) => {
      const now = Date.now()
      for (const write of batch) {
        if (!write.run) {
          this.insert.run(write.docName, write.update, now, write.checks)
          continue
        }
        try {
          write.outcome = { value: this.inSavepoint(write.run) }
        } catch (error) {
          write.outcome = { error }
        }
      }
    })
  }

  append(docName: string, update: Uint8Array, checks = 0): Promise<void> {
    if (this.closed) return Promise.reject(new Error('SqliteDocStore is closed'))
    return new Promise((resolve, reject) => {
      this.pending.push({ docName, update, checks, resolve, reject })
      this.scheduleFlush()
    })
  }

  /** Runs `run` in the next group's transaction (in a savepoint); resolves with its result once durable. */
  private write<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('SqliteDocStore is closed'))
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve: resolve as (value: unknown) => void, reject })
      this.scheduleFlush()
    })
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    if (this.syncing) {
      this.flushAfterSync = true
      return
    }
    this.startFlush()
  }

  /** Flushes on the next tick, or once `commitWindowMs` passed since the last commit. */
  private startFlush(): void {
    const wait = this.lastCommit + (this.options.commitWindowMs ?? 0) - performance.now()
    if (wait > 0) setTimeout(() => this.flush(), wait)
    else setImmediate(() => this.flush())
  }

  /** Settles a write whose group is durable (or whose group failed, with `error`). */
  private settle(write: PendingWrite, error?: unknown): void {
    if (error !== undefined) write.reject(error)
    else if (!write.run) write.resolve(undefined)
    else if (write.outcome && 'error' in write.outcome) write.reject(write.outcome.error)
    else write.resolve(write.outcome?.value)
  }

  private flush(): void {
    this.flushScheduled = false
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    this.lastCommit = performance.now()
    try {
      if (this.walSync) this.commitUnsynced(batch)
      else this.writeBatch(batch)
    } catch (error) {
      for (const item of batch) this.settle(item, error)
      return
    }
    if (!this.walSync) {
      for (const item of batch) this.settle(item)
      return
    }
    for (const item of batch) this.unsynced.push(item)
    this.syncWal()
  }

  /** Commits `batch` without SQLite's sync (the WAL is synced after, see `syncWal`). */
  private commitUnsynced(batch: PendingWrite[]): void {
    const full = this.syncsFull
    if (full) this.syncNormal.run()
    try {
      this.writeBatch(batch)
    } finally {
      if (full) this.syncFull.run()
    }
  }

  /** Starts a WAL sync for the committed appends unless one is in flight (then the next one takes them). */
  private syncWal(): void {
    if (this.syncing) return
    const batch = this.unsynced
    if (batch.length === 0) {
      this.whenSynced?.()
      return
    }
    this.unsynced = []
    this.syncing = true
    this.walSync!((error) => {
      this.syncing = false
      for (const item of batch) this.settle(item, error ?? undefined)
      if (this.flushAfterSync) {
        this.flushAfterSync = false
        // What gathered during the sync commits now (its callers waited already), unless the
        // commit window asks for a later commit.
        if (this.lastCommit + (this.options.commitWindowMs ?? 0) <= performance.now()) this.flush()
        else this.startFlush()
      }
      this.syncWal()
    })
  }

  async load(docName: string): Promise<LoadedDoc | null> {
    const rows = this.selectDoc.all(docName)
    if (rows.length === 0) return null
    const update = rows.length === 1 ? rows[0]!.data : Y.mergeUpdates(rows.map((row) => row.data))
    return { update, refs: rows.map((row) => row.id), checks: rows.reduce((least, row) => Math.min(least, row.checks), Number.POSITIVE_INFINITY) }
  }

  async refs(docName: string): Promise<number[]> {
    return this.selectRefs.all(docName).map((row) => row.id)
  }

  async rows(docName: string): Promise<StoredRow[]> {
    return this.selectDoc.all(docName).map((row) => ({ ref: row.id, update: new Uint8Array(row.data) }))
  }

  async quarantine(docName: string, refs: readonly number[], reason: string): Promise<void> {
    const ids = JSON.stringify(refs)
    await this.write(() => {
      this.prepared(
        'INSERT INTO doc_quarantine (id, doc_name, data, created_at, quarantined_at, reason) SELECT id, doc_name, data, created_at, ?, ? FROM doc_updates WHERE doc_name = ? AND id IN (SELECT value FROM json_each(?))',
      ).run(Date.now(), reason, docName, ids)
      this.deleteRows.run(docName, ids)
    })
  }

  async listQuarantined(docName: string): Promise<QuarantinedRow[]> {
    const rows = this.prepared('SELECT id, data, reason, quarantined_at FROM doc_quarantine WHERE doc_name = ? ORDER BY id').all(docName) as { id: number; data: Uint8Array; reason: string; quarantined_at: number }[]
    return rows.map((row) => ({ ref: row.id, update: new Uint8Array(row.data), reason: row.reason, quarantinedAt: row.quarantined_at }))
  }

  async compact(docName: string, merged: Uint8Array, refs: readonly number[], checks = 0): Promise<void> {
    const ids = JSON.stringify(refs)
    await this.write(() => {
      this.deleteRows.run(docName, ids)
      this.insert.run(docName, merged, Date.now(), checks)
    })
  }

  appendRevision(docName: string, revision: Omit<Revision, 'rev'>): Promise<number> {
    const authors = JSON.stringify(revision.authors)
    return this.write(() => {
      const next = this.prepared('SELECT COALESCE(MAX(rev), 0) + 1 FROM revisions WHERE doc_name = ?').pluck().get(docName) as number
      this.prepared('INSERT INTO revisions (doc_name, rev, snapshot, created_at, authors_json, reason) VALUES (?, ?, ?, ?, ?, ?)').run(
        docName,
        next,
        revision.snapshot,
        revision.createdAt,
        authors,
        revision.reason,
      )
      return next
    })
  }

  async listRevisions(docName: string): Promise<Revision[]> {
    const rows = this.prepared('SELECT rev, snapshot, created_at, authors_json, reason FROM revisions WHERE doc_name = ? ORDER BY rev').all(docName) as {
      rev: number
      snapshot: Uint8Array
      created_at: number
      authors_json: string
      reason: string
    }[]
    return rows.map((row) => ({ rev: row.rev, snapshot: new Uint8Array(row.snapshot), createdAt: row.created_at, authors: JSON.parse(row.authors_json) as string[], reason: row.reason }))
  }

  async appendRefused(docName: string, ranges: readonly RefusedRange[]): Promise<void> {
    const now = Date.now()
    await this.write(() => {
      const insert = this.prepared('INSERT INTO refused_ranges (doc_name, client, start_clock, end_clock, created_at) VALUES (?, ?, ?, ?, ?)')
      for (const { client, start, end } of ranges) insert.run(docName, client, start, end, now)
    })
  }

  async loadRefused(docName: string): Promise<RefusedRange[]> {
    const rows = this.prepared('SELECT client, start_clock, end_clock FROM refused_ranges WHERE doc_name = ? ORDER BY rowid').all(docName) as {
      client: number
      start_clock: number
      end_clock: number
    }[]
    return rows.map((row) => ({ client: row.client, start: row.start_clock, end: row.end_clock }))
  }

  async delete(docName: string): Promise<void> {
    await this.write(() => {
      this.deleteDoc.run(docName)
      for (const table of ['revisions', 'refused_ranges', 'doc_quarantine']) this.prepared(`DELETE FROM ${table} WHERE doc_name = ?`).run(docName)
    })
  }

  /** The statement for `sql`, prepared on first use (the ones a room needs at once are prepared in the constructor). */
  private prepared(sql: string): Database.Statement {
    let statement = this.statements.get(sql)
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)))
    return statement
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.flush()
    if (this.syncing || this.unsynced.length > 0) await new Promise<void>((resolve) => (this.whenSynced = resolve))
    this.closeWal()
  }
}
