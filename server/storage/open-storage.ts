/**
 * Picks the storage from the configuration: PostgreSQL when `DATABASE_URL` is set (several
 * instances), else the embedded SQLite file under `DATA_DIR`. Both give a DocStore, a MetaStore,
 * a health check and a close.
 */
import type { DocStore } from './doc-store.ts'
import type { MetaStore } from './meta-store.ts'
import type { SqliteSync } from './sqlite/open-database.ts'
import { openSqliteStorage } from './sqlite/sqlite-storage.ts'

export interface Storage {
  kind: 'sqlite' | 'postgres'
  docs: DocStore
  meta: MetaStore
  /** Whether the store answers within `timeoutMs` (@default 3000: `/healthz`'s budget). */
  health(timeoutMs?: number): Promise<'up' | 'down'>
  close(): Promise<void>
}

export async function openStorage(options: { dataDir: string; databaseUrl: string | null; sqliteSync?: SqliteSync; commitWindowMs?: number }): Promise<Storage> {
  if (options.databaseUrl) {
    // Loaded only with a database URL: the pg driver costs a SQLite server memory it never uses.
    const { openPgStorage } = await import('./pg/pg-storage.ts')
    const pg = await openPgStorage(options.databaseUrl)
    return { kind: 'postgres', docs: pg.docs, meta: pg.meta, health: (timeoutMs) => pg.health(timeoutMs), close: () => pg.close() }
  }
  const sqlite = openSqliteStorage(options.dataDir, options.sqliteSync, options.commitWindowMs)
  // The file is opened by this process: it is up as long as the process is.
  return { kind: 'sqlite', docs: sqlite.docs, meta: sqlite.meta, health: async () => 'up', close: () => sqlite.close() }
}
