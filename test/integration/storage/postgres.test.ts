/**
 * The PostgreSQL stores (`DATABASE_URL`) against the same contract suites as SQLite, each test in
 * a fresh schema of the local server (`TEST_DATABASE_URL`, default the `test` database), plus
 * what only several instances on one database can break: group commit, concurrent compaction
 * and appends from two pools, migrations started together.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { DocStore } from '../../../server/storage/doc-store.ts'
import { openPgStorage, parseDatabaseUrl, type PgStorage } from '../../../server/storage/pg/pg-storage.ts'
import { toTsQuery } from '../../../server/storage/pg/pg-meta-store.ts'
import { registerDocStoreContract } from '../../helpers/contracts/doc-store.contract.ts'
import { registerMetaStoreContract } from '../../helpers/contracts/meta-store.contract.ts'

const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schemas: string[] = []

function freshUrl(): string {
  const schema = `t_${randomBytes(6).toString('hex')}`
  schemas.push(schema)
  return `${baseUrl}?schema=${schema}`
}

afterAll(async () => {
  const db = new pg.Client({ connectionString: baseUrl })
  await db.connect()
  for (const schema of schemas) await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await db.end()
})

registerDocStoreContract('PgDocStore', async () => {
  const url = freshUrl()
  const storage = await openPgStorage(url)
  const extra: PgStorage[] = []
  return {
    store: storage.docs,
    reopen: async (): Promise<DocStore> => {
      const second = await openPgStorage(url)
      extra.push(second)
      return second.docs
    },
    cleanup: async () => {
      await Promise.all([storage.close(), ...extra.map((other) => other.close())])
    },
  }
})

registerMetaStoreContract('PgMetaStore', async () => {
  const storage = await openPgStorage(freshUrl())
  return { store: storage.meta, cleanup: () => storage.close() }
})

/** `count` updates of one client, each typing one more word. */
function typedUpdates(count: number, clientID: number): { ydoc: Y.Doc; updates: Uint8Array[] } {
  const ydoc = new Y.Doc({ gc: false })
  ydoc.clientID = clientID
  const updates: Uint8Array[] = []
  ydoc.on('update', (update: Uint8Array) => updates.push(update))
  const ytext = ydoc.getText('t')
  for (let i = 0; i < count; i++) ytext.insert(ytext.length, `c${clientID}w${i} `)
  return { ydoc, updates }
}

function textOf(update: Uint8Array): string {
  const ydoc = new Y.Doc({ gc: false })
  Y.applyUpdate(ydoc, update)
  return ydoc.getText('t').toString()
}

describe('PostgreSQL storage for several instances', () => {
  it('writes the appends of one tick, for any docs, in one INSERT statement', async () => {
    const storage = await openPgStorage(freshUrl())
    try {
      const { updates } = typedUpdates(200, 1)
      const before = storage.docs.insertStatements
      await Promise.all(updates.map((update, i) => storage.docs.append(`doc${i % 3}`, update)))
      expect(storage.docs.insertStatements - before).toBe(1)
      const loaded = await Promise.all(['doc0', 'doc1', 'doc2'].map((name) => storage.docs.load(name)))
      expect(loaded.map((doc) => doc!.refs.length)).toEqual([67, 67, 66])
    } finally {
      await storage.close()
    }
  })

  it('loses no append when two instances compact and append one doc at the same time', async () => {
    const url = freshUrl()
    const [one, two] = await Promise.all([openPgStorage(url), openPgStorage(url)])
    try {
      const writers = [typedUpdates(120, 1), typedUpdates(120, 2)]
      for (const update of writers[0]!.updates.slice(0, 40)) await one.docs.append('pad', update)
      const compactions: Promise<void>[] = []
      for (let i = 40; i < 120; i++) {
        await Promise.all([one.docs.append('pad', writers[0]!.updates[i]!), two.docs.append('pad', writers[1]!.updates[i]!)])
        if (i % 10 === 0) {
          for (const storage of [one, two]) {
            compactions.push(
              storage.docs.load('pad').then(async (loaded) => {
                const scratch = new Y.Doc({ gc: false })
                Y.applyUpdate(scratch, loaded!.update)
                await storage.docs.compact('pad', Y.encodeStateAsUpdate(scratch), loaded!.refs)
              }),
            )
          }
        }
      }
      for (const update of writers[1]!.updates.slice(0, 40)) await two.docs.append('pad', update)
      await Promise.all(compactions)
      const text = textOf((await one.docs.load('pad'))!.update)
      for (const client of [1, 2]) for (let i = 0; i < 120; i++) expect(text).toContain(`c${client}w${i} `)
      expect(textOf((await two.docs.load('pad'))!.update)).toBe(text)
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  })

  it('numbers revisions 1, 2, 3... without gaps or repeats when two instances add them at once', async () => {
    const url = freshUrl()
    const [one, two] = await Promise.all([openPgStorage(url), openPgStorage(url)])
    try {
      const revision = { snapshot: Uint8Array.of(1, 2), createdAt: 1, authors: ['a'], reason: 'quiet' }
      const numbers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).docs.appendRevision('pad', revision)))
      expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  })

  it('migrates once when several instances start together', async () => {
    const url = freshUrl()
    const storages = await Promise.all(Array.from({ length: 4 }, () => openPgStorage(url)))
    try {
      const { schema, connectionString } = parseDatabaseUrl(url)
      const db = new pg.Client({ connectionString })
      await db.connect()
      const { rows } = await db.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`)
      await db.end()
      expect(rows.map((row: { version: number }) => row.version)).toEqual([1, 2])
      expect(await storages[0]!.health()).toBe('up')
    } finally {
      await Promise.all(storages.map((storage) => storage.close()))
    }
  })

  it('reports down when the database cannot be reached, and refuses to open', async () => {
    await expect(openPgStorage('postgres://postgres@127.0.0.1:1/test')).rejects.toThrow()
    expect(() => parseDatabaseUrl(`${baseUrl}?schema=bad;drop`)).toThrow(/schema/)
  })

  it('builds tsqueries only from letters and digits', () => {
    expect(toTsQuery('Zanzibar & (rollback) | !plan:*')).toBe('zanzibar & rollback & plan:*')
    expect(toTsQuery('":*&|!()')).toBeNull()
    expect(toTsQuery('ünïcödé 日本語')).toBe('ünïcödé & 日本語:*')
  })
})
