import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { DocStore } from '../../../server/storage/doc-store.ts'
import { archiveActionsVersion, archiveSearchRowidVersion, docUpdateChecksVersion, migrate, openDatabase, participantsByPersonVersion } from '../../../server/storage/sqlite/open-database.ts'
import { SqliteDocStore } from '../../../server/storage/sqlite/sqlite-doc-store.ts'
import { openSqliteStorage, type SqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts'
import { registerDocStoreContract } from '../../helpers/contracts/doc-store.contract.ts'
import { registerMetaStoreContract } from '../../helpers/contracts/meta-store.contract.ts'

/** A fresh SQLite storage in its own temp dir, plus second connections that cleanup closes. */
function openTempStorage() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-sqlite-'))
  const storage = openSqliteStorage(dir)
  const extra: Database.Database[] = []
  return {
    storage,
    /** A second, independent better-sqlite3 connection to the same file. */
    secondConnection(): Database.Database {
      const db = openDatabase(storage.file)
      extra.push(db)
      return db
    },
    async cleanup() {
      for (const db of extra) db.close()
      await storage.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

registerDocStoreContract('SqliteDocStore', async () => {
  const temp = openTempStorage()
  return {
    store: temp.storage.docs,
    reopen: async (): Promise<DocStore> => new SqliteDocStore(temp.secondConnection()),
    cleanup: temp.cleanup,
  }
})

registerMetaStoreContract('SqliteMetaStore', async () => {
  const temp = openTempStorage()
  return { store: temp.storage.meta, cleanup: temp.cleanup }
})

/** `count` real updates of one client, each typing one more word. */
function typedUpdates(count: number, clientID = 1): { ydoc: Y.Doc; updates: Uint8Array[] } {
  const ydoc = new Y.Doc({ gc: false })
  ydoc.clientID = clientID
  const updates: Uint8Array[] = []
  ydoc.on('update', (update: Uint8Array) => updates.push(update))
  const ytext = ydoc.getText('t')
  for (let i = 0; i < count; i++) ytext.insert(ytext.length, `w${i} `)
  return { ydoc, updates }
}

describe('SqliteDocStore on a file', () => {
  let temp: ReturnType<typeof openTempStorage>
  let storage: SqliteStorage
  let reader: Database.Database
  const rowCount = (docName: string) =>
    (reader.prepare('SELECT count(*) AS n FROM doc_updates WHERE doc_name = ?').get(docName) as { n: number }).n

  beforeEach(() => {
    temp = openTempStorage()
    storage = temp.storage
    reader = temp.secondConnection()
  })
  afterEach(async () => {
    await temp.cleanup()
  })

  it('keeps one row per doc through repeated compactions', async () => {
    const { ydoc, updates } = typedUpdates(30)
    for (const update of updates.slice(0, 20)) await storage.docs.append('pad', update)
    expect(rowCount('pad')).toBe(20)
    let loaded = await storage.docs.load('pad')
    await storage.docs.compact('pad', loaded!.update, loaded!.refs)
    expect(rowCount('pad')).toBe(1)
    for (const update of updates.slice(20)) await storage.docs.append('pad', update)
    expect(rowCount('pad')).toBe(11)
    loaded = await storage.docs.load('pad')
    await storage.docs.compact('pad', loaded!.update, loaded!.refs)
    expect(rowCount('pad')).toBe(1)
    const restored = new Y.Doc()
    Y.applyUpdate(restored, (await storage.docs.load('pad'))!.update)
    expect(restored.getText('t').toString()).toBe(ydoc.getText('t').toString())
  })

  it('group-commits appends issued in the same tick: all resolve, all stored, in one transaction', async () => {
    const { ydoc, updates } = typedUpdates(60)
    // Start from an empty WAL so its frame count below counts only this batch.
    reader.pragma('wal_checkpoint(TRUNCATE)')
    const appends = updates.map((update) => storage.docs.append('batch', update))
    expect(rowCount('batch')).toBe(0)
    await Promise.all(appends)
    expect(rowCount('batch')).toBe(60)
    // One commit writes each touched page once (a few frames); sixty commits write at least
    // sixty frames. Fewer frames than appends proves they shared a transaction.
    const [{ log }] = reader.pragma('wal_checkpoint(PASSIVE)') as [{ busy: number; log: number; checkpointed: number }]
    expect(log).toBeGreaterThan(0)
    expect(log).toBeLessThan(updates.length / 4)
    const restored = new Y.Doc()
    Y.applyUpdate(restored, (await storage.docs.load('batch'))!.update)
    expect(restored.getText('t').toString()).toBe(ydoc.getText('t').toString())
  })

  it('rejects every append of a batch whose transaction fails, and stores none of them', async () => {
    const { updates } = typedUpdates(3)
    // reason: a NOT NULL violation inside the batch makes the whole transaction roll back.
    const broken = null as unknown as Uint8Array
    const results = await Promise.allSettled([
      storage.docs.append('failing', updates[0]!),
      storage.docs.append('failing', broken),
      storage.docs.append('failing', updates[1]!),
    ])
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(rowCount('failing')).toBe(0)
    await storage.docs.append('failing', updates[0]!)
    expect(rowCount('failing')).toBe(1)
  })
})

describe('SqliteDocStore: the WAL synced off the event loop (issue 21)', () => {
  let dir: string
  let db: Database.Database
  const rowCount = (docName: string) => (db.prepare('SELECT count(*) AS n FROM doc_updates WHERE doc_name = ?').get(docName) as { n: number }).n
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-sqlite-'))
    db = openDatabase(path.join(dir, 'summitpad.db'))
  })
  afterEach(() => {
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  /** A WAL sync the test completes by hand. */
  function manualSync() {
    const calls: ((error: Error | null) => void)[] = []
    return { calls, sync: (done: (error: Error | null) => void) => void calls.push(done) }
  }
  const tick = () => new Promise((resolve) => setImmediate(resolve))

  it('resolves appends only once the WAL sync after their commit is done; writes arriving meanwhile commit together once it is done, then share the next sync', async () => {
    const wal = manualSync()
    const store = new SqliteDocStore(db, { walSync: wal.sync })
    const { updates } = typedUpdates(6)
    const resolved: number[] = []
    const first = updates.slice(0, 2).map((update, i) => store.append('pad', update).then(() => resolved.push(i)))
    await tick()
    // Committed (a reader sees the rows), not yet durable: nobody may be told.
    expect(rowCount('pad')).toBe(2)
    expect(wal.calls).toHaveLength(1)
    expect(resolved).toEqual([])
    // Two more appends, in two ticks, while the first sync is in flight: they wait for it
    // (issue 21: one commit per sync under load, not one per tick)...
    const second = store.append('pad', updates[2]!).then(() => resolved.push(2))
    await tick()
    const third = store.append('pad', updates[3]!).then(() => resolved.push(3))
    await tick()
    expect(rowCount('pad')).toBe(2)
    expect(wal.calls).toHaveLength(1)
    wal.calls[0]!(null)
    await Promise.all(first)
    expect(resolved).toEqual([0, 1])
    // ...are committed in one group as soon as it is done, and share the next sync.
    expect(wal.calls).toHaveLength(2)
    wal.calls[1]!(null)
    await Promise.all([second, third])
    expect(resolved).toEqual([0, 1, 2, 3])
    // SQLite's own setting is back to FULL for everyone else's commits.
    expect(db.pragma('synchronous', { simple: true })).toBe(2)
    await store.close()
  })

  it('rejects the appends of a failed sync, and the next group syncs again', async () => {
    const wal = manualSync()
    const store = new SqliteDocStore(db, { walSync: wal.sync })
    const { updates } = typedUpdates(2)
    const failed = store.append('pad', updates[0]!)
    await tick()
    wal.calls[0]!(new Error('EIO'))
    await expect(failed).rejects.toThrow('EIO')
    const next = store.append('pad', updates[1]!)
    await tick()
    wal.calls[1]!(null)
    await expect(next).resolves.toBeUndefined()
    await store.close()
  })

  it('closing waits for the sync in flight and syncs what is pending', async () => {
    const wal = manualSync()
    const store = new SqliteDocStore(db, { walSync: wal.sync })
    const { updates } = typedUpdates(2)
    const appended = [store.append('pad', updates[0]!)]
    await tick()
    appended.push(store.append('pad', updates[1]!))
    let closed = false
    const closing = store.close().then(() => (closed = true))
    await tick()
    expect(rowCount('pad')).toBe(2)
    expect(closed).toBe(false)
    wal.calls[0]!(null)
    await tick()
    expect(closed).toBe(false)
    wal.calls[1]!(null)
    await closing
    await Promise.all(appended)
  })

  it('takes revisions, compactions, quarantines, refused ranges and deletions into the group commit, durable only after its sync', async () => {
    const wal = manualSync()
    const store = new SqliteDocStore(db, { walSync: wal.sync })
    const { updates } = typedUpdates(3)
    await tick()
    const settled: string[] = []
    const appended = store.append('pad', updates[0]!).then(() => settled.push('append'))
    const revision = store.appendRevision('pad', { snapshot: Uint8Array.of(0), authors: ['Ada'], createdAt: 1, reason: 'quiet' }).then((rev) => settled.push(`revision ${rev}`))
    const refused = store.appendRefused('pad', [{ client: 1, start: 0, end: 2 }]).then(() => settled.push('refused'))
    // Nothing ran on the caller's turn: it all waits for the group's one transaction.
    expect(rowCount('pad')).toBe(0)
    await tick()
    expect(rowCount('pad')).toBe(1)
    expect(wal.calls).toHaveLength(1)
    expect(settled).toEqual([])
    wal.calls[0]!(null)
    await Promise.all([appended, revision, refused])
    expect(settled).toEqual(['append', 'revision 1', 'refused'])
    // Each later write, too, is done only once a sync after its commit is.
    let done = 1
    const drive = async <T>(written: Promise<T>): Promise<T> => {
      let settledYet = false
      void written.finally(() => (settledYet = true)).catch(() => {})
      while (!settledYet) {
        await tick()
        while (wal.calls.length > done) wal.calls[done++]!(null)
      }
      return written
    }
    const { refs } = (await store.load('pad'))!
    const syncsBefore = wal.calls.length
    await drive(store.compact('pad', updates[0]!, refs))
    expect(wal.calls.length).toBeGreaterThan(syncsBefore)
    await drive(store.append('pad', updates[1]!))
    const rows = await store.rows('pad')
    expect(rows).toHaveLength(2)
    await drive(store.quarantine('pad', [rows.at(-1)!.ref], 'test'))
    expect(await store.listQuarantined('pad')).toHaveLength(1)
    const deleted = store.delete('pad')
    await tick()
    expect(await store.listRevisions('pad')).toEqual([])
    await drive(deleted)
    expect(await store.loadRefused('pad')).toEqual([])
    await store.close()
  })

  it('fails a write alone when it breaks in its savepoint; the appends of its group are stored', async () => {
    const store = new SqliteDocStore(db)
    const { updates } = typedUpdates(2)
    db.exec('CREATE TRIGGER no_revisions BEFORE INSERT ON revisions BEGIN SELECT RAISE(ABORT, \'revisions refused\'); END')
    const results = await Promise.allSettled([
      store.append('pad', updates[0]!),
      store.appendRevision('pad', { snapshot: Uint8Array.of(0), authors: [], createdAt: 1, reason: 'quiet' }),
      store.append('pad', updates[1]!),
    ])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(rowCount('pad')).toBe(2)
    await store.close()
  })

  it('syncs the WAL file itself by default (FULL on a file), and not at all with NORMAL', async () => {
    const { updates } = typedUpdates(3)
    const store = new SqliteDocStore(db)
    await Promise.all(updates.map((update) => store.append('pad', update)))
    expect(rowCount('pad')).toBe(3)
    await store.close()
    db.pragma('synchronous = NORMAL')
    const normal = new SqliteDocStore(db)
    await normal.append('pad2', updates[0]!)
    expect(rowCount('pad2')).toBe(1)
    await normal.close()
  })
})

describe('participants stored before issue 19', () => {
  it('are migrated by name and read without the placeholder names of people who chose one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-sqlite-'))
    try {
      // A file at the schema before issue 19, with participants as that version kept them.
      const db = new Database(path.join(dir, 'summitpad.db'))
      migrate(db, participantsByPersonVersion)
      db.exec(`INSERT INTO sessions (id, title, duration_minutes, state, created_at, updated_at) VALUES ('legacy-participants', 'Legacy', 40, 'ended', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
        INSERT INTO archives (session_id, archived_at, doc_json, outcomes_json, participants_json) VALUES ('legacy-participants', '2026-01-01T01:00:00Z', '{"type":"doc"}', '{"decisions":[],"actions":[]}', '["Guest 214","李明","Guest 377","Ada"]');
        INSERT INTO participants VALUES ('legacy-participants', 'Guest 214', '2026-01-01T00:00:00Z'), ('legacy-participants', '李明', '2026-01-01T00:00:01Z'), ('legacy-participants', 'Ada', '2026-01-01T00:00:02Z');`)
      db.close()
      const session = { id: 'legacy-participants' }

      const reopened = openSqliteStorage(dir)
      try {
        expect(await reopened.meta.listParticipants(session.id)).toEqual(['李明', 'Ada'])
        expect((await reopened.meta.getArchive(session.id))!.participants).toEqual(['李明', 'Ada'])
        expect((await reopened.meta.listArchives())[0]!.participants).toEqual(['李明', 'Ada'])
        // A person seen now is keyed by identity and keeps a chosen "Guest" name.
        await reopened.meta.addParticipants(session.id, [{ person: 'id:u-1', name: 'Guest 500' }])
        expect(await reopened.meta.listParticipants(session.id)).toEqual(['李明', 'Ada', 'Guest 500'])
      } finally {
        await reopened.close()
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('SqliteMetaStore on a connect storm', () => {
  it('compiles the session and capability queries once, not at every connect', async () => {
    const temp = openTempStorage()
    try {
      const { meta } = temp.storage
      const ids = ['storm-a', 'storm-b', 'storm-c']
      for (const [i, id] of ids.entries()) {
        await meta.createSession({ id, title: `t${i}`, track: 'nova', room: 'Room 1', moderator: 'Ada', scheduledStart: null, durationMinutes: 40, access: 'open', moderatorKeyHash: `m${i}`, editorKeyHash: `e${i}` })
      }
      // reason: counting calls on the store's own connection, which the store keeps private.
      const db = (meta as unknown as { db: Database.Database }).db
      const prepare = db.prepare.bind(db)
      let prepares = 0
      db.prepare = ((sql: string) => {
        prepares++
        return prepare(sql)
      }) as typeof db.prepare
      for (let round = 0; round < 5; round++) {
        for (const [i, id] of ids.entries()) {
          expect(await meta.getCapabilities(id)).toEqual({ access: 'open', moderatorKeyHash: `m${i}`, editorKeyHash: `e${i}` })
          expect((await meta.getSession(id))?.title).toBe(`t${i}`)
        }
      }
      expect(await meta.getCapabilities('storm-none')).toBeNull()
      expect(prepares).toBeLessThanOrEqual(2)
    } finally {
      await temp.cleanup()
    }
  })
})

describe('archives stored before issue 21', () => {
  it('find their full-text row after the migration: re-archiving replaces it, deleting removes it, by rowid', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-sqlite-'))
    try {
      // A file at the schema before issue 21: the full-text row is found by session_id only.
      const db = new Database(path.join(dir, 'summitpad.db'))
      migrate(db, archiveSearchRowidVersion)
      for (const [id, text] of [['old-one', 'quokka notes'], ['old-two', 'wombat notes']]) {
        db.prepare(`INSERT INTO sessions (id, title, duration_minutes, state, created_at, updated_at) VALUES (?, ?, 40, 'ended', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`).run(id, id)
        db.prepare(`INSERT INTO archives (session_id, archived_at, doc_json, outcomes_json, participants_json) VALUES (?, '2026-01-01T01:00:00Z', '{"type":"doc"}', '{"decisions":[],"actions":[]}', '[]')`).run(id)
        db.prepare('INSERT INTO archive_fts (session_id, title, body) VALUES (?, ?, ?)').run(id, id, text)
      }
      db.close()

      const reopened = openSqliteStorage(dir)
      try {
        const raw = openDatabase(reopened.file)
        const ftsRows = () => (raw.prepare('SELECT count(*) AS n FROM archive_fts').get() as { n: number }).n
        expect((await reopened.meta.searchArchive('quokka')).map((hit) => hit.session.id)).toEqual(['old-one'])
        await reopened.meta.saveArchive({ sessionId: 'old-one', doc: { type: 'doc' }, outcomes: { decisions: [], actions: [] }, participants: [], chat: [], text: 'platypus notes' })
        expect(await reopened.meta.searchArchive('quokka')).toEqual([])
        expect(ftsRows()).toBe(2)
        await reopened.meta.deleteSession('old-two')
        expect(await reopened.meta.searchArchive('wombat')).toEqual([])
        expect(ftsRows()).toBe(1)
        // Replacing and deleting look the row up by rowid: no statement scans every pad's text.
        const plan = raw.prepare('EXPLAIN QUERY PLAN DELETE FROM archive_fts WHERE rowid = (SELECT search_rowid FROM archives WHERE session_id = ?)').all('old-one') as { detail: string }[]
        expect(plan.map((step) => step.detail).join('\n')).not.toMatch(/SCAN archive_fts(?! VIRTUAL TABLE INDEX 0:=)/)
        raw.close()
      } finally {
        await reopened.close()
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('archives stored before their action rows (issue 21)', () => {
  it('have their action items in rows after the migration, carried items linked, no owner kept as none', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-sqlite-'))
    try {
      const db = new Database(path.join(dir, 'summitpad.db'))
      migrate(db, archiveActionsVersion)
      const outcomes = (actions: unknown[]) => JSON.stringify({ decisions: [], actions })
      const rows: [string, string, string][] = [
        ['old-one', '2026-01-01T01:00:00.000Z', outcomes([{ text: '@ada plans', owner: 'ada', due: '2026-02-01', done: false, source: 'action' }, { text: 'nobody', owner: null, due: null, done: true, source: 'task' }])],
        ['old-two', '2026-02-01T01:00:00.000Z', outcomes([{ text: '@ada plans', owner: 'ada', due: null, done: true, source: 'task', from: { sessionId: 'old-one', index: 0 } }])],
      ]
      for (const [id, endedAt, json] of rows) {
        db.prepare(`INSERT INTO sessions (id, title, track, duration_minutes, state, ended_at, created_at, updated_at) VALUES (?, ?, 'Ops', 40, 'ended', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`).run(id, id, endedAt)
        db.prepare(`INSERT INTO archives (session_id, archived_at, doc_json, outcomes_json, participants_json) VALUES (?, '2026-01-01T01:00:00Z', '{"type":"doc"}', ?, '[]')`).run(id, json)
      }
      db.close()

      const reopened = openSqliteStorage(dir)
      try {
        expect(await reopened.meta.listActionOwners()).toEqual([
          { owner: 'ada', total: 1, open: 0 },
          { owner: null, total: 1, open: 0 },
        ])
        const [ada] = (await reopened.meta.listOwnerActions('ada', null, 10)).actions
        expect(ada).toMatchObject({ sessionId: 'old-two', index: 0, done: true, source: 'task', from: { sessionId: 'old-one', index: 0 }, endedAt: '2026-02-01T01:00:00.000Z' })
        expect(await reopened.meta.getArchivedActions([{ sessionId: 'old-one', index: 0 }])).toMatchObject([{ owner: 'ada', due: '2026-02-01', done: false, source: 'action', from: null }])
      } finally {
        await reopened.close()
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('doc updates stored before they recorded their checks (issue 21)', () => {
  it('load as unchecked after the migration, so their pad is walked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-sqlite-'))
    try {
      const db = new Database(path.join(dir, 'summitpad.db'))
      migrate(db, docUpdateChecksVersion)
      const ydoc = new Y.Doc()
      ydoc.getText('t').insert(0, 'stored long ago')
      db.prepare('INSERT INTO doc_updates (doc_name, data, created_at) VALUES (?, ?, ?)').run('old-pad', Y.encodeStateAsUpdate(ydoc), 1)
      db.close()

      const reopened = openSqliteStorage(dir)
      try {
        expect((await reopened.docs.load('old-pad'))!.checks).toBe(0)
        await reopened.docs.append('old-pad', Y.encodeStateAsUpdate(new Y.Doc()), 1)
        expect((await reopened.docs.load('old-pad'))!.checks).toBe(0)
      } finally {
        await reopened.close()
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
