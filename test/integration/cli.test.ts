/**
 * The operator's command line (`summitpad <command>`, run from the TypeScript sources as a child
 * process) against a real server process, the real SQLite file and real PostgreSQL: every command,
 * its exit codes (0 done, 1 failed, 2 wrong usage) and its error lines.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced } from '../helpers/clients.ts'
import { summitCsv, summitSessions } from '../helpers/schedule-fixture.ts'
import { organizerToken, startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { padText } from '../helpers/ydoc-builder.ts'

const root = path.resolve(import.meta.dirname, '../..')
const baseDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-cli-'))

interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `summitpad ...args` with `env` added to this process's environment. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', ...args], { cwd: root, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}
/** This process's environment without the CLI's own and the store variables, plus `env`. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env }
  for (const name of ['SUMMITPAD_URL', 'SUMMITPAD_TOKEN', 'DATABASE_URL', 'REDIS_URL', 'DATA_DIR']) delete result[name]
  for (const [name, value] of Object.entries(env)) if (value !== undefined) result[name] = value
  return result
}

let server: ServerProcess
beforeAll(async () => {
  // The fixture's schedule is in May 2026: no auto-end, or the import refuses slots long over.
  server = await startServerProcess({ env: { AUTO_END_AFTER_MINUTES: '0' } })
})
afterAll(async () => {
  await server?.dispose()
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('summitpad (the command line)', () => {
  it('prints help for every command, and exits 2 on a wrong command line', async () => {
    const overview = await cli(['--help'])
    expect(overview.code).toBe(0)
    for (const command of ['serve', 'import-schedule', 'export', 'export-archive', 'backup', 'restore', 'migrate', 'check']) {
      expect(overview.stdout).toContain(command)
      const help = await cli([command, '--help'])
      expect(help.code, command).toBe(0)
      expect(help.stdout).toContain(`usage: summitpad ${command}`)
    }
    const unknown = await cli(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^summitpad: unknown command "frobnicate"/)
    expect((await cli(['export', 'x', '--format', 'pdf', '--url', server.url])).code).toBe(2)
    expect((await cli(['import-schedule', 'a.csv'])).stderr).toContain('--event NAME is required')
    expect((await cli(['export', 'x', '--colour', 'red'])).code).toBe(2)
  })

  it('imports a schedule over HTTP: dry run, import, re-import unchanged; fails clearly without a server', async () => {
    const file = path.join(tmp, 'summit.csv')
    fs.writeFileSync(file, summitCsv(summitSessions().slice(0, 3)))
    const anonymous = await cli(['import-schedule', file, '--event', 'CLI Summit', '--dry-run', '--url', server.url])
    expect(anonymous.code).toBe(1)
    expect(anonymous.stderr).toContain('failed with 401: organizer_required')
    const dry = await cli(['import-schedule', file, '--event', 'CLI Summit', '--dry-run', '--url', server.url, '--token', organizerToken])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('dry run: would create 3, update 0, unchanged 0, skip 0')
    const real = await cli(['import-schedule', file, '--event', 'CLI Summit'], { SUMMITPAD_URL: server.url, SUMMITPAD_TOKEN: organizerToken })
    expect(real.code, real.stderr).toBe(0)
    expect(real.stdout).toContain('created 3, updated 0, unchanged 0, skipped 0')
    expect(real.stdout).toMatch(/moderator http.*#key=/)
    const again = await cli(['import-schedule', file, '--event', 'CLI Summit', '--url', server.url, '--token', organizerToken])
    expect(again.stdout).toContain('created 0, updated 0, unchanged 3, skipped 0')
    const refused = await cli(['import-schedule', file, '--event', 'CLI Summit', '--time-zone', 'Mars/Olympus', '--url', server.url, '--token', organizerToken])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^summitpad: POST \/api\/schedule\/import failed with 400: invalid_body.*IANA time zone/)
    const down = await cli(['import-schedule', file, '--event', 'X', '--url', 'http://127.0.0.1:9'])
    expect(down.code).toBe(1)
    expect(down.stderr).toContain('cannot reach the server at http://127.0.0.1:9')
  })

  it('sends the organizer token as a Bearer header', async () => {
    const seen: (string | undefined)[] = []
    const fake = http.createServer((req, res) => {
      seen.push(req.headers.authorization)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ dryRun: true, created: 0, updated: 0, unchanged: 0, sessions: [] }))
    })
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`
    const file = path.join(tmp, 'token.csv')
    fs.writeFileSync(file, summitCsv(summitSessions().slice(0, 1)))
    expect((await cli(['import-schedule', file, '--event', 'T', '--dry-run', '--url', url, '--token', 'org-secret'])).code).toBe(0)
    expect((await cli(['import-schedule', file, '--event', 'T', '--dry-run', '--url', url], { SUMMITPAD_TOKEN: 'env-secret' })).code).toBe(0)
    fake.close()
    expect(seen).toEqual(['Bearer org-secret', 'Bearer env-secret'])
  })

  it('exports a pad in every format and the whole archive as a zip, with progress', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url, { title: 'CLI export check' })
    for (const format of ['md', 'html', 'txt', 'json']) {
      const run = await cli(['export', session.id, '--format', format, '--url', server.url])
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain('CLI export check')
    }
    const out = path.join(tmp, 'pad.md')
    expect((await cli(['export', session.id, '--format', 'md', '--out', out, '--url', server.url])).code).toBe(0)
    expect(fs.readFileSync(out, 'utf8')).toContain('CLI export check')
    const missing = await cli(['export', 'nosuchsession', '--url', server.url])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('failed with 404: session_not_found')

    await act(server.url, session.id, 'start', moderatorKey)
    await act(server.url, session.id, 'end', moderatorKey)
    const zip = path.join(tmp, 'archive.zip')
    const run = await cli(['export-archive', zip, '--url', server.url, '--token', organizerToken])
    expect(run.code, run.stderr).toBe(0)
    // The zip is streamed (no Content-Length): the progress counts the bytes downloaded.
    expect(run.stderr).toMatch(/downloading archive\.zip \d+(\.\d+)? (B|KiB|MiB)/)
    expect(fs.readFileSync(zip).subarray(0, 2).toString()).toBe('PK')
    expect(fs.existsSync(`${zip}.partial`)).toBe(false)
  })

  it('backs up the SQLite database while the server runs and writes, and restores it into another data directory', async () => {
    const { session } = await createSessionWithKeys(server.url, { title: 'Backed up' })
    const file = path.join(tmp, 'backup.db')
    // Sessions keep being created while the backup runs.
    const [backup] = await Promise.all([cli(['backup', file], { DATA_DIR: server.dataDir }), ...Array.from({ length: 20 }, (_, i) => createSessionWithKeys(server.url, { title: `During backup ${i}` }))])
    expect(backup.code, backup.stderr).toBe(0)
    expect(backup.stdout).toMatch(/backup written to .*backup\.db .*sessions/)
    const db = new Database(file, { readonly: true })
    expect((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok')
    expect(db.prepare('SELECT title FROM sessions WHERE id = ?').get(session.id)).toEqual({ title: 'Backed up' })
    db.close()
    expect((await cli(['backup', file], { DATA_DIR: server.dataDir })).stderr).toContain('exists')
    const pgBackup = await cli(['backup', path.join(tmp, 'x.db')], { DATABASE_URL: baseDatabaseUrl })
    expect(pgBackup.code).toBe(1)
    expect(pgBackup.stderr).toContain('pg_dump')

    const restoredDir = path.join(tmp, 'restored')
    const notADb = path.join(tmp, 'not-a-db')
    fs.writeFileSync(notADb, 'hello')
    expect((await cli(['restore', notADb], { DATA_DIR: restoredDir })).code).toBe(1)
    const restore = await cli(['restore', file], { DATA_DIR: restoredDir })
    expect(restore.code, restore.stderr).toBe(0)
    const restored = await startServerProcess({ dataDir: restoredDir })
    try {
      const res = await fetch(`${restored.url}/api/sessions/${session.id}`)
      expect(res.status).toBe(200)
      expect(((await res.json()) as { session: { title: string } }).session.title).toBe('Backed up')
    } finally {
      await restored.dispose()
    }
  })

  it('migrates every record from SQLite to PostgreSQL and verifies it; a server on PostgreSQL then serves the same pads', async () => {
    const { session } = await createSessionWithKeys(server.url, { title: 'Migrated', content: '## Notes\n\nmigrated words' })
    const schema = `cli_migrate_${process.pid}_${Date.now()}`
    const to = `${baseDatabaseUrl}?schema=${schema}`
    try {
      const run = await cli(['migrate', '--to', to], { DATA_DIR: server.dataDir })
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toMatch(/verified: every count matches, \d+ docs identical/)
      // Every table's count, not only the docs' and archives'.
      for (const table of ['refused_ranges', 'event_settings', 'audit_log', 'outbox', 'person_keys']) expect(run.stdout).toMatch(new RegExp(`^${table} +(\\d+) → \\1$`, 'm'))
      expect(run.stderr).toContain('100%')
      const again = await cli(['migrate', '--to', to], { DATA_DIR: server.dataDir })
      expect(again.code).toBe(1)
      expect(again.stderr).toContain('already has rows')
      expect((await cli(['migrate'], { DATA_DIR: server.dataDir })).code).toBe(2)

      const onPg = await startServerProcess({ env: { DATABASE_URL: to } })
      try {
        const [before, after] = await Promise.all([server.url, onPg.url].map(async (url) => (await fetch(`${url}/api/sessions/${session.id}/export?format=txt`)).text()))
        expect(after).toContain('migrated words')
        expect(after).toBe(before)
        const reader = connectPad(onPg.wsUrl, session.id)
        await waitForSynced(reader)
        expect(padText(reader.ydoc)).toContain('migrated words')
        reader.destroy()
      } finally {
        await onPg.dispose()
      }
    } finally {
      const client = new pg.Client({ connectionString: baseDatabaseUrl })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await client.end()
    }
  })

  it('checks the configuration and the stores: 0 healthy, 1 down, 2 invalid configuration', async () => {
    const ok = await cli(['check'], { DATA_DIR: server.dataDir })
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('store: sqlite up')
    const onPg = await cli(['check'], { DATABASE_URL: baseDatabaseUrl, REDIS_URL: 'redis://127.0.0.1:6379' })
    expect(onPg.code, onPg.stderr + onPg.stdout).toBe(0)
    expect(onPg.stdout).toContain('store: postgres up')
    expect(onPg.stdout).toContain('bus: redis up')
    const down = await cli(['check'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/test' })
    expect(down.code).toBe(1)
    expect(down.stdout).toContain('store: postgres down')
    const invalid = await cli(['check'], { PORT: 'eighty' })
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain('PORT')
  })

  it('serves: starts the server with the given port and data directory', async () => {
    const dataDir = path.join(tmp, 'served')
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], { cwd: root, env: childEnv({ LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    try {
      const port = await waitFor(() => /"port":(\d+)/.exec(output)?.[1], 20_000, 'the listening line')
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
      expect(fs.existsSync(path.join(dataDir, 'summitpad.db'))).toBe(true)
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
  })
})
