/**
 * `migrate --to postgres://…` (server/cli/migrate.ts) with a real SQLite file and the real
 * PostgreSQL, when a doc's stored updates cannot be loaded: the migration stops before anything
 * is copied, the error names the doc and its rows, and the SQLite file is left as it was. Once
 * the server's load has set the rows aside (its quarantine), the migration goes through.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { CliError } from '../../server/cli/cli-error.ts'
import { migrateCommand } from '../../server/cli/migrate.ts'
import { silentLogger } from '../../server/observability/log.ts'
import { openSqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts'
import { loadChecksVersion, loadHealthy } from '../../server/sync/quarantine.ts'
import { formatDocName } from '../../shared/doc-name.ts'
import { h, p, padUpdate } from '../helpers/ydoc-builder.ts'
import { schemaExists, useMigrateTarget } from '../helpers/migrate-target.ts'

const root = path.resolve(import.meta.dirname, '../..')
const { tmp, targetUrl } = useMigrateTarget()

const healthyPad = formatDocName({ sessionId: 'abc234defg', kind: 'pad' })
const garbledPad = formatDocName({ sessionId: 'bcd234efgh', kind: 'pad' })
const truncatedChat = formatDocName({ sessionId: 'bcd234efgh', kind: 'chat' })
const tamperedPad = formatDocName({ sessionId: 'cde234fghj', kind: 'pad' })

/**
 * A data directory whose SQLite file holds four docs written by the store, three of them then
 * given a row that cannot be loaded, straight through better-sqlite3: garbage bytes after a good
 * row, a truncated update as a doc's only row, and a truncated update that says it was stored
 * checked (`checks`). Resolves with the directory and the ids of the three bad rows.
 */
async function dataDirWithBadRows(): Promise<{ dataDir: string; file: string; bad: Record<string, number> }> {
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'))
  const storage = openSqliteStorage(dataDir)
  const good = padUpdate(h(2, 'Goals'), p('kept words'))
  await storage.docs.append(healthyPad, good)
  await storage.docs.append(healthyPad, padUpdate(h(2, 'More'), p('more words')))
  await storage.docs.append(garbledPad, good)
  await storage.close()
  const file = path.join(dataDir, 'summitpad.db')
  const db = new Database(file)
  const insert = db.prepare('INSERT INTO doc_updates (doc_name, data, created_at, checks) VALUES (?, ?, ?, ?)')
  const truncated = Buffer.from(good.subarray(0, good.length - 5))
  const bad = {
    [garbledPad]: Number(insert.run(garbledPad, Buffer.from([1, 2, 3, 250, 7]), Date.now(), 0).lastInsertRowid),
    [truncatedChat]: Number(insert.run(truncatedChat, truncated, Date.now(), 0).lastInsertRowid),
    [tamperedPad]: Number(insert.run(tamperedPad, truncated, Date.now(), loadChecksVersion).lastInsertRowid),
  }
  db.close()
  return { dataDir, file, bad }
}

function sourceRows(file: string): { updates: number; quarantined: number } {
  const db = new Database(file, { readonly: true })
  try {
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    return { updates: count('doc_updates'), quarantined: count('doc_quarantine') }
  } finally {
    db.close()
  }
}

describe('migrate with stored updates that cannot be loaded', () => {
  it('stops before copying anything, names every such doc and row, and leaves the SQLite file as it was', async () => {
    const { dataDir, file, bad } = await dataDirWithBadRows()
    const before = sourceRows(file)
    const { url, schema } = targetUrl()

    const failure = await migrateCommand(dataDir, file, url).then(
      () => null,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(CliError)
    const { message, exitCode } = failure as CliError
    expect(exitCode).toBe(1)
    expect(message).toContain('3 docs cannot be loaded as stored in SQLite; nothing was copied')
    for (const [docName, id] of Object.entries(bad)) expect(message).toMatch(new RegExp(`\\n  ${docName}: row ${id} cannot be loaded: `))
    expect(message).not.toContain(healthyPad)
    // A doc's only row, truncated: the walk of the load's checks names it a decode failure.
    for (const docName of [truncatedChat, tamperedPad]) expect(message).toContain(`${docName}: row ${bad[docName]} cannot be loaded: the stored update cannot be decoded (corrupt bytes)`)
    expect(message).not.toContain('nests deeper')
    // Nothing reached PostgreSQL (not even the schema), nothing changed in SQLite.
    expect(await schemaExists(schema)).toBe(false)
    expect(sourceRows(file)).toEqual(before)

    // What the error says to do: the server's load sets the unchecked rows aside (as opening
    // those sessions would); the row that says it was stored checked is deleted. Then it migrates.
    const storage = openSqliteStorage(dataDir)
    for (const docName of [garbledPad, truncatedChat]) expect((await loadHealthy(storage.docs, docName, silentLogger)).quarantined).toBe(1)
    expect((await loadHealthy(storage.docs, tamperedPad, silentLogger)).quarantined).toBe(0)
    await storage.close()
    const db = new Database(file)
    db.prepare('DELETE FROM doc_updates WHERE id = ?').run(bad[tamperedPad])
    db.close()
    const report = await migrateCommand(dataDir, file, url)
    expect(report.docsVerified).toBe(2)
    expect(report.counts.doc_updates).toEqual({ sqlite: 3, postgres: 3 })
  })

  it('exits 1 from the command line with the error on stderr', async () => {
    const { dataDir, bad } = await dataDirWithBadRows()
    const { url, schema } = targetUrl()
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir }
    for (const name of ['DATABASE_URL', 'REDIS_URL']) delete env[name]
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'migrate', '--to', url], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.on('exit', (code) => resolve({ code, stdout, stderr }))
    })
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain('summitpad: 3 docs cannot be loaded as stored in SQLite; nothing was copied')
    expect(run.stderr).toContain(`${garbledPad}: row ${bad[garbledPad]} cannot be loaded`)
    expect(run.stderr).not.toContain('unexpected error')
    expect(run.stdout).toBe('')
    expect(await schemaExists(schema)).toBe(false)
  })
})
