/**
 * `migrate --to postgres://…` (server/cli/migrate.ts) with a real SQLite file and the real
 * PostgreSQL: every table of the SQLite schema is copied (or named as rebuilt), row for row and
 * value for value, and the server's PostgreSQL stores then answer as the SQLite ones did, refused
 * write ranges and the event's settings included, and hand out fresh ids for new rows. A table
 * migrate does not know stops it before anything is copied.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import * as encoding from 'lib0/encoding'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { migrateCommand } from '../../server/cli/migrate.ts'
import { copiedTables, rebuiltTables } from '../../server/cli/migrate-tables.ts'
import { silentLogger } from '../../server/observability/log.ts'
import type { DocStore } from '../../server/storage/doc-store.ts'
import type { MetaStore } from '../../server/storage/meta-store.ts'
import { openPgStorage } from '../../server/storage/pg/pg-storage.ts'
import { openSqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts'
import { loadChecksVersion, loadHealthy } from '../../server/sync/quarantine.ts'
import { RefusedWrites } from '../../server/sync/refused-writes.ts'
import { scanUpdate } from '../../server/sync/update-shape.ts'
import { formatDocName } from '../../shared/doc-name.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { h, p, padUpdate } from '../helpers/ydoc-builder.ts'
import { baseDatabaseUrl, schemaExists, useMigrateTarget } from '../helpers/migrate-target.ts'

const { tmp, targetUrl } = useMigrateTarget()

const live = 'mig234live'
const ended = 'mig234done'
const followUp = 'mig234next'
const livePad = formatDocName({ sessionId: live, kind: 'pad' })
const liveChat = formatDocName({ sessionId: live, kind: 'chat' })
const endedPad = formatDocName({ sessionId: ended, kind: 'pad' })
const endedChat = formatDocName({ sessionId: ended, kind: 'chat' })
const endedControl = formatDocName({ sessionId: ended, kind: 'control' })
/** The Yjs client whose later write the live pad refused. */
const refusedClient = 4242
const later = () => new Date(Date.now() + 24 * 3600_000).toISOString()

/** An update of one JSON item nested 6,000 deep: Yjs applies it, then overflows re-encoding it (as in quarantine.test.ts). */
function poisonedUpdate(): Uint8Array {
  const encoder = encoding.createEncoder()
  for (const n of [1, 1, 999_999, 0]) encoding.writeVarUint(encoder, n)
  encoding.writeUint8(encoder, 2) // ContentJSON, parent written out
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarString(encoder, 'legacy')
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarString(encoder, `${'['.repeat(6000)}${']'.repeat(6000)}`)
  encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}

/**
 * A data directory whose SQLite file has rows in every table, written through the server's own
 * stores (sync/quarantine.ts `loadHealthy` for the quarantine): three sessions (one live with
 * every live field set, imported, with its own time zone and join code; one ended, archived with
 * action items; a follow-up carrying one of them on), docs with revisions, a refused write, two
 * quarantined rows (the last ids handed out, so the sequence must go past ids no longer in
 * doc_updates), the event's time zone, audit entries, an organizer sign-in, deliveries pending,
 * retried and delivered, people's sessions, keys and an identity transfer. Resolves with the
 * updates the refusal test needs.
 */
async function populatedDataDir(): Promise<{ dataDir: string; file: string; accepted: Uint8Array; refused: Uint8Array; acceptedClock: number }> {
  const dataDir = fs.mkdtempSync(path.join(tmp, 'full-'))
  const { meta, docs, close } = openSqliteStorage(dataDir)
  const base = { track: 'Nova', room: 'Room 1', moderator: 'Ada', durationMinutes: 40, access: 'key' as const, moderatorKeyHash: 'mod-hash', editorKeyHash: 'editor-hash' }
  await meta.createSession({ ...base, id: live, title: 'Live roadmap', scheduledStart: '2026-05-04T09:00:00.000Z', importRef: { event: 'summit-2026', key: 'nova-live-roadmap' }, timeZone: 'Asia/Hong_Kong' })
  await meta.updateSession(live, {
    state: 'live',
    startedAt: '2026-05-04T09:01:00.000Z',
    endsAt: '2026-05-04T09:41:00.000Z',
    locked: true,
    currentItem: 'item-2',
    projectorChat: true,
    joinCode: 'K7QX',
    recapMail: false,
  })
  await meta.createSession({ ...base, id: ended, title: 'Storage review', scheduledStart: null, access: 'open', moderatorKeyHash: '', editorKeyHash: '' })
  await meta.updateSession(ended, { state: 'ended', startedAt: '2026-05-03T10:00:00.000Z', endedAt: '2026-05-03T10:40:00.000Z' })
  await meta.createSession({ ...base, id: followUp, title: 'Storage review, part 2', scheduledStart: '2026-05-05T10:00:00.000Z' })
  await meta.updateSession(followUp, { state: 'ended', startedAt: '2026-05-05T10:00:00.000Z', endedAt: '2026-05-05T10:30:00.000Z' })
  await meta.setFollows(followUp, ended)
  await meta.setEventTimeZone('Europe/Berlin')

  // The live pad: one write accepted, the next one refused (the pad was locked).
  const writer = new Y.Doc({ gc: false })
  writer.clientID = refusedClient
  writer.getXmlFragment(padFragmentName).insert(0, [h(2, 'Goals'), p('accepted words')])
  const accepted = Y.encodeStateAsUpdate(writer)
  const acceptedClock = Y.getState(writer.store, refusedClient)
  const before = Y.encodeStateVector(writer)
  writer.getXmlFragment(padFragmentName).insert(2, [p('refused words')])
  const refused = Y.encodeStateAsUpdate(writer, before)
  await docs.append(livePad, accepted, loadChecksVersion)
  await docs.appendRefused(livePad, [
    { client: refusedClient, start: acceptedClock, end: Y.getState(writer.store, refusedClient) },
    { client: 4_294_967_295, start: 2 ** 40, end: 2 ** 40 + 3 },
  ])
  await docs.appendRevision(livePad, { snapshot: Y.encodeSnapshot(Y.snapshot(writer)), createdAt: 1_777_000_000_000, authors: ['Ada', 'Grace'], reason: 'quiet' })
  await docs.appendRevision(livePad, { snapshot: Uint8Array.of(0, 255, 7), createdAt: 1_777_000_060_000, authors: [], reason: 'start' })
  const chat = new Y.Doc()
  chat.getArray('messages').push([{ id: 'm1', authorId: 'a-1', name: 'Ada', color: '#1565c0', text: 'hello', time: 1_777_000_000_000 }])
  await docs.append(liveChat, Y.encodeStateAsUpdate(chat))
  await docs.append(endedPad, padUpdate(h(2, 'Storage'), p('quokka plans')))
  await docs.append(endedPad, padUpdate(p('and wombats')))

  await meta.addParticipants(live, [
    { person: 'id:ada', name: 'Ada' },
    { person: 'id:grace', name: 'Grace' },
  ])
  await meta.addParticipants(live, [{ person: 'id:linus', name: 'Linus' }])
  await meta.recordPeople(ended, [{ personId: 'id:ada', name: 'Ada' }])
  await meta.addListened('id:ada', live)
  await meta.addPersonKey('id:ada', 'key-hash-ada')
  await meta.createTransfer('code-hash-1', { personId: 'id:ada', name: 'Ada', color: '#1565c0' }, later())

  const doc = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'quokka plans and wombats' }] }] }
  const message = { id: 'm1', authorId: 'a-1', name: 'Ada', color: '#1565c0', text: 'see you', time: 1_777_000_000_000 }
  await meta.saveArchive({
    sessionId: ended,
    doc,
    outcomes: {
      decisions: ['Ship it'],
      actions: [
        { text: 'write the plan @ada due 2026-06-01', owner: 'ada', due: '2026-06-01', done: false, source: 'action' },
        { text: 'book a room', owner: null, due: null, done: true, source: 'task' },
      ],
    },
    participants: ['Ada'],
    chat: [message],
    text: 'Storage quokka plans and wombats',
  })
  await meta.saveArchive({
    sessionId: followUp,
    doc: { type: 'doc' },
    outcomes: { decisions: [], actions: [{ text: 'write the plan @ada', owner: 'ada', due: null, done: true, source: 'action', from: { sessionId: ended, index: 0 } }] },
    participants: [],
    chat: [],
    text: 'part two',
  })

  await meta.appendAudit({ actor: { kind: 'token', id: 'ops', name: 'Ops' }, action: 'schedule.import', target: 'summit-2026', details: { created: 3, zone: 'Europe/Berlin' } })
  await meta.appendAudit({ actor: { kind: 'oidc', id: 'sub-1', name: 'Ada' }, action: 'organizer.sign-in', target: null, details: null })
  await meta.createSignIn('sign-in-hash', { kind: 'oidc', id: 'sub-1', name: 'Ada' }, later())
  await meta.enqueue([
    { id: 'delivery-1', channel: 'webhook', target: 'ops-hook', event: 'session.started', body: '{"session":"mig234live"}' },
    { id: 'delivery-2', channel: 'mail', target: 'nova@lists.example', event: 'recap.mail', body: '{"subject":"Recap"}' },
    { id: 'delivery-3', channel: 'webhook', target: 'ops-hook', event: 'session.ended', body: '{"session":"mig234done"}' },
  ])
  const now = Date.now()
  await meta.settleOutbox('delivery-1', { delivered: false, statusCode: 503, error: 'busy', at: now, retryAt: now + 60_000 })
  await meta.settleOutbox('delivery-2', { delivered: true, statusCode: 250, at: now })

  // Last, so the quarantined rows hold the highest ids SQLite handed out.
  const truncated = accepted.subarray(0, accepted.length - 5)
  await docs.append(endedChat, truncated)
  await docs.append(endedControl, poisonedUpdate())
  for (const docName of [endedChat, endedControl]) expect((await loadHealthy(docs, docName, silentLogger)).quarantined).toBe(1)
  expect((await docs.listQuarantined(endedChat))[0]!.reason).toBe('cannot be loaded: the stored update cannot be decoded (corrupt bytes)')
  expect((await docs.listQuarantined(endedControl))[0]!.reason).toBe('cannot be loaded: the stored doc nests deeper than Yjs can re-encode')
  await close()
  return { dataDir, file: path.join(dataDir, 'summitpad.db'), accepted, refused, acceptedClock }
}

/**
 * The tables of the SQLite schema, as sqlite_master lists them: without SQLite's own (`sqlite_*`)
 * and the shadow tables of its FTS5 tables (`<name>_data`, ...). The schema's version is
 * `PRAGMA user_version`, so there is no migrations table to leave out.
 */
function schemaTables(db: Database.Database): string[] {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name").all() as { name: string; sql: string }[]
  const fts = rows.filter((row) => /^CREATE VIRTUAL TABLE .* USING fts5/is.test(row.sql)).map((row) => row.name)
  const shadows = new Set(fts.flatMap((name) => ['data', 'idx', 'content', 'docsize', 'config'].map((suffix) => `${name}_${suffix}`)))
  return rows.map((row) => row.name).filter((name) => !shadows.has(name))
}

/**
 * Columns one side has and the other has not, and how the test checks them instead; any other
 * difference between the two schemas fails the test (a column added to one schema only, or to
 * both without migrate copying it, is caught by the comparison).
 */
const columnDifferences: Record<string, { sqliteOnly?: string[]; postgresOnly?: string[] }> = {
  // Renamed: compared as JSON, pair by pair (`renamed`).
  revisions: { sqliteOnly: ['authors_json'], postgresOnly: ['authors'] },
  // SQLite's link to its full-text row; PostgreSQL keeps the text itself: checked against archive_fts.
  archives: { sqliteOnly: ['search_rowid'], postgresOnly: ['title', 'body', 'search'] },
  // PostgreSQL's order of rows (serial): checked through the stores (listParticipants, loadRefused).
  participants: { postgresOnly: ['seq'] },
  refused_ranges: { postgresOnly: ['id'] },
}
const renamed: Record<string, [string, string][]> = { revisions: [['authors_json', 'authors']] }
/** Copied on purpose as their default: see migrate-tables.ts. */
const notCopied: Record<string, { column: string; value: unknown }[]> = { doc_updates: [{ column: 'checks', value: 0 }] }

/** Canonical JSON: object keys sorted (PostgreSQL's JSONB keeps its own key order). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

/** A value of either side in one form, by the PostgreSQL column's type. */
function comparable(value: unknown, pgType: string): unknown {
  if (value === null) return null
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`
  if (pgType === 'boolean') return typeof value === 'boolean' ? Number(value) : value
  if (pgType === 'bigint') return Number(value)
  if (pgType === 'jsonb') return canonicalJson(typeof value === 'string' ? JSON.parse(value) : value)
  return value
}

/** The same reads, side by side: what the server asks its stores for, on SQLite and on PostgreSQL. */
const storeReads: [string, (stores: { meta: MetaStore; docs: DocStore }) => Promise<unknown>][] = [
  ['sessions', ({ meta }) => meta.listSessions()],
  ['capabilities', ({ meta }) => Promise.all([live, ended].map((id) => meta.getCapabilities(id)))],
  ['imported', ({ meta }) => meta.findImported('summit-2026', 'nova-live-roadmap')],
  ['join code', ({ meta }) => meta.findByJoinCode('K7QX')],
  ['event time zone', ({ meta }) => meta.getEventTimeZone()],
  ['participants', ({ meta }) => meta.listParticipants(live)],
  ['archive', ({ meta }) => Promise.all([ended, followUp].map((id) => meta.getArchive(id)))],
  ['archive index', ({ meta }) => meta.listArchivePage(null, 10)],
  ['archive search', async ({ meta }) => (await meta.searchArchive('quokka')).map((hit) => hit.session.id)],
  ['action owners', ({ meta }) => meta.listActionOwners()],
  ['owner actions', ({ meta }) => meta.listOwnerActions(null, null, 10)],
  ['carried actions', ({ meta }) => meta.getArchivedActions([{ sessionId: ended, index: 0 }])],
  ['unarchived', ({ meta }) => meta.listUnarchived()],
  ['audit', ({ meta }) => meta.listAudit()],
  ['sign-in', ({ meta }) => meta.getSignIn('sign-in-hash')],
  ['outbox', ({ meta }) => meta.listOutbox()],
  ['follow links', ({ meta }) => meta.listFollowLinks()],
  ['follow-ups', ({ meta }) => meta.listFollowUps(ended)],
  ['person sessions', ({ meta }) => meta.listPersonSessions('id:ada')],
  ['person key', ({ meta }) => meta.personKeyState('id:ada', 'key-hash-ada')],
  ['transfers', ({ meta }) => meta.countTransfers('id:ada')],
  ['doc rows', ({ docs }) => Promise.all([livePad, liveChat, endedPad].map((docName) => docs.rows(docName)))],
  ['revisions', ({ docs }) => docs.listRevisions(livePad)],
  ['refused', ({ docs }) => docs.loadRefused(livePad)],
  ['quarantined', ({ docs }) => Promise.all([endedChat, endedControl].map((docName) => docs.listQuarantined(docName)))],
]

describe('migrate of every table', () => {
  it('copies every row of every table, value for value; the PostgreSQL stores then answer as the SQLite ones did and hand out fresh ids', async () => {
    const { dataDir, file, accepted, refused, acceptedClock } = await populatedDataDir()
    const { url, schema } = targetUrl()

    // Every table of the schema is accounted for, and has rows here to compare.
    const source = new Database(file, { readonly: true })
    const tables = schemaTables(source)
    const copied = new Set(copiedTables.map((table) => table.name))
    expect(tables.filter((name) => !copied.has(name) && !(name in rebuiltTables)), 'tables neither copied nor rebuilt by migrate').toEqual([])
    expect(tables.filter((name) => (source.prepare(`SELECT count(*) AS n FROM ${name}`).get() as { n: number }).n === 0), 'tables this test leaves empty').toEqual([])
    expect(tables.length).toBeGreaterThanOrEqual(17)

    const report = await migrateCommand(dataDir, file, url)
    expect(Object.keys(report.counts).sort()).toEqual([...copied].sort())
    for (const [table, counted] of Object.entries(report.counts)) expect(counted.postgres, table).toBe(counted.sqlite)
    expect(report.docsVerified).toBe(3)

    const client = new pg.Client({ connectionString: baseDatabaseUrl, options: `-c search_path=${schema}` })
    await client.connect()
    try {
      let rows = 0
      for (const table of tables.filter((name) => copied.has(name))) {
        const sqliteColumns = (source.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((row) => row.name)
        const pgTypes = new Map(
          (
            await client.query<{ column_name: string; data_type: string }>('SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [
              schema,
              table,
            ])
          ).rows.map((row) => [row.column_name, row.data_type]),
        )
        const differences = columnDifferences[table] ?? {}
        expect(sqliteColumns.filter((column) => !pgTypes.has(column)).sort(), `${table}: columns only in SQLite`).toEqual([...(differences.sqliteOnly ?? [])].sort())
        expect([...pgTypes.keys()].filter((column) => !sqliteColumns.includes(column)).sort(), `${table}: columns only in PostgreSQL`).toEqual([...(differences.postgresOnly ?? [])].sort())
        const skipped = (notCopied[table] ?? []).map((entry) => entry.column)
        const pairs: [string, string][] = [...sqliteColumns.filter((column) => pgTypes.has(column) && !skipped.includes(column)).map((column): [string, string] => [column, column]), ...(renamed[table] ?? [])]
        const side = (values: Record<string, unknown>[], which: 0 | 1) =>
          values.map((row) => pairs.map((pair) => comparable(row[pair[which]], pgTypes.get(pair[1])!))).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
        const inSqlite = side(source.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[], 0)
        const { rows: pgRows } = await client.query<Record<string, unknown>>(`SELECT * FROM ${table}`)
        expect(side(pgRows, 1), `${table}: rows`).toEqual(inSqlite)
        for (const { column, value } of notCopied[table] ?? []) expect(new Set(pgRows.map((row) => row[column])), `${table}.${column}`).toEqual(new Set([value]))
        rows += inSqlite.length
      }
      // archive_fts, rebuilt: each archive's title and body are its full-text row's.
      const fullText = source.prepare('SELECT a.session_id, f.title, f.body FROM archives a JOIN archive_fts f ON f.rowid = a.search_rowid ORDER BY a.session_id').all()
      expect((await client.query('SELECT session_id, title, body FROM archives ORDER BY session_id COLLATE "C"')).rows).toEqual(fullText)
      expect(fullText).toHaveLength(2)
      console.info(`migrate test: ${tables.length} tables, ${rows} rows compared`)
    } finally {
      await client.end()
      source.close()
    }

    const sqlite = openSqliteStorage(dataDir)
    const postgres = await openPgStorage(url, { poolSize: 2 })
    try {
      for (const [what, read] of storeReads) expect(await read(postgres), what).toEqual(await read(sqlite))
      expect(await postgres.meta.getEventTimeZone()).toBe('Europe/Berlin')
      expect((await postgres.meta.getSession(live))).toMatchObject({ timeZone: 'Asia/Hong_Kong', joinCode: 'K7QX', locked: true, projectorChat: true, recapMail: false })

      // The refused write stays refused on PostgreSQL: the room's check, on the PostgreSQL store.
      const refusedWrites = new RefusedWrites({ store: postgres.docs, docName: livePad, logger: silentLogger, shared: true, track: (write) => write })
      const unlimited = { maxStructs: 1_000_000, maxDeleteRanges: 1_000_000 }
      const refusedShape = scanUpdate(refused, unlimited)
      await refusedWrites.refresh(refusedShape, {})
      expect(refusedWrites.refusedFrom(refusedClient)).toBe(acceptedClock)
      expect(refusedWrites.touches(refusedShape)).toBe(true)
      expect(refusedWrites.touches(scanUpdate(accepted, unlimited))).toBe(false)

      // Writes with side effects, made on both: the same answers, the same fresh ids.
      const now = Date.now() + 120_000
      for (const stores of [sqlite, postgres]) expect(await stores.meta.takeTransfer('code-hash-1')).toEqual({ personId: 'id:ada', name: 'Ada', color: '#1565c0' })
      const claims = await Promise.all([sqlite, postgres].map(async ({ meta }) => (await meta.claimOutbox(10, 60_000, now)).map((message) => message.id)))
      expect(claims[1]).toEqual(claims[0])
      expect(claims[0]).toEqual(['delivery-3', 'delivery-1'])
      const audits = await Promise.all([sqlite, postgres].map(({ meta }) => meta.appendAudit({ actor: { kind: 'token', id: 'ops', name: 'Ops' }, action: 'archive.export', target: null, details: null })))
      expect(audits[1]!.id).toBe(audits[0]!.id)
      expect(audits[1]!.id).toBe(3)
      const newPad = formatDocName({ sessionId: 'mig234new', kind: 'pad' })
      for (const { meta, docs } of [sqlite, postgres]) {
        await meta.enqueue([{ id: 'delivery-4', channel: 'webhook', target: 'ops-hook', event: 'session.updated', body: '{}' }])
        await meta.addParticipants(live, [{ person: 'id:margaret', name: 'Margaret' }])
        await docs.appendRefused(livePad, [{ client: 77, start: 0, end: 2 }])
        await docs.append(newPad, padUpdate(p('fresh')))
        await docs.append(newPad, accepted.subarray(0, accepted.length - 5))
        expect((await loadHealthy(docs, newPad, silentLogger)).quarantined).toBe(1)
      }
      // (Times of the new rows differ between the two: what is compared is ids and order.)
      const newRowReads: [string, (stores: { meta: MetaStore; docs: DocStore }) => Promise<unknown>][] = [
        ['outbox', async ({ meta }) => (await meta.listOutbox()).map((message) => message.id)],
        ['audit', async ({ meta }) => (await meta.listAudit()).map((entry) => entry.id)],
        ['participants', ({ meta }) => meta.listParticipants(live)],
        ['refused', ({ docs }) => docs.loadRefused(livePad)],
      ]
      for (const [what, read] of newRowReads) expect(await read(postgres), `${what}, after new rows`).toEqual(await read(sqlite))
      expect((await postgres.meta.listOutbox()).map((message) => message.id)).toEqual(['delivery-4', 'delivery-3', 'delivery-2', 'delivery-1'])
      expect(await postgres.meta.listParticipants(live)).toEqual(['Ada', 'Grace', 'Linus', 'Margaret'])
      expect((await postgres.docs.loadRefused(livePad)).at(-1)).toEqual({ client: 77, start: 0, end: 2 })
      const [newRows, newQuarantined] = await Promise.all([postgres.docs.rows(newPad), postgres.docs.listQuarantined(newPad)])
      expect(newRows.map((row) => row.ref)).toEqual((await sqlite.docs.rows(newPad)).map((row) => row.ref))
      // Past the ids SQLite handed out, the quarantined ones included.
      const [highestQuarantined] = (await postgres.docs.listQuarantined(endedControl)).map((row) => row.ref)
      expect(newRows[0]!.ref).toBeGreaterThan(highestQuarantined!)
      expect(newQuarantined.map(({ ref, reason }) => ({ ref, reason }))).toEqual((await sqlite.docs.listQuarantined(newPad)).map(({ ref, reason }) => ({ ref, reason })))
    } finally {
      await postgres.close()
      await sqlite.close()
    }
  })

  it('refuses a SQLite file with a table it does not know, before copying anything', async () => {
    const dataDir = fs.mkdtempSync(path.join(tmp, 'unknown-'))
    await openSqliteStorage(dataDir).close()
    const file = path.join(dataDir, 'summitpad.db')
    const db = new Database(file)
    db.exec('CREATE TABLE later_feature (id INTEGER PRIMARY KEY)')
    db.close()
    const { url, schema } = targetUrl()
    await expect(migrateCommand(dataDir, file, url)).rejects.toThrow(/migrate does not know how to copy \(later_feature\); nothing was copied/)
    expect(await schemaExists(schema)).toBe(false)
  })
})
