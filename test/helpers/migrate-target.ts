/**
 * The PostgreSQL target and scratch directory of the `migrate` integration tests: each call of
 * `targetUrl` names a fresh schema (dropped after each test), `tmp` is a directory removed after
 * the file's tests.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, afterEach } from 'vitest'

export const baseDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export function useMigrateTarget(): { tmp: string; targetUrl: () => { url: string; schema: string } } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-migrate-'))
  const schemas: string[] = []
  afterEach(async () => {
    const client = new pg.Client({ connectionString: baseDatabaseUrl })
    await client.connect()
    for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
  })
  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true })
  })
  return {
    tmp,
    targetUrl() {
      const schema = `migrate_checks_${process.pid}_${schemas.length}_${Date.now()}`
      schemas.push(schema)
      return { url: `${baseDatabaseUrl}?schema=${schema}`, schema }
    },
  }
}

/** True when PostgreSQL has `schema` (a migration that stopped early must not have made it). */
export async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: baseDatabaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])
    return rows.length > 0
  } finally {
    await client.end()
  }
}
