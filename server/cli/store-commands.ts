/**
 * The commands that work on the configured store directly (the same environment as the server:
 * `DATA_DIR`, `DATABASE_URL`, `REDIS_URL`): `backup`, `restore` and `check`.
 *
 * - `backup FILE` copies the SQLite database with SQLite's online backup API (better-sqlite3's
 *   `db.backup()`): a consistent copy while the server runs and writes. PostgreSQL: use pg_dump.
 * - `restore FILE` replaces the SQLite database with a backup, after checking it is one; the
 *   server must be stopped. The replaced file is kept beside it.
 * - `check` parses the configuration and opens the store and the bus, as `/healthz` reports them.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { Config } from '../config.ts'
import { openBus } from '../bus/open-bus.ts'
import { redactUrl } from '../observability/redact-url.ts'
import { openStorage } from '../storage/open-storage.ts'
import { silentLogger } from '../observability/log.ts'
import { CliError } from './cli-error.ts'
import { formatBytes, ProgressBar } from './progress.ts'

/** The SQLite file of `config` (`<DATA_DIR>/summitpad.db`). */
export function sqliteFile(config: Config): string {
  return path.join(config.dataDir, 'summitpad.db')
}

const pgDumpHint = (config: Config) => `this server stores in PostgreSQL (DATABASE_URL): back it up with pg_dump, e.g. pg_dump --format=custom --file=summitpad.dump '${redactUrl(config.databaseUrl!)}' (restore with pg_restore)`


/** The tables a summitpad SQLite database has; a backup must hold them all. */
const requiredTables = ['doc_updates', 'sessions', 'participants', 'archives', 'revisions']

/** `backup FILE`: an online, consistent copy of the SQLite database; refuses to overwrite. */
export async function backupCommand(config: Config, file: string): Promise<void> {
  if (config.databaseUrl) throw new CliError(pgDumpHint(config))
  const source = sqliteFile(config)
  if (!fs.existsSync(source)) throw new CliError(`no database at ${source} (set DATA_DIR to the server's data directory)`)
  if (fs.existsSync(file)) throw new CliError(`${file} exists: give a new file name`)
  const db = new Database(source, { readonly: true, fileMustExist: true })
  const bar = new ProgressBar(`backing up ${path.basename(source)}`, null, 'items')
  try {
    // Pages are copied in steps; SQLite restarts the copy by itself if the server writes meanwhile.
    await db.backup(file, {
      progress({ totalPages, remainingPages }) {
        bar.setTotal(totalPages)
        bar.update(totalPages - remainingPages)
        return 200
      },
    })
  } catch (error) {
    fs.rmSync(file, { force: true })
    throw new CliError(`backup failed: ${(error as Error).message}`)
  } finally {
    db.close()
  }
  bar.finish()
  const counts = tableCounts(file)
  process.stdout.write(`backup written to ${file} (${formatBytes(fs.statSync(file).size)}): ${formatCounts(counts)}\n`)
}

/** Rows per summitpad table of the SQLite file at `file`; throws when it is not one. */
export function tableCounts(file: string): Record<string, number> {
  let db: Database.Database
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
  } catch (error) {
    throw new CliError(`${file} is not readable as SQLite: ${(error as Error).message}`)
  }
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name))
    const missing = requiredTables.filter((table) => !tables.has(table))
    if (missing.length > 0) throw new CliError(`${file} is not a summitpad database (no table ${missing.join(', ')})`)
    return Object.fromEntries(requiredTables.map((table) => [table, (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n]))
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(`${file} is not a summitpad database: ${(error as Error).message}`)
  } finally {
    db.close()
  }
}

const formatCounts = (counts: Record<string, number>) => Object.entries(counts).map(([table, n]) => `${n} ${table}`).join(', ')

/**
 * `restore FILE`: checks FILE (integrity and tables), then puts it in place of the database, the
 * replaced one kept as `summitpad.db.before-restore-<time>`. The server must be stopped first: a
 * running server keeps the old file open.
 */
export async function restoreCommand(config: Config, file: string): Promise<void> {
  if (config.databaseUrl) throw new CliError('this server stores in PostgreSQL (DATABASE_URL): restore a pg_dump with pg_restore')
  if (!fs.existsSync(file)) throw new CliError(`no file ${file}`)
  const counts = tableCounts(file)
  const check = new Database(file, { readonly: true })
  const integrity = (check.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check
  check.close()
  if (integrity !== 'ok') throw new CliError(`${file} fails SQLite's integrity check: ${integrity}`)
  const target = sqliteFile(config)
  fs.mkdirSync(config.dataDir, { recursive: true })
  const staging = `${target}.restoring`
  fs.copyFileSync(file, staging)
  if (fs.existsSync(target)) {
    const kept = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`
    // The WAL holds committed pages not yet in the main file: checkpoint it into the kept copy.
    const old = new Database(target)
    old.pragma('wal_checkpoint(TRUNCATE)')
    old.close()
    fs.renameSync(target, kept)
    process.stderr.write(`kept the replaced database as ${kept}\n`)
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true })
  fs.renameSync(staging, target)
  process.stdout.write(`restored ${target} from ${file}: ${formatCounts(counts)}\n`)
}

/**
 * `check`: the configuration parses (the caller did that), the store opens and answers, the bus
 * connects. Prints one line each; throws (exit 1) when something is down, like `/healthz`'s 503.
 */
/** How long `check` waits for the store and the bus to answer before calling them down. */
const checkTimeoutMs = 15_000

export async function checkCommand(config: Config): Promise<void> {
  const lines: string[] = ['config: ok']
  let down = false
  try {
    if (!config.databaseUrl && !fs.existsSync(sqliteFile(config))) {
      // Opening would create it: report instead whether the server could.
      let dir = config.dataDir
      while (!fs.existsSync(dir)) dir = path.dirname(dir)
      fs.accessSync(dir, fs.constants.W_OK)
      throw new CliError(`no database yet at ${sqliteFile(config)} (the server creates it at its first start; ${dir} is writable)`)
    }
    const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl })
    // An operator waits for an answer; a busy database is slow, not down (`/healthz` keeps 3 s).
    const status = await storage.health(checkTimeoutMs)
    await storage.close()
    lines.push(`store: ${storage.kind} ${status} (${storage.kind === 'sqlite' ? sqliteFile(config) : redactUrl(config.databaseUrl!)})`)
    down ||= status !== 'up'
  } catch (error) {
    const missing = error instanceof CliError
    lines.push(`store: ${config.databaseUrl ? 'postgres' : 'sqlite'} ${missing ? 'not created yet' : 'down'}: ${(error as Error).message}`)
    down ||= !missing
  }
  try {
    const bus = await openBus({ redisUrl: config.redisUrl, logger: silentLogger, prefix: config.redisPrefix, connectTimeoutMs: checkTimeoutMs })
    lines.push(`bus: ${config.redisUrl ? 'redis' : 'local'} ${bus.status()}`)
    down ||= bus.status() !== 'up'
    await bus.close()
  } catch (error) {
    lines.push(`bus: redis down: ${(error as Error).message}`)
    down = true
  }
  process.stdout.write(`${lines.join('\n')}\n`)
  if (down) throw new CliError('not healthy: see above')
}
