/**
 * Opens PostgreSQL (`DATABASE_URL`) as both DocStore and MetaStore, for running several server
 * instances on one database. The schema is created and migrated on start: migrations are numbered,
 * recorded in `schema_migrations`, and run inside one transaction holding an advisory lock, so
 * instances starting together migrate once. A `schema` query parameter on the URL puts every
 * table in that schema (created if missing), which keeps test runs and deployments apart.
 */
import pg from 'pg'
import { PgDocStore } from './pg-doc-store.ts'
import { PgMetaStore } from './pg-meta-store.ts'
import { inTransaction } from './transaction.ts'

export interface PgStorage {
  docs: PgDocStore
  meta: PgMetaStore
  /** `up` when the database answers a trivial query within a few seconds. */
  health(timeoutMs?: number): Promise<'up' | 'down'>
  /** Flushes pending appends and closes the pool. Idempotent. */
  close(): Promise<void>
}

export interface PgStorageOptions {
  /** Connections in the pool. @default 10 */
  poolSize?: number
}

/** Any number: the advisory lock every instance takes to migrate. */
const migrationLock = 727_105_001

const migrations: string[] = [
  `CREATE TABLE doc_updates (
     id BIGSERIAL PRIMARY KEY,
     doc_name TEXT NOT NULL,
     data BYTEA NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX doc_updates_by_doc ON doc_updates (doc_name, id);
   CREATE TABLE revisions (
     doc_name TEXT NOT NULL,
     rev INTEGER NOT NULL,
     snapshot BYTEA NOT NULL,
     created_at BIGINT NOT NULL,
     authors JSONB NOT NULL,
     reason TEXT NOT NULL,
     PRIMARY KEY (doc_name, rev)
   );
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     track TEXT NOT NULL DEFAULT '',
     room TEXT NOT NULL DEFAULT '',
     moderator TEXT NOT NULL DEFAULT '',
     scheduled_start TEXT,
     duration_minutes INTEGER NOT NULL,
     access TEXT NOT NULL DEFAULT 'open',
     moderator_key_hash TEXT NOT NULL DEFAULT '',
     editor_key_hash TEXT NOT NULL DEFAULT '',
     state TEXT NOT NULL DEFAULT 'scheduled',
     started_at TEXT,
     ends_at TEXT,
     ended_at TEXT,
     locked BOOLEAN NOT NULL DEFAULT FALSE,
     current_item TEXT,
     projector_chat BOOLEAN NOT NULL DEFAULT FALSE,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX sessions_by_start ON sessions (scheduled_start, title);
   CREATE TABLE participants (
     session_id TEXT NOT NULL,
     name TEXT NOT NULL,
     seq BIGSERIAL,
     first_seen TEXT NOT NULL,
     PRIMARY KEY (session_id, name)
   );
   CREATE TABLE archives (
     session_id TEXT PRIMARY KEY,
     archived_at TEXT NOT NULL,
     doc_json TEXT NOT NULL,
     outcomes_json TEXT NOT NULL,
     participants_json TEXT NOT NULL,
     chat_json TEXT NOT NULL DEFAULT '[]',
     title TEXT NOT NULL,
     body TEXT NOT NULL,
     search TSVECTOR GENERATED ALWAYS AS (
       setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')
     ) STORED
   );
   CREATE INDEX archives_search ON archives USING GIN (search);`,
  // Issue 15: imported sessions remember their event and key (a re-import matches on these, never
  // on an id), organizer actions are audited, organizers' web sign-ins are kept by token hash.
  `ALTER TABLE sessions ADD COLUMN import_event TEXT;
   ALTER TABLE sessions ADD COLUMN import_key TEXT;
   CREATE UNIQUE INDEX sessions_by_import ON sessions (import_event, import_key) WHERE import_event IS NOT NULL;
   CREATE TABLE audit_log (
     id BIGSERIAL PRIMARY KEY,
     at TEXT NOT NULL,
     actor_kind TEXT NOT NULL,
     actor_id TEXT NOT NULL,
     actor_name TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT,
     details_json TEXT
   );
   CREATE TABLE organizer_sign_ins (
     token_hash TEXT PRIMARY KEY,
     actor_kind TEXT NOT NULL,
     actor_id TEXT NOT NULL,
     actor_name TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );`,
  `CREATE TABLE refused_ranges (
     id BIGSERIAL PRIMARY KEY,
     doc_name TEXT NOT NULL,
     client BIGINT NOT NULL,
     start_clock BIGINT NOT NULL,
     end_clock BIGINT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX refused_ranges_by_doc ON refused_ranges (doc_name, id);`,
  `CREATE TABLE doc_quarantine (
     id BIGINT PRIMARY KEY,
     doc_name TEXT NOT NULL,
     data BYTEA NOT NULL,
     created_at BIGINT NOT NULL,
     quarantined_at BIGINT NOT NULL,
     reason TEXT NOT NULL
   );
   CREATE INDEX doc_quarantine_by_doc ON doc_quarantine (doc_name, id);`,
  // Issue 19: a participant is a person (their identity id), listed under the last name they
  // used. Rows from before are keyed by their name, marked legacy (see shared/participants.ts).
  `ALTER TABLE participants ADD COLUMN person TEXT;
   UPDATE participants SET person = 'legacy:' || name;
   ALTER TABLE participants ALTER COLUMN person SET NOT NULL;
   ALTER TABLE participants DROP CONSTRAINT participants_pkey;
   ALTER TABLE participants ADD PRIMARY KEY (session_id, person);`,
  // Issue 19: a session's time zone (null: the event's), its join code while live, the event's zone.
  `ALTER TABLE sessions ADD COLUMN time_zone TEXT;
   ALTER TABLE sessions ADD COLUMN join_code TEXT;
   CREATE UNIQUE INDEX sessions_by_join_code ON sessions (join_code) WHERE join_code IS NOT NULL;
   CREATE TABLE event_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Issue 20: the durable outbox of webhook and recap-mail deliveries, and the moderator's
  // recap-mail switch. Times compared in SQL are ms since the epoch.
  `ALTER TABLE sessions ADD COLUMN recap_mail BOOLEAN NOT NULL DEFAULT TRUE;
   CREATE TABLE outbox (
     seq BIGSERIAL PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     channel TEXT NOT NULL,
     target TEXT NOT NULL,
     event TEXT NOT NULL,
     body TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'pending',
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL,
     resent_at BIGINT,
     next_attempt_at BIGINT NOT NULL,
     lease_until BIGINT NOT NULL DEFAULT 0,
     last_attempt_at BIGINT,
     last_status_code INTEGER,
     last_error TEXT,
     delivered_at BIGINT
   );
   CREATE INDEX outbox_due ON outbox (status, next_attempt_at);`,
  // Issue 20: follow-up sessions, who took part in or listened to which session, the hashes of
  // each person's browser keys, and identity transfers (by code hash, single use, expiring).
  `CREATE TABLE session_follows (
     session_id TEXT PRIMARY KEY,
     earlier_id TEXT NOT NULL,
     linked_at TEXT NOT NULL
   );
   CREATE INDEX session_follows_by_earlier ON session_follows (earlier_id);
   CREATE TABLE person_sessions (
     person_id TEXT NOT NULL,
     session_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     name TEXT NOT NULL DEFAULT '',
     added_at TEXT NOT NULL,
     PRIMARY KEY (person_id, session_id, kind)
   );
   CREATE INDEX person_sessions_by_session ON person_sessions (session_id);
   CREATE TABLE person_keys (
     person_id TEXT NOT NULL,
     key_hash TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (person_id, key_hash)
   );
   CREATE TABLE identity_transfers (
     code_hash TEXT PRIMARY KEY,
     person_id TEXT NOT NULL,
     name TEXT NOT NULL,
     color TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );`,
  // Issue 21: the archive index in pages, in its order (byte order, as the queries sort).
  `CREATE INDEX sessions_by_archive_order ON sessions ((track COLLATE "C"), (COALESCE(started_at, scheduled_start, created_at) COLLATE "C"), (title COLLATE "C"), (id COLLATE "C"));`,
  // Issue 21: archive search ranks the title matches of a word among its candidates.
  `CREATE INDEX archives_title_search ON archives USING GIN (to_tsvector('simple', title));`,
  // Issue 21: one row per archived action item (MS25), filled from the archives already stored.
  `CREATE TABLE archive_actions (
     session_id TEXT NOT NULL,
     idx INTEGER NOT NULL,
     owner TEXT NOT NULL,
     text TEXT NOT NULL,
     due TEXT,
     done BOOLEAN NOT NULL,
     source TEXT NOT NULL,
     ended_at TEXT NOT NULL,
     from_session TEXT,
     from_index INTEGER,
     PRIMARY KEY (session_id, idx)
   );
   CREATE INDEX archive_actions_by_owner ON archive_actions (owner, ended_at COLLATE "C", session_id COLLATE "C", idx);
   CREATE INDEX archive_actions_by_from ON archive_actions (from_session, from_index);
   CREATE INDEX archive_actions_counts ON archive_actions (owner, done);
   INSERT INTO archive_actions (session_id, idx, owner, text, due, done, source, ended_at, from_session, from_index)
     SELECT a.session_id, (j.n - 1)::int, COALESCE(j.v->>'owner', ''), COALESCE(j.v->>'text', ''), j.v->>'due',
            COALESCE((j.v->>'done')::boolean, FALSE), COALESCE(j.v->>'source', 'task'), COALESCE(s.ended_at, ''), j.v->'from'->>'sessionId', (j.v->'from'->>'index')::int
     FROM archives a JOIN sessions s ON s.id = a.session_id, jsonb_array_elements(a.outcomes_json::jsonb->'actions') WITH ORDINALITY AS j(v, n);`,
  // Issue 21: the version of the load's checks each stored update is known to pass (DocStore
  // [DS13]); rows stored before are not known to pass any (0), so their pad is walked once.
  `ALTER TABLE doc_updates ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;`,
]

/** Splits a `schema` query parameter off `databaseUrl`. */
export function parseDatabaseUrl(databaseUrl: string): { connectionString: string; schema: string | null } {
  const url = new URL(databaseUrl)
  const schema = url.searchParams.get('schema')
  url.searchParams.delete('schema')
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`DATABASE_URL: schema must be a lower-case SQL identifier, not "${schema}"`)
  }
  return { connectionString: url.toString(), schema }
}

export async function openPgStorage(databaseUrl: string, options: PgStorageOptions = {}): Promise<PgStorage> {
  const { connectionString, schema } = parseDatabaseUrl(databaseUrl)
  if (schema) {
    const setup = new pg.Client({ connectionString })
    await setup.connect()
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((error: unknown) => {
        // Two instances creating it at the same moment: one of them wins, which is all we need.
        if ((error as { code?: string }).code !== '23505' && (error as { code?: string }).code !== '42P06') throw error
      })
    } finally {
      await setup.end()
    }
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  // An idle connection that breaks (the database restarted) must not crash the process; the pool
  // drops it and the next query opens a new one.
  pool.on('error', () => {})
  try {
    await migrate(pool)
  } catch (error) {
    await pool.end()
    throw error
  }
  const docs = new PgDocStore(pool)
  const meta = new PgMetaStore(pool)
  let closing: Promise<void> | null = null
  return {
    docs,
    meta,
    async health(timeoutMs = 3000) {
      try {
        await withTimeout(pool.query('SELECT 1'), timeoutMs)
        return 'up'
      } catch {
        return 'down'
      }
    },
    close() {
      closing ??= (async () => {
        await docs.close()
        await meta.close()
        await pool.end()
      })()
      return closing
    },
  }
}

function migrate(pool: pg.Pool): Promise<void> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock])
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())')
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations')
    const current = rows[0]?.version ?? 0
    if (current > migrations.length) throw new Error(`database schema version ${current} is newer than this summitpad (${migrations.length})`)
    for (let version = current; version < migrations.length; version++) {
      await client.query(migrations[version]!)
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1])
    }
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    }),
  ])
}
