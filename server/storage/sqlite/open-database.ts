/**
 * Opens the embedded SQLite file with the settings summitpad relies on and brings its schema up
 * to date. WAL lets readers run beside the writer; `synchronous = FULL` makes every committed
 * transaction survive a power loss as well as a process crash. Migrations are numbered and run in
 * one transaction each; `PRAGMA user_version` records the last one applied.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'

const migrations: string[] = [
  `CREATE TABLE doc_updates (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     doc_name TEXT NOT NULL,
     data BLOB NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX doc_updates_by_doc ON doc_updates (doc_name, id);
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     track TEXT NOT NULL DEFAULT '',
     room TEXT NOT NULL DEFAULT '',
     moderator TEXT NOT NULL DEFAULT '',
     scheduled_start TEXT,
     duration_minutes INTEGER NOT NULL,
     state TEXT NOT NULL DEFAULT 'scheduled',
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX sessions_by_start ON sessions (scheduled_start, title);`,
  `ALTER TABLE sessions ADD COLUMN access TEXT NOT NULL DEFAULT 'open';
   ALTER TABLE sessions ADD COLUMN moderator_key_hash TEXT NOT NULL DEFAULT '';
   ALTER TABLE sessions ADD COLUMN editor_key_hash TEXT NOT NULL DEFAULT '';
   ALTER TABLE sessions ADD COLUMN started_at TEXT;
   ALTER TABLE sessions ADD COLUMN ends_at TEXT;
   ALTER TABLE sessions ADD COLUMN ended_at TEXT;
   ALTER TABLE sessions ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE sessions ADD COLUMN current_item TEXT;`,
  `CREATE TABLE participants (
     session_id TEXT NOT NULL,
     name TEXT NOT NULL,
     first_seen TEXT NOT NULL,
     PRIMARY KEY (session_id, name)
   );
   CREATE TABLE archives (
     session_id TEXT PRIMARY KEY,
     archived_at TEXT NOT NULL,
     doc_json TEXT NOT NULL,
     outcomes_json TEXT NOT NULL,
     participants_json TEXT NOT NULL
   );
   CREATE VIRTUAL TABLE archive_fts USING fts5(session_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');`,
  `ALTER TABLE sessions ADD COLUMN projector_chat INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE archives ADD COLUMN chat_json TEXT NOT NULL DEFAULT '[]';`,
  `CREATE TABLE revisions (
     doc_name TEXT NOT NULL,
     rev INTEGER NOT NULL,
     snapshot BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     authors_json TEXT NOT NULL,
     reason TEXT NOT NULL,
     PRIMARY KEY (doc_name, rev)
   );`,
  // Issue 15: imported sessions remember their event and key (a re-import matches on these, never
  // on an id), organizer actions are audited, organizers' web sign-ins are kept by token hash.
  `ALTER TABLE sessions ADD COLUMN import_event TEXT;
   ALTER TABLE sessions ADD COLUMN import_key TEXT;
   CREATE UNIQUE INDEX sessions_by_import ON sessions (import_event, import_key) WHERE import_event IS NOT NULL;
   CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
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
     doc_name TEXT NOT NULL,
     client INTEGER NOT NULL,
     start_clock INTEGER NOT NULL,
     end_clock INTEGER NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX refused_ranges_by_doc ON refused_ranges (doc_name);`,
  `CREATE TABLE doc_quarantine (
     id INTEGER PRIMARY KEY,
     doc_name TEXT NOT NULL,
     data BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     quarantined_at INTEGER NOT NULL,
     reason TEXT NOT NULL
   );
   CREATE INDEX doc_quarantine_by_doc ON doc_quarantine (doc_name, id);`,
  // Issue 19: a participant is a person (their identity id), listed under the last name they
  // used. Rows from before are keyed by their name, marked legacy (see shared/participants.ts).
  `CREATE TABLE participants_by_person (
     session_id TEXT NOT NULL,
     person TEXT NOT NULL,
     name TEXT NOT NULL,
     first_seen TEXT NOT NULL,
     PRIMARY KEY (session_id, person)
   );
   INSERT INTO participants_by_person (session_id, person, name, first_seen)
     SELECT session_id, 'legacy:' || name, name, first_seen FROM participants ORDER BY first_seen, rowid;
   DROP TABLE participants;
   ALTER TABLE participants_by_person RENAME TO participants;`,
  // Issue 19: a session's time zone (null: the event's), its join code while live, the event's zone.
  `ALTER TABLE sessions ADD COLUMN time_zone TEXT;
   ALTER TABLE sessions ADD COLUMN join_code TEXT;
   CREATE UNIQUE INDEX sessions_by_join_code ON sessions (join_code) WHERE join_code IS NOT NULL;
   CREATE TABLE event_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Issue 20: the durable outbox of webhook and recap-mail deliveries, and the moderator's
  // recap-mail switch. Times compared in SQL are ms since the epoch.
  `ALTER TABLE sessions ADD COLUMN recap_mail INTEGER NOT NULL DEFAULT 1;
   CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     channel TEXT NOT NULL,
     target TEXT NOT NULL,
     event TEXT NOT NULL,
     body TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'pending',
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     resent_at INTEGER,
     next_attempt_at INTEGER NOT NULL,
     lease_until INTEGER NOT NULL DEFAULT 0,
     last_attempt_at INTEGER,
     last_status_code INTEGER,
     last_error TEXT,
     delivered_at INTEGER
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
  // Issue 21: an archive knows the rowid of its full-text row, so replacing or deleting it is a
  // lookup, not a scan of every archived pad's text (`session_id` is UNINDEXED in FTS5: archiving
  // the 10,000th session read the other 9,999 pads).
  `ALTER TABLE archives ADD COLUMN search_rowid INTEGER;
   UPDATE archives SET search_rowid = f.rowid FROM (SELECT rowid, session_id FROM archive_fts) AS f WHERE f.session_id = archives.session_id;
   CREATE INDEX sessions_by_archive_order ON sessions (track, COALESCE(started_at, scheduled_start, created_at), title, id);`,
  // Issue 21: one row per archived action item (MS25), filled from the archives already stored.
  `CREATE TABLE archive_actions (
     session_id TEXT NOT NULL,
     idx INTEGER NOT NULL,
     owner TEXT NOT NULL,
     text TEXT NOT NULL,
     due TEXT,
     done INTEGER NOT NULL,
     source TEXT NOT NULL,
     ended_at TEXT NOT NULL,
     from_session TEXT,
     from_index INTEGER,
     PRIMARY KEY (session_id, idx)
   );
   CREATE INDEX archive_actions_by_owner ON archive_actions (owner, ended_at, session_id, idx);
   CREATE INDEX archive_actions_by_from ON archive_actions (from_session, from_index);
   CREATE INDEX archive_actions_counts ON archive_actions (owner, done);
   INSERT INTO archive_actions (session_id, idx, owner, text, due, done, source, ended_at, from_session, from_index)
     SELECT a.session_id, CAST(j.key AS INTEGER), COALESCE(json_extract(j.value, '$.owner'), ''), COALESCE(json_extract(j.value, '$.text'), ''),
            json_extract(j.value, '$.due'), CASE WHEN json_extract(j.value, '$.done') THEN 1 ELSE 0 END, COALESCE(json_extract(j.value, '$.source'), 'task'), COALESCE(s.ended_at, ''),
            json_extract(j.value, '$.from.sessionId'), json_extract(j.value, '$.from.index')
     FROM archives a JOIN sessions s ON s.id = a.session_id, json_each(a.outcomes_json, '$.actions') j;`,
  // Issue 21: the version of the load's checks each stored update is known to pass (DocStore
  // [DS13]); rows stored before are not known to pass any (0), so their pad is walked once.
  `ALTER TABLE doc_updates ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;`,
]

/**
 * How hard a commit waits for the disk: `full` (fsync at every commit: a committed edit survives
 * a power loss) or `normal` (WAL appended at every commit, fsync at checkpoints: a committed edit
 * survives any crash of the process, an OS crash or power loss may lose the last moments).
 */
export type SqliteSync = 'full' | 'normal'

/** Opens (creating if needed) `file`, or an in-memory database for `':memory:'`. */
export function openDatabase(file: string, sync: SqliteSync = 'full'): Database.Database {
  if (file !== ':memory:') {
    // Issue 15: the pads, chats and key hashes are nobody else's business on a shared machine.
    // A directory we create is 0700; the file is 0600 (made so before SQLite opens it, and
    // tightened if an older version left it 0644), and SQLite gives its -wal and -shm files the
    // database file's mode.
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    fs.closeSync(fs.openSync(file, 'a', 0o600))
    fs.chmodSync(file, 0o600)
    for (const companion of [`${file}-wal`, `${file}-shm`]) if (fs.existsSync(companion)) fs.chmodSync(companion, 0o600)
  }
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`)
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db)
  return db
}

/**
 * The schema version just before participants became people (issue 19): a test builds a file as
 * that version kept it and checks that opening it migrates the rows.
 */
export const participantsByPersonVersion = migrations.findIndex((sql) => sql.includes('participants_by_person'))

/** The schema version just before archives knew their full-text row (issue 21), for a test of that migration. */
export const archiveSearchRowidVersion = migrations.findIndex((sql) => sql.includes('search_rowid'))

/** The schema version just before archives kept their action rows (issue 21), for a test of that migration. */
export const archiveActionsVersion = migrations.findIndex((sql) => sql.includes('CREATE TABLE archive_actions'))

/** The schema version just before stored updates recorded the checks they passed (issue 21), for a test of that migration. */
export const docUpdateChecksVersion = migrations.findIndex((sql) => sql.includes('ADD COLUMN checks'))

/** Runs the migrations from the file's `user_version` up to `target` (@default all of them). */
export function migrate(db: Database.Database, target = migrations.length): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this summitpad (${migrations.length})`)
  }
  for (let version = current; version < target; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!)
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
}
