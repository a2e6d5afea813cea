/**
 * Archive (issue 21 item 5, summitpad only: the reference has no archive): a decade of archived
 * sessions (`bench/archive-seed.ts`: 10,000 sessions, about 50 MB of pad text, seeded) written
 * through the project's own MetaStore into the store the server reads — the SQLite file under its
 * `DATA_DIR`, or a fresh PostgreSQL database (`summitpad_bench_<random>`, dropped afterwards) —
 * then the compiled server on it, measured over HTTP: archive search (one common word, two common
 * words), the archive index page's API (`GET /api/archive`), the actions-by-owner page's API
 * (`GET /api/archive/actions`, the owners, then `?owner=` the busiest owner's first page: the two
 * requests the page makes, timed together), and the zip of everything (`GET /api/archive/export.zip`, read
 * and thrown away) while the server's RSS is sampled every 50 ms.
 */
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import pg from 'pg'
import { openPgStorage } from '../../server/storage/pg/pg-storage.ts'
import { openDatabase } from '../../server/storage/sqlite/open-database.ts'
import { SqliteMetaStore } from '../../server/storage/sqlite/sqlite-meta-store.ts'
import { commonQueryPairs, commonQueryWords, seedArchive, type ArchiveSeedCounts } from '../archive-seed.ts'
import { nowMs, sleep } from '../clock.ts'
import { progress } from '../log.ts'
import { readMemory } from '../proc.ts'
import { startBenchServer, type BenchServer } from '../server-process.ts'
import { roundSummary, summarize, type Summary } from '../stats.ts'

export type ArchiveStore = 'sqlite' | 'postgres'

export interface ArchiveOptions {
  store: ArchiveStore
  sessions: number
  /** Pad text over all sessions, bytes. */
  textBytes: number
  seed: number
  /** Timed requests per search query word (and pair), per index and actions figure. */
  queries: number
  /** PostgreSQL server URL without a database (`postgres://postgres@127.0.0.1:5432`). */
  pgUrl: string
  serverEnv: Record<string, string>
}

type Rounded = Record<keyof Summary, number | null>

export interface ArchiveResult {
  scenario: 'archive'
  target: 'summitpad'
  store: ArchiveStore
  serverEnv: Record<string, string>
  seed: ArchiveSeedCounts & { seed: number }
  /** Search with one common word, ms (every word `queries` times). */
  searchOneMs: Rounded
  searchTwoMs: Rounded
  /** Hits returned by the searches (mean), to see they found something. */
  searchHits: { one: number | null; two: number | null }
  indexMs: Rounded
  indexBytes: number
  /** The owners list plus the busiest owner's first page, ms (both requests, one after the other). */
  actionsMs: Rounded
  actionsBytes: number
  zip: { bytes: number; seconds: number | null; rssBeforeMiB: number | null; rssPeakMiB: number | null; rssGrowthMiB: number | null; samples: number }
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

/** GETs `url` and reads the whole body; returns the time to the last byte and the body. */
async function timedGet(url: string, headers: Record<string, string> = {}): Promise<{ ms: number; body: Buffer }> {
  const started = nowMs()
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(120_000) })
  const body = Buffer.from(await response.arrayBuffer())
  const ms = nowMs() - started
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${body.toString('utf8').slice(0, 300)}`)
  return { ms, body }
}

/** Seeds the store, runs the server on it, measures; one result. */
export async function runArchive(options: ArchiveOptions): Promise<ArchiveResult> {
  const organizerToken = randomBytes(16).toString('hex')
  const env: Record<string, string> = { ORGANIZER_TOKEN_HASHES: createHash('sha256').update(organizerToken).digest('hex'), ...options.serverEnv }
  const seedOptions = { seed: options.seed, sessions: options.sessions, targetBytes: options.textBytes, progress: (done: number) => progress(`archive ${options.store}: ${done} sessions seeded`) }
  let server: BenchServer | null = null
  let dropDatabase: (() => Promise<void>) | null = null
  try {
    let counts: ArchiveSeedCounts
    if (options.store === 'sqlite') {
      // The server creates its data directory and file; stopped, the file is seeded, then restarted.
      server = await startBenchServer({ env })
      await server.stop()
      const db = openDatabase(path.join(server.dataDir, 'summitpad.db'), 'normal')
      try {
        // One transaction for the whole seed (each saveArchive's own becomes a savepoint).
        db.exec('BEGIN')
        counts = await seedArchive(new SqliteMetaStore(db), seedOptions)
        db.exec('COMMIT')
        db.pragma('wal_checkpoint(TRUNCATE)')
      } finally {
        db.close()
      }
      await server.start()
    } else {
      const database = `summitpad_bench_${randomBytes(6).toString('hex')}`
      const admin = new pg.Client({ connectionString: `${options.pgUrl}/postgres` })
      await admin.connect()
      await admin.query(`CREATE DATABASE ${database}`)
      // The seed is thrown away after the run: no fsync per commit while writing it.
      await admin.query(`ALTER DATABASE ${database} SET synchronous_commit = off`)
      await admin.end()
      dropDatabase = async () => {
        const client = new pg.Client({ connectionString: `${options.pgUrl}/postgres` })
        await client.connect()
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
        await client.end()
      }
      const url = `${options.pgUrl}/${database}`
      const storage = await openPgStorage(url)
      try {
        counts = await seedArchive(storage.meta, { ...seedOptions, concurrency: 8 })
        const analyze = new pg.Client({ connectionString: url })
        await analyze.connect()
        await analyze.query('VACUUM ANALYZE')
        await analyze.query(`ALTER DATABASE ${database} RESET synchronous_commit`)
        await analyze.end()
      } finally {
        await storage.close()
      }
      server = await startBenchServer({ env: { ...env, DATABASE_URL: url } })
    }
    progress(`archive ${options.store}: ${counts.sessions} sessions, ${mib(counts.textBytes)} MiB of pad text, seeded in ${(counts.seedMs / 1000).toFixed(1)} s; measuring`)
    const base = `${server.url}/api/archive`

    // The zip first, on the freshly started server (the other pages' garbage would make room in
    // its heap): RSS sampled every 50 ms from just before the request until its last byte.
    server.assertAlive()
    await sleep(500)
    const pid = server.pid
    const rssBefore = readMemory(pid).rssBytes
    let peak = rssBefore
    let samples = 0
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, readMemory(pid).rssBytes)
        samples++
      } catch {
        // the process is gone: assertAlive reports it
      }
    }, 50)
    const zipStarted = nowMs()
    let zipBytes = 0
    try {
      const response = await fetch(`${base}/export.zip`, { headers: { authorization: `Bearer ${organizerToken}` }, signal: AbortSignal.timeout(900_000) })
      if (!response.ok || !response.body) throw new Error(`GET export.zip: ${response.status} ${await response.text()}`)
      // Read and dropped, as `> /dev/null` would.
      const reader = response.body.getReader()
      for (let read = await reader.read(); !read.done; read = await reader.read()) zipBytes += read.value.byteLength
    } finally {
      clearInterval(sampler)
    }
    const zipSeconds = (nowMs() - zipStarted) / 1000
    peak = Math.max(peak, readMemory(pid).rssBytes)

    const search = async (queries: string[]) => {
      const times: number[] = []
      let hits = 0
      // One untimed round first: the search worker starts and opens its connection.
      for (const q of queries) await timedGet(`${base}?q=${encodeURIComponent(q)}`)
      for (let i = 0; i < options.queries; i++) {
        for (const q of queries) {
          const { ms, body } = await timedGet(`${base}?q=${encodeURIComponent(q)}`)
          times.push(ms)
          hits += (JSON.parse(body.toString('utf8')) as { hits: unknown[] }).hits.length
        }
      }
      return { times, meanHits: hits / times.length }
    }
    const one = await search(commonQueryWords)
    const two = await search(commonQueryPairs)

    const repeat = async (url: string) => {
      const times: number[] = []
      let bytes = 0
      await timedGet(url)
      for (let i = 0; i < options.queries; i++) {
        const { ms, body } = await timedGet(url)
        times.push(ms)
        bytes = body.length
      }
      return { times, bytes }
    }
    const index = await repeat(base)
    // What the actions-by-owner page loads to show something useful (issue 21): the owners with
    // their counts, then the first page of one owner's items (the busiest: the longest list),
    // timed together as one figure.
    const owners = (JSON.parse((await timedGet(`${base}/actions`)).body.toString('utf8')) as { owners: { owner: string | null; total: number }[] }).owners
    const busiest = owners.reduce((best, entry) => (entry.total > best.total ? entry : best), owners[0]!)
    const ownerUrl = `${base}/actions?owner=${encodeURIComponent(busiest.owner ?? '')}`
    const actionsPage = async () => {
      const first = await timedGet(`${base}/actions`)
      const page = await timedGet(ownerUrl)
      return { ms: first.ms + page.ms, bytes: first.body.length + page.body.length }
    }
    await actionsPage()
    const actions = { times: [] as number[], bytes: 0 }
    for (let i = 0; i < options.queries; i++) {
      const { ms, bytes } = await actionsPage()
      actions.times.push(ms)
      actions.bytes = bytes
    }

    server.assertAlive()

    const result: ArchiveResult = {
      scenario: 'archive',
      target: 'summitpad',
      store: options.store,
      serverEnv: options.serverEnv,
      seed: { ...counts, seed: options.seed },
      searchOneMs: roundSummary(summarize(one.times)),
      searchTwoMs: roundSummary(summarize(two.times)),
      searchHits: { one: Math.round(one.meanHits * 10) / 10, two: Math.round(two.meanHits * 10) / 10 },
      indexMs: roundSummary(summarize(index.times)),
      indexBytes: index.bytes,
      actionsMs: roundSummary(summarize(actions.times)),
      actionsBytes: actions.bytes,
      zip: { bytes: zipBytes, seconds: Math.round(zipSeconds * 100) / 100, rssBeforeMiB: mib(rssBefore), rssPeakMiB: mib(peak), rssGrowthMiB: mib(peak - rssBefore), samples },
    }
    return result
  } finally {
    if (server) await server.dispose()
    if (dropDatabase) await dropDatabase()
  }
}
