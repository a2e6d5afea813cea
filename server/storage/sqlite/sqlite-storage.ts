/** Opens the embedded SQLite file once and exposes it as both DocStore and MetaStore. */
import path from 'node:path'
import { openDatabase, type SqliteSync } from './open-database.ts'
import { SqliteDocStore } from './sqlite-doc-store.ts'
import { SqliteMetaStore } from './sqlite-meta-store.ts'

export interface SqliteStorage {
  docs: SqliteDocStore
  meta: SqliteMetaStore
  /** The database file's path, or ':memory:'. */
  file: string
  /** Flushes pending appends and closes the file. Idempotent. */
  close(): Promise<void>
}

/** Opens `<dataDir>/summitpad.db` (or an in-memory database for `':memory:'`). */
export function openSqliteStorage(dataDir: string, sync: SqliteSync = 'full', commitWindowMs = 0): SqliteStorage {
  const file = dataDir === ':memory:' ? dataDir : path.join(dataDir, 'summitpad.db')
  const db = openDatabase(file, sync)
  const docs = new SqliteDocStore(db, { commitWindowMs })
  const meta = new SqliteMetaStore(db)
  let closing: Promise<void> | null = null
  return {
    docs,
    meta,
    file,
    close() {
      closing ??= (async () => {
        await docs.close()
        await meta.close()
        db.close()
      })()
      return closing
    },
  }
}
