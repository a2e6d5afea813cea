/**
 * `migrate --to postgres://…`: copies everything of the SQLite database (`DATA_DIR`) into an empty
 * PostgreSQL database (or `?schema=` of one), so that a server started on it behaves as it did on
 * SQLite: every table's rows (migrate-tables.ts says what each becomes): sessions with their
 * secret hashes and import keys, every doc's stored updates (pads, control and chat docs, ids
 * kept), revisions, the refused write ranges, quarantined rows, participants, archive records
 * with their search text and action items, the event's settings, the audit log, organizers'
 * sign-ins, the outbox (pending and past webhook and mail deliveries), follow-up links, people's
 * sessions, keys and identity transfers. The serial columns' sequences are set past the copied ids
 * (and past SQLite's AUTOINCREMENT counters), so the server's next insert takes a fresh one.
 * A SQLite table migrate does not know stops it before anything is copied.
 *
 * First it checks every doc's stored updates the way the server checks them when it loads the doc
 * (sync/quarantine.ts `loadHealthy`, its quarantine only noted: the SQLite file is not changed),
 * every row walked whatever `checks` it was stored with (the copies are stored without one, so the
 * server on PostgreSQL walks them all at their first load too). A doc that cannot be loaded (an
 * update Yjs cannot decode or re-encode: corrupt bytes) stops the command before anything is
 * copied, with a CliError (exit 1) naming each such doc, its rows (ids in `doc_updates`) and why:
 * such rows would be copied only to fail the verification after the copy, and a migration that
 * quietly drops or repairs rows is not a copy. The server sets such rows aside (its quarantine)
 * when it loads the doc, so opening those sessions once with the server on SQLite clears the way,
 * except for a row that says it was stored checked (only damage to the file makes one fail): that
 * one is deleted by hand, after a backup. See docs/cli.md.
 *
 * The PostgreSQL schema is created by the server's own migrations. The copy runs in one
 * transaction, so a failure leaves the target empty. Then it verifies: the row counts of every
 * copied table, and every doc loaded through both stores has the same Yjs snapshot (state vector
 * and deletions) and the same pad content.
 *
 * Run it with the server stopped (or read-only): edits made during the copy are not carried over.
 */
import Database from 'better-sqlite3'
import pg from 'pg'
import * as Y from 'yjs'
import { padFragmentName } from '../../shared/schema.ts'
import type { DocStore } from '../storage/doc-store.ts'
import { loadHealthy } from '../sync/quarantine.ts'
import { silentLogger } from '../observability/log.ts'
import { openPgStorage, parseDatabaseUrl } from '../storage/pg/pg-storage.ts'
import { openSqliteStorage, type SqliteStorage } from '../storage/sqlite/sqlite-storage.ts'
import { CliError } from './cli-error.ts'
import { copiedTables, insertBatches, rebuiltTables, sqliteTablesQuery, toPgValues } from './migrate-tables.ts'
import { ProgressBar } from './progress.ts'
import { redactUrl } from '../observability/redact-url.ts'

/** Rows per table after the copy, in both databases. */
export interface MigrateReport {
  counts: Record<string, { sqlite: number; postgres: number }>
  docsVerified: number
}

/**
 * Checks that every doc of `sqliteFile` loads, copies its data into `databaseUrl` and verifies it;
 * throws CliError when a doc cannot be loaded (nothing copied) or on any mismatch.
 */
export async function migrateCommand(dataDir: string, sqliteFile: string, databaseUrl: string): Promise<MigrateReport> {
  const source = new Database(sqliteFile, { readonly: true, fileMustExist: true })
  const unknown = (source.prepare(sqliteTablesQuery).all() as { name: string }[])
    .map((row) => row.name)
    .filter((name) => !copiedTables.some((table) => table.name === name) && !(name in rebuiltTables))
  if (unknown.length > 0) {
    source.close()
    throw new CliError(`the SQLite database has ${unknown.length === 1 ? 'a table' : 'tables'} migrate does not know how to copy (${unknown.join(', ')}); nothing was copied`)
  }
  const docNames = (source.prepare('SELECT DISTINCT doc_name FROM doc_updates ORDER BY doc_name').all() as { doc_name: string }[]).map((row) => row.doc_name)
  const sqlite = openSqliteStorage(dataDir)
  try {
    await checkDocsLoad(sqlite, docNames)
  } catch (error) {
    await sqlite.close()
    source.close()
    throw error
  }
  const counts = Object.fromEntries(copiedTables.map(({ name }) => [name, (source.prepare(`SELECT count(*) AS n FROM ${name}`).get() as { n: number }).n]))
  const total = Object.values(counts).reduce((a, b) => a + b, 0)

  // The server's migrations create the schema (and the `schema` of the URL).
  let target
  try {
    target = await openPgStorage(databaseUrl, { poolSize: 2 })
  } catch (error) {
    await sqlite.close()
    source.close()
    throw new CliError(`cannot open ${redactUrl(databaseUrl)}: ${(error as Error).message}`)
  }
  const { connectionString, schema } = parseDatabaseUrl(databaseUrl)
  const client = new pg.Client({ connectionString, ...(schema ? { options: `-c search_path=${schema}` } : {}) })
  await client.connect()
  const bar = new ProgressBar('copying', total, 'items')
  try {
    for (const { name } of copiedTables) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`)
      if (Number(rows[0]!.n) > 0) throw new CliError(`the target already has rows in ${name}: migrate copies into an empty database only`)
    }
    await client.query('BEGIN')
    for (const table of copiedTables) {
      // Exact integers whatever their size (BIGINT columns), sent as text (migrate-tables.ts).
      const iterator = source.prepare(table.select).safeIntegers(true).iterate() as IterableIterator<Record<string, unknown>>
      const rows = (function* () {
        for (const row of iterator) yield toPgValues(table, row)
      })()
      const width = table.columns.length
      for (const batch of insertBatches(rows)) {
        const values = batch.map((row, r) => `(${row.map((_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ')
        await client.query(`INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES ${values}`, batch.flat())
        bar.tick(batch.length)
      }
      if (table.serial) {
        // The next id PostgreSQL hands out follows every id SQLite ever handed out.
        const floor = Number((source.prepare(table.serial.floor).get() as { n: number | null }).n ?? 0)
        await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)`, [table.name, table.serial.column, Math.max(floor, 1), floor > 0])
      }
    }
    await client.query('COMMIT')
    bar.finish()
  } catch (error) {
    // reason: the copy's own error is the one reported; the connection is closed right after.
    await client.query('ROLLBACK').catch(() => null)
    await client.end()
    await target.close()
    await sqlite.close()
    source.close()
    if (error instanceof CliError) throw error
    throw new CliError(`copy failed, nothing was kept: ${(error as Error).message}`)
  }

  // Verify: counts, then every doc through both stores.
  const report: MigrateReport = { counts: {}, docsVerified: 0 }
  const mismatches: string[] = []
  try {
    for (const { name } of copiedTables) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`)
      report.counts[name] = { sqlite: counts[name]!, postgres: Number(rows[0]!.n) }
      if (report.counts[name].sqlite !== report.counts[name].postgres) mismatches.push(`${name}: ${counts[name]} rows in SQLite, ${rows[0]!.n} in PostgreSQL`)
    }
    const verifyBar = new ProgressBar('verifying docs', docNames.length, 'items')
    for (const docName of docNames) {
      const problem = await compareDoc(docName, sqlite.docs, target.docs)
      if (problem) mismatches.push(`${docName}: ${problem}`)
      else report.docsVerified++
      verifyBar.tick()
    }
    verifyBar.finish()
  } finally {
    await client.end()
    await target.close()
    await sqlite.close()
    source.close()
  }
  if (mismatches.length > 0) throw new CliError(`verification failed:\n  ${mismatches.slice(0, 20).join('\n  ')}`)
  return report
}

/**
 * Throws a CliError naming every doc of `docNames` that the server could not load as stored: the
 * rows its load would set aside (quarantine) and why, or the load's error when no row is to blame.
 * The check is the server's own (`loadHealthy`), run on a view of the store whose `quarantine`
 * only notes the rows, so the SQLite file is left as it is, and whose `load` says no row was
 * stored checked, so every doc is walked (as its copy will be: migrate stores no `checks`).
 */
async function checkDocsLoad(sqlite: SqliteStorage, docNames: readonly string[]): Promise<void> {
  const problems: string[] = []
  const bar = new ProgressBar('checking docs', docNames.length, 'items')
  for (const docName of docNames) {
    const setAside: { refs: readonly number[]; reason: string }[] = []
    // The store's own methods but these two (loadHealthy calls load, rows and quarantine).
    const noting = Object.assign(Object.create(sqlite.docs) as DocStore, {
      load: async (name: string) => {
        const loaded = await sqlite.docs.load(name)
        return loaded && { ...loaded, checks: 0 }
      },
      quarantine: async (_docName: string, refs: readonly number[], reason: string) => {
        setAside.push({ refs, reason })
      },
    })
    let failure: unknown = null
    try {
      await loadHealthy(noting, docName, silentLogger)
    } catch (error) {
      // After noting the rows, loadHealthy loads again: with the rows still there, that may throw.
      failure = error
    }
    const [noted] = setAside
    if (noted) problems.push(`${docName}: ${noted.refs.length === 1 ? 'row' : 'rows'} ${noted.refs.join(', ')} ${noted.reason}`)
    else if (failure) problems.push(`${docName}: cannot be loaded: ${failure instanceof Error ? failure.message : String(failure)}`)
    bar.tick()
  }
  bar.finish()
  if (problems.length === 0) return
  throw new CliError(
    `${problems.length} ${problems.length === 1 ? 'doc' : 'docs'} cannot be loaded as stored in SQLite; nothing was copied:\n  ${problems.slice(0, 20).join('\n  ')}` +
      `${problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : ''}` +
      '\nto go on: open these sessions once with the server on SQLite (its load sets such rows aside, into doc_quarantine), or back up and delete the rows (ids in doc_updates); then migrate again (see docs/cli.md)',
  )
}

/** null when `docName` loads to the same Yjs snapshot and pad content from both stores. */
async function compareDoc(docName: string, a: DocStore, b: DocStore): Promise<string | null> {
  try {
    return await compareLoaded(a, b, docName)
  } catch (error) {
    // The docs were checked before the copy; this names the doc should one fail all the same.
    return `cannot be loaded: ${(error as Error).message}`
  }
}

async function compareLoaded(a: DocStore, b: DocStore, docName: string): Promise<string | null> {
  const [left, right] = await Promise.all([a.load(docName), b.load(docName)])
  if (!left || !right) return `${left ? 'missing' : 'present'} in PostgreSQL, ${left ? 'present' : 'missing'} in SQLite`
  const docs = [left, right].map((loaded) => {
    const ydoc = new Y.Doc({ gc: false })
    Y.applyUpdate(ydoc, loaded.update)
    return ydoc
  })
  const [x, y] = docs as [Y.Doc, Y.Doc]
  if (!Y.equalSnapshots(Y.snapshot(x), Y.snapshot(y))) return 'different Yjs state (state vector or deletions)'
  if (x.getXmlFragment(padFragmentName).toString() !== y.getXmlFragment(padFragmentName).toString()) return 'different pad content'
  return null
}
