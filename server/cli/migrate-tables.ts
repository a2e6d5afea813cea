/**
 * What `migrate` (migrate.ts) does with each table of the SQLite schema (storage/sqlite/
 * open-database.ts): every table is either copied, row by row and column by column, into its
 * PostgreSQL twin (storage/pg/pg-storage.ts), or named in `rebuiltTables` with what stands for it
 * on PostgreSQL. migrate refuses a SQLite file holding a table listed in neither, and
 * test/integration/migrate-tables.test.ts fails for one, so a table added to the schema later cannot
 * be left behind by a migration unnoticed.
 *
 * Types: BLOB → BYTEA as the bytes; INTEGER → BIGINT or INTEGER, read as exact integers
 * (`safeIntegers`) and sent as decimal text; INTEGER 0/1 → BOOLEAN (`booleans`); JSON kept in TEXT
 * → JSONB where the PostgreSQL column is JSONB (`revisions.authors`: PostgreSQL parses the text,
 * so a row that is not JSON fails the copy); times are the same TEXT (ISO) or BIGINT (ms) on both.
 */

/** One SQLite table copied into the PostgreSQL table of the same name. */
export interface CopiedTable {
  name: string
  /** The PostgreSQL columns written, in the order of `select`'s columns (which are named alike). */
  columns: readonly string[]
  /** The rows to insert, from SQLite, in the order they are to be inserted. */
  select: string
  /** Columns SQLite keeps as INTEGER 0/1 and PostgreSQL as BOOLEAN. */
  booleans?: readonly string[]
  /**
   * The PostgreSQL serial column this copy writes its ids into explicitly, and a SQLite query for
   * the least value its sequence must have reached (`n`): SQLite's AUTOINCREMENT counter never
   * hands out an id twice, even one deleted, so the sequence is set past that too.
   */
  serial?: { column: string; floor: string }
}

const sessionColumns = [
  'id', 'title', 'track', 'room', 'moderator', 'scheduled_start', 'duration_minutes', 'access', 'moderator_key_hash', 'editor_key_hash', 'state',
  'started_at', 'ends_at', 'ended_at', 'locked', 'current_item', 'projector_chat', 'created_at', 'updated_at', 'import_event', 'import_key', 'time_zone',
  'join_code', 'recap_mail',
] as const

const outboxColumns = [
  'seq', 'id', 'channel', 'target', 'event', 'body', 'status', 'attempts', 'created_at', 'resent_at', 'next_attempt_at', 'lease_until', 'last_attempt_at',
  'last_status_code', 'last_error', 'delivered_at',
] as const

/** A table copied as it is: the same columns on both sides, rows in `order`. */
function same(name: string, columns: readonly string[], order: string, extra: Omit<CopiedTable, 'name' | 'columns' | 'select'> = {}): CopiedTable {
  return { name, columns, select: `SELECT ${columns.join(', ')} FROM ${name} ORDER BY ${order}`, ...extra }
}

/** The least value for the sequence of `table`'s `column`: its largest id and SQLite's counter. */
function autoincrementFloor(table: string, column: string, alsoUsedBy: string[] = []): string {
  const used = [table, ...alsoUsedBy].map((source) => `SELECT max(${column}) AS n FROM ${source}`)
  return `SELECT max(n) AS n FROM (${used.join(' UNION ALL ')} UNION ALL SELECT seq AS n FROM sqlite_sequence WHERE name = '${table}')`
}

export const copiedTables: readonly CopiedTable[] = [
  same('sessions', sessionColumns, 'rowid', { booleans: ['locked', 'projector_chat', 'recap_mail'] }),
  // Ids kept: a quarantined row keeps its id (doc_quarantine.id), and error messages name them.
  // `checks` is not copied (0 on PostgreSQL): the server walks each doc at its first load there,
  // as the module comment of migrate.ts says.
  same('doc_updates', ['id', 'doc_name', 'data', 'created_at'], 'id', { serial: { column: 'id', floor: autoincrementFloor('doc_updates', 'id', ['doc_quarantine']) } }),
  {
    name: 'revisions',
    columns: ['doc_name', 'rev', 'snapshot', 'created_at', 'authors', 'reason'],
    select: 'SELECT doc_name, rev, snapshot, created_at, authors_json AS authors, reason FROM revisions ORDER BY doc_name, rev',
  },
  // PostgreSQL lists a session's participants by `seq` (its serial), SQLite by (first_seen,
  // rowid): inserted in that order, they get their seq in it.
  same('participants', ['session_id', 'person', 'name', 'first_seen'], 'first_seen, rowid'),
  {
    // The archive's full-text row (archive_fts, found by search_rowid; by session when an older
    // file lacks it) gives the title and body PostgreSQL's generated `search` column indexes.
    // search_rowid itself means nothing on PostgreSQL.
    name: 'archives',
    columns: ['session_id', 'archived_at', 'doc_json', 'outcomes_json', 'participants_json', 'chat_json', 'title', 'body'],
    select: `SELECT a.session_id, a.archived_at, a.doc_json, a.outcomes_json, a.participants_json, a.chat_json,
               coalesce(f.title, (SELECT g.title FROM archive_fts g WHERE g.session_id = a.session_id), '') AS title,
               coalesce(f.body, (SELECT g.body FROM archive_fts g WHERE g.session_id = a.session_id), '') AS body
             FROM archives a LEFT JOIN archive_fts f ON f.rowid = a.search_rowid ORDER BY a.rowid`,
  },
  // PostgreSQL's migration fills archive_actions from the archives it holds when it creates the
  // table, which is before the copy (none then): so the rows are copied.
  same('archive_actions', ['session_id', 'idx', 'owner', 'text', 'due', 'done', 'source', 'ended_at', 'from_session', 'from_index'], 'session_id, idx', { booleans: ['done'] }),
  same('audit_log', ['id', 'at', 'actor_kind', 'actor_id', 'actor_name', 'action', 'target', 'details_json'], 'id', { serial: { column: 'id', floor: autoincrementFloor('audit_log', 'id') } }),
  same('organizer_sign_ins', ['token_hash', 'actor_kind', 'actor_id', 'actor_name', 'expires_at'], 'token_hash'),
  // PostgreSQL's rows have an id (its serial, the order loadRefused reads), SQLite's a rowid:
  // inserted in rowid order, they get their ids in it.
  same('refused_ranges', ['doc_name', 'client', 'start_clock', 'end_clock', 'created_at'], 'rowid'),
  // Its ids are those the rows had in doc_updates (no sequence of its own).
  same('doc_quarantine', ['id', 'doc_name', 'data', 'created_at', 'quarantined_at', 'reason'], 'id'),
  same('event_settings', ['name', 'value'], 'name'),
  same('outbox', outboxColumns, 'seq', { serial: { column: 'seq', floor: autoincrementFloor('outbox', 'seq') } }),
  same('session_follows', ['session_id', 'earlier_id', 'linked_at'], 'session_id'),
  same('person_sessions', ['person_id', 'session_id', 'kind', 'name', 'added_at'], 'person_id, session_id, kind'),
  same('person_keys', ['person_id', 'key_hash', 'created_at'], 'person_id, key_hash'),
  same('identity_transfers', ['code_hash', 'person_id', 'name', 'color', 'expires_at'], 'code_hash'),
]

/** SQLite tables not copied as such, and what stands for them on PostgreSQL. */
export const rebuiltTables: Readonly<Record<string, string>> = {
  archive_fts:
    "the archives' full-text index (FTS5): its title and body are copied with each archive (archives.title, archives.body); PostgreSQL builds its index from them (the generated tsvector column `search` and its GIN indexes)",
}

/**
 * The tables of the SQLite file that migrate must account for: its tables and virtual tables,
 * without SQLite's own (`sqlite_*`: `sqlite_sequence` is read for the sequences) and the shadow
 * tables that hold a virtual table's data. (The schema version is `PRAGMA user_version`, no table.)
 */
export const sqliteTablesQuery = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"

/** `row` (read with safeIntegers) as the values of `table.columns` for PostgreSQL. */
export function toPgValues(table: CopiedTable, row: Record<string, unknown>): unknown[] {
  return table.columns.map((column) => {
    const value = row[column]
    if (value === null || value === undefined) return null
    if (table.booleans?.includes(column)) return Number(value) !== 0
    // Exact whatever its size: node-pg sends parameters as text anyway.
    if (typeof value === 'bigint') return value.toString()
    return value
  })
}

/** How many rows, and how many bytes of their values, one INSERT statement of the copy carries at most. */
export interface BatchLimits {
  rows: number
  bytes: number
}

/**
 * Rows per statement: 200, and about 8 MiB of values. A doc's rows can each be as large as
 * MAX_UPDATE_BYTES (up to 64 MiB) or a compacted pad, and node-pg sends a BYTEA as hex text (twice
 * its size) in one protocol message that PostgreSQL caps at 1 GiB: 200 such rows in one statement
 * would fail the copy, or hold gigabytes in the CLI's memory.
 */
export const defaultBatchLimits: BatchLimits = { rows: 200, bytes: 8 * 1024 * 1024 }

/** About the bytes `values` take on the wire: byte arrays by length, strings by UTF-16 units, other values as a few bytes. */
export function valuesBytes(values: readonly unknown[]): number {
  let bytes = 0
  for (const value of values) {
    if (value instanceof Uint8Array) bytes += value.byteLength
    else if (typeof value === 'string') bytes += value.length
    else bytes += 8
  }
  return bytes
}

/**
 * Groups `rows` (each a row's values) into the statements of the copy: a group ends once it holds
 * `limits.rows` rows or `limits.bytes` bytes, so a statement holds at most the limit and one row
 * (a row larger than the limit ends the statement it joins).
 */
export function* insertBatches(rows: Iterable<unknown[]>, limits: BatchLimits = defaultBatchLimits): Generator<unknown[][]> {
  let batch: unknown[][] = []
  let bytes = 0
  for (const row of rows) {
    batch.push(row)
    bytes += valuesBytes(row)
    if (batch.length >= limits.rows || bytes >= limits.bytes) {
      yield batch
      batch = []
      bytes = 0
    }
  }
  if (batch.length > 0) yield batch
}
