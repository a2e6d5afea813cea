/** MetaStore on the embedded SQLite file (the same file as the SqliteDocStore). */
import Database from 'better-sqlite3'
import type { ArchiveHit, ArchiveSummary, ArchivedSession, Session } from '../../../shared/api.ts'
import type { ChatMessage } from '../../../shared/chat.ts'
import type { PMJSON } from '../../../shared/template.ts'
import { AppError } from '../../../shared/errors.ts'
import type { AccessMode } from '../../../shared/roles.ts'
import type { SessionCapabilities } from '../../auth/capabilities.ts'
import type { AuditEntry, OrganizerIdentity } from '../../../shared/organizer.ts'
import type { PresentPerson } from '../../../shared/participants.ts'
import type { ActionCursor, ArchivedAction, ArchiveRecord, IdentityTransfer, MetaStore, PersonSession, SessionPerson, NewAuditEntry, NewSession, SessionFilter, SessionLiveFields, SessionScheduleFields } from '../meta-store.ts'
import type { NewOutboxMessage, OutboxEffects, OutboxMessage, OutboxOutcome } from '../../outbox/outbox-message.ts'
import { maxOutboxErrorChars, toOutboxMessage, type OutboxRow } from '../outbox-rows.ts'
import { liveColumns, overdue, participantNames, participantsJson, scheduleColumns, queryWords, toAuditEntry, toSession, toSummary, type AuditRow, type SessionRow, type SummaryColumns } from '../session-rows.ts'
import type { CarriedFrom } from '../../../shared/follow-up.ts'
import { getArchivedActions, listActionOwners, listOwnerActions, writeActions } from './sqlite-archive-actions.ts'
import * as personRows from './sqlite-people.ts'
import { searchInWorker } from '../../workers/heavy-work.ts'
import { searchArchiveRows } from './archive-search.ts'
import type { IndexCursor } from '../../archive/index-cursor.ts'




export class SqliteMetaStore implements MetaStore {
  /**
   * Statements of the queries every WebSocket connect runs (`getCapabilities`, `getSession`),
   * prepared once on first use: compiling the SQL again each time was a measurable part of a
   * connect when a thousand rooms join within a minute (issue 21). Migrations run before a store
   * is made, so the schema these statements saw does not change under them.
   */
  private readonly statements = new Map<string, Database.Statement>()

  private reader: Database.Database | null = null

  constructor(private readonly db: Database.Database) {}

  private prepared(sql: string): Database.Statement {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }

  async createSession(session: NewSession): Promise<Session> {
    const now = new Date().toISOString()
    try {
      this.db
        .prepare(
          `INSERT INTO sessions (id, title, track, room, moderator, scheduled_start, duration_minutes, access,
             moderator_key_hash, editor_key_hash, state, locked, created_at, updated_at, import_event, import_key, time_zone)
           VALUES (@id, @title, @track, @room, @moderator, @scheduledStart, @durationMinutes, @access,
             @moderatorKeyHash, @editorKeyHash, 'scheduled', 0, @now, @now, @importEvent, @importKey, @timeZone)`,
        )
        .run({ ...sessionColumnsOf(session), now, importEvent: session.importRef?.event ?? null, importKey: session.importRef?.key ?? null, timeZone: session.timeZone ?? null })
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new AppError('conflict', `a session with id "${session.id}" already exists`)
      }
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new AppError('conflict', `a session imported as "${session.importRef?.key ?? ''}" for this event already exists`)
      }
      throw error
    }
    return (await this.getSession(session.id))!
  }

  async getSession(id: string): Promise<Session | null> {
    const row = this.prepared('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined
    return row ? toSession(row) : null
  }

  async getCapabilities(id: string): Promise<SessionCapabilities | null> {
    const row = this.prepared('SELECT access, moderator_key_hash, editor_key_hash FROM sessions WHERE id = ?').get(id) as
      | { access: AccessMode; moderator_key_hash: string; editor_key_hash: string }
      | undefined
    return row ? { access: row.access, moderatorKeyHash: row.moderator_key_hash, editorKeyHash: row.editor_key_hash } : null
  }

  async listSessions(filter: SessionFilter = {}): Promise<Session[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM sessions
         WHERE (@track IS NULL OR track = @track) AND (@state IS NULL OR state = @state)
         ORDER BY scheduled_start IS NULL, scheduled_start, title, id`,
      )
      .all({ track: filter.track ?? null, state: filter.state ?? null }) as SessionRow[]
    return rows.map(toSession)
  }

  async updateSession(id: string, patch: Partial<SessionLiveFields>, effects?: OutboxEffects<Session>): Promise<Session | null> {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined) as [keyof SessionLiveFields, unknown][]
    const assignments = entries.map(([key]) => `${liveColumns[key]} = @${key}`)
    const values = Object.fromEntries(entries.map(([key, value]) => [key, typeof value === 'boolean' ? Number(value) : value]))
    try {
      return this.updateWithEffects(`UPDATE sessions SET ${[...assignments, 'updated_at = @updatedAt'].join(', ')} WHERE id = @id`, { ...values, id }, effects)
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('conflict', `the join code "${String(patch.joinCode)}" is taken`)
      throw error
    }
  }

  async updateSchedule(id: string, patch: Partial<SessionScheduleFields>, effects?: OutboxEffects<Session>): Promise<Session | null> {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined) as [keyof SessionScheduleFields, unknown][]
    const assignments = entries.map(([key]) => `${scheduleColumns[key]} = @${key}`)
    return this.updateWithEffects(`UPDATE sessions SET ${[...assignments, 'updated_at = @updatedAt'].join(', ')} WHERE id = @id`, { ...Object.fromEntries(entries), id }, effects)
  }

  /** Runs one session UPDATE and stores the deliveries it causes in the same transaction [MS16]. */
  private updateWithEffects(sql: string, values: Record<string, unknown>, effects: OutboxEffects<Session> | undefined): Session | null {
    return this.db.transaction(() => {
      const result = this.db.prepare(sql).run({ ...values, updatedAt: new Date().toISOString() })
      if (result.changes === 0) return null
      const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(values.id) as SessionRow
      const session = toSession(row)
      if (effects) this.insertOutbox(effects(session))
      return session
    })()
  }

  async saveArchive(record: ArchiveRecord, effects?: OutboxEffects<ArchivedSession>): Promise<void> {
    const session = await this.getSession(record.sessionId)
    if (!session) throw new AppError('session_not_found', `no session with id "${record.sessionId}"`)
    this.db.transaction(() => {
      const existing = this.db.prepare('SELECT search_rowid FROM archives WHERE session_id = ?').get(record.sessionId) as { search_rowid: number | null } | undefined
      const isNew = existing === undefined
      this.db
        .prepare(
          `INSERT INTO archives (session_id, archived_at, doc_json, outcomes_json, participants_json, chat_json)
           VALUES (@id, @now, @doc, @outcomes, @participants, @chat)
           ON CONFLICT (session_id) DO UPDATE SET archived_at = @now, doc_json = @doc, outcomes_json = @outcomes,
             participants_json = @participants, chat_json = @chat`,
        )
        .run({
          id: record.sessionId,
          now: new Date().toISOString(),
          doc: JSON.stringify(record.doc),
          outcomes: JSON.stringify(record.outcomes),
          participants: participantsJson(record.participants),
          chat: JSON.stringify(record.chat),
        })
      // By rowid: `session_id` is UNINDEXED in FTS5, a WHERE on it reads every pad's text.
      if (existing?.search_rowid != null) this.db.prepare('DELETE FROM archive_fts WHERE rowid = ?').run(existing.search_rowid)
      const { lastInsertRowid } = this.db.prepare('INSERT INTO archive_fts (session_id, title, body) VALUES (?, ?, ?)').run(record.sessionId, session.title, record.text)
      this.db.prepare('UPDATE archives SET search_rowid = ? WHERE session_id = ?').run(lastInsertRowid, record.sessionId)
      writeActions(this.db, session, record.outcomes)
      if (effects && isNew) this.insertOutbox(effects(this.readArchive(record.sessionId)!))
    })()
  }

  async getArchive(id: string): Promise<ArchivedSession | null> {
    return this.readArchive(id)
  }

  async getArchiveDocJson(id: string): Promise<string | null> {
    const row = this.archiveReader().prepare('SELECT doc_json FROM archives WHERE session_id = ?').get(id) as { doc_json: string } | undefined
    return row?.doc_json ?? null
  }

  /**
   * The connection that reads the archive in pages and pads one by one (the zip reads every one,
   * and an archive row's later columns are read through its pad's overflow pages): read-only,
   * with a page cache of 1 MiB. On the main connection they filled its 16 MiB cache with pages
   * nobody reads again (issue 21: 12 MiB of the zip's memory). Committed rows only, as every
   * caller reads. An in-memory database has one connection.
   */
  private archiveReader(): Database.Database {
    if (this.db.memory) return this.db
    if (!this.reader) {
      this.reader = new Database(this.db.name, { readonly: true, fileMustExist: true })
      this.reader.pragma('busy_timeout = 5000')
      this.reader.pragma('cache_size = -1024')
    }
    return this.reader
  }

  private readArchive(id: string): ArchivedSession | null {
    const row = this.db
      .prepare(
        'SELECT s.*, a.archived_at, a.doc_json, a.outcomes_json, a.participants_json, a.chat_json FROM archives a JOIN sessions s ON s.id = a.session_id WHERE a.session_id = ?',
      )
      .get(id) as (SessionRow & ArchiveColumns) | undefined
    return row ? { ...toSummary(row), doc: JSON.parse(row.doc_json) as PMJSON, chat: JSON.parse(row.chat_json) as ChatMessage[] } : null
  }

  async listArchives(): Promise<ArchiveSummary[]> {
    const rows = this.db
      .prepare(
        `SELECT s.*, a.archived_at, a.outcomes_json, a.participants_json FROM archives a JOIN sessions s ON s.id = a.session_id
         ORDER BY s.track, COALESCE(s.started_at, s.scheduled_start, s.created_at), s.title`,
      )
      .all() as (SessionRow & SummaryColumns)[]
    return rows.map(toSummary)
  }

  /** MS6, in pages: keyset on the index order, which `sessions_by_archive_order` serves. */
  async listArchivePage(after: IndexCursor | null, limit: number): Promise<{ sessions: ArchiveSummary[]; next: IndexCursor | null }> {
    const rows = this.archiveReader()
      .prepare(
        `SELECT s.*, a.archived_at, a.outcomes_json, a.participants_json, COALESCE(s.started_at, s.scheduled_start, s.created_at) AS index_when
         FROM sessions s JOIN archives a ON a.session_id = s.id
         ${after ? 'WHERE (s.track, COALESCE(s.started_at, s.scheduled_start, s.created_at), s.title, s.id) > (@track, @when, @title, @id)' : ''}
         ORDER BY s.track, COALESCE(s.started_at, s.scheduled_start, s.created_at), s.title, s.id
         LIMIT @limit`,
      )
      .all({ ...(after ?? {}), limit: limit + 1 }) as (SessionRow & SummaryColumns & { index_when: string })[]
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return { sessions: page.map(toSummary), next: rows.length > limit && last ? { track: last.track, when: last.index_when, title: last.title, id: last.id } : null }
  }

  /** MS25: see sqlite-archive-actions.ts. */
  async listActionOwners(): Promise<{ owner: string | null; total: number; open: number }[]> {
    return listActionOwners(this.db)
  }

  async listOwnerActions(owner: string | null, after: ActionCursor | null, limit: number): Promise<{ actions: ArchivedAction[]; next: ActionCursor | null }> {
    return listOwnerActions(this.db, owner, after, limit)
  }

  async getArchivedActions(keys: CarriedFrom[]): Promise<ArchivedAction[]> {
    return getArchivedActions(this.db, keys)
  }

  /**
   * MS7. Runs in a worker on its own read-only connection when the database is a file, in
   * process for an in-memory one (tests); see `archive-search.ts`.
   */
  async searchArchive(query: string, limit = 50): Promise<ArchiveHit[]> {
    const rows = this.db.memory ? searchArchiveRows(this.db, query, limit) : await searchInWorker(this.db.name, query, limit)
    return rows.map((row) => ({ ...toSummary(row), snippet: row.snippet }))
  }

  async addParticipants(id: string, people: PresentPerson[]): Promise<void> {
    // A person seen again keeps their place (first_seen, rowid) under the name they use now.
    const upsert = this.db.prepare(
      `INSERT INTO participants (session_id, person, name, first_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (session_id, person) DO UPDATE SET name = excluded.name`,
    )
    const now = new Date().toISOString()
    this.db.transaction(() => {
      for (const { person, name } of people) upsert.run(id, person, name, now)
    })()
  }

  async listParticipants(id: string): Promise<string[]> {
    const rows = this.db.prepare('SELECT person, name FROM participants WHERE session_id = ? ORDER BY first_seen, rowid').all(id) as PresentPerson[]
    return participantNames(rows)
  }

  async listOverdue(beforeIso: string): Promise<Session[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM sessions
         WHERE (state = 'live' AND ends_at < @before) OR (state = 'scheduled' AND scheduled_start IS NOT NULL AND scheduled_start < @before)`,
      )
      .all({ before: beforeIso }) as SessionRow[]
    return overdue(rows.map(toSession), beforeIso)
  }

  async deleteSession(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM archive_fts WHERE rowid = (SELECT search_rowid FROM archives WHERE session_id = ?)').run(id)
      this.db.prepare('DELETE FROM archives WHERE session_id = ?').run(id)
      this.db.prepare('DELETE FROM archive_actions WHERE session_id = ?').run(id)
      this.db.prepare('DELETE FROM participants WHERE session_id = ?').run(id)
      this.db.prepare('DELETE FROM session_follows WHERE session_id = ? OR earlier_id = ?').run(id, id)
      this.db.prepare('DELETE FROM person_sessions WHERE session_id = ?').run(id)
      return this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id).changes > 0
    })()
  }

  async findImported(event: string, key: string): Promise<Session | null> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE import_event = ? AND import_key = ?').get(event, key) as SessionRow | undefined
    return row ? toSession(row) : null
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    const at = new Date().toISOString()
    const details = entry.details === null ? null : JSON.stringify(entry.details)
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, target, details_json) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(at, entry.actor.kind, entry.actor.id, entry.actor.name, entry.action, entry.target, details)
    return { ...entry, id: Number(lastInsertRowid), at }
  }

  async listAudit(options: { limit?: number; before?: number } = {}): Promise<AuditEntry[]> {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE (@before IS NULL OR id < @before) ORDER BY id DESC LIMIT @limit')
      .all({ before: options.before ?? null, limit: options.limit ?? 100 }) as AuditRow[]
    return rows.map(toAuditEntry)
  }

  async createSignIn(tokenHash: string, identity: OrganizerIdentity, expiresAt: string): Promise<void> {
    this.db.transaction(() => {
      // Expired sign-ins are swept here, so the table only holds live ones.
      this.db.prepare('DELETE FROM organizer_sign_ins WHERE expires_at <= ?').run(new Date().toISOString())
      this.db
        .prepare('INSERT OR REPLACE INTO organizer_sign_ins (token_hash, actor_kind, actor_id, actor_name, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(tokenHash, identity.kind, identity.id, identity.name, expiresAt)
    })()
  }

  async getSignIn(tokenHash: string): Promise<OrganizerIdentity | null> {
    const row = this.db
      .prepare('SELECT actor_kind, actor_id, actor_name FROM organizer_sign_ins WHERE token_hash = ? AND expires_at > ?')
      .get(tokenHash, new Date().toISOString()) as { actor_kind: 'token' | 'oidc'; actor_id: string; actor_name: string } | undefined
    return row ? { kind: row.actor_kind, id: row.actor_id, name: row.actor_name } : null
  }

  async deleteSignIn(tokenHash: string): Promise<void> {
    this.db.prepare('DELETE FROM organizer_sign_ins WHERE token_hash = ?').run(tokenHash)
  }

  async findByJoinCode(code: string): Promise<Session | null> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE join_code = ?').get(code) as SessionRow | undefined
    return row ? toSession(row) : null
  }

  async getEventTimeZone(): Promise<string | null> {
    const row = this.db.prepare("SELECT value FROM event_settings WHERE name = 'time_zone'").get() as { value: string } | undefined
    return row?.value ?? null
  }

  async setEventTimeZone(timeZone: string): Promise<void> {
    this.db.prepare("INSERT INTO event_settings (name, value) VALUES ('time_zone', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run(timeZone)
  }

  async listUnarchived(): Promise<Session[]> {
    const rows = this.db
      .prepare(`SELECT s.* FROM sessions s LEFT JOIN archives a ON a.session_id = s.id WHERE s.state = 'ended' AND a.session_id IS NULL ORDER BY s.ended_at, s.id`)
      .all() as SessionRow[]
    return rows.map(toSession)
  }

  async enqueue(messages: NewOutboxMessage[]): Promise<void> {
    this.db.transaction(() => this.insertOutbox(messages))()
  }

  private insertOutbox(messages: NewOutboxMessage[]): void {
    const insert = this.db.prepare(
      `INSERT INTO outbox (id, channel, target, event, body, status, attempts, created_at, next_attempt_at)
       VALUES (@id, @channel, @target, @event, @body, 'pending', 0, @now, @now)`,
    )
    const now = Date.now()
    for (const message of messages) insert.run({ ...message, now })
  }

  /** MS17. SQLite serves one instance: the lease only keeps this instance from sending a delivery twice at once. */
  async claimOutbox(limit: number, leaseMs: number, now: number): Promise<OutboxMessage[]> {
    const rows = this.db
      .prepare(
        `UPDATE outbox SET lease_until = @until
         WHERE seq IN (SELECT seq FROM outbox WHERE status = 'pending' AND next_attempt_at <= @now AND lease_until <= @now
                       ORDER BY next_attempt_at, seq LIMIT @limit)
         RETURNING *`,
      )
      .all({ until: now + leaseMs, now, limit }) as OutboxRow[]
    return rows.map(toOutboxMessage).sort((a, b) => Date.parse(a.nextAttemptAt!) - Date.parse(b.nextAttemptAt!))
  }

  async settleOutbox(id: string, outcome: OutboxOutcome): Promise<void> {
    const status = outcome.delivered ? 'delivered' : outcome.retryAt === null ? 'dead' : 'pending'
    this.db
      .prepare(
        `UPDATE outbox SET status = @status, attempts = attempts + 1, last_attempt_at = @at, last_status_code = @code,
           last_error = @error, delivered_at = @deliveredAt, next_attempt_at = @next, lease_until = 0
         WHERE id = @id`,
      )
      .run({
        id,
        status,
        at: outcome.at,
        code: outcome.statusCode,
        error: outcome.delivered ? null : outcome.error.slice(0, maxOutboxErrorChars),
        deliveredAt: outcome.delivered ? outcome.at : null,
        next: !outcome.delivered && outcome.retryAt !== null ? outcome.retryAt : outcome.at,
      })
  }

  async listOutbox(options: { limit?: number; before?: string } = {}): Promise<OutboxMessage[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM outbox WHERE (@before IS NULL OR seq < (SELECT seq FROM outbox WHERE id = @before))
         ORDER BY seq DESC LIMIT @limit`,
      )
      .all({ before: options.before ?? null, limit: options.limit ?? 100 }) as OutboxRow[]
    return rows.map(toOutboxMessage)
  }

  async getOutbox(id: string): Promise<OutboxMessage | null> {
    const row = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined
    return row ? toOutboxMessage(row) : null
  }

  async resendOutbox(id: string, now: number): Promise<OutboxMessage | null> {
    this.db
      .prepare(`UPDATE outbox SET status = 'pending', resent_at = @now, next_attempt_at = @now, lease_until = 0 WHERE id = @id AND status <> 'pending'`)
      .run({ id, now })
    return this.getOutbox(id)
  }

  async setFollows(id: string, earlierId: string | null): Promise<void> {
    if (earlierId === null) this.db.prepare('DELETE FROM session_follows WHERE session_id = ?').run(id)
    else this.db.prepare('INSERT OR REPLACE INTO session_follows (session_id, earlier_id, linked_at) VALUES (?, ?, ?)').run(id, earlierId, new Date().toISOString())
  }

  async getFollows(id: string): Promise<string | null> {
    const row = this.db.prepare('SELECT earlier_id FROM session_follows WHERE session_id = ?').get(id) as { earlier_id: string } | undefined
    return row?.earlier_id ?? null
  }

  async listFollowUps(earlierId: string): Promise<string[]> {
    const rows = this.db
      .prepare(
        `SELECT f.session_id FROM session_follows f LEFT JOIN sessions s ON s.id = f.session_id
         WHERE f.earlier_id = ? ORDER BY s.scheduled_start IS NULL, s.scheduled_start, f.session_id`,
      )
      .all(earlierId) as { session_id: string }[]
    return rows.map((row) => row.session_id)
  }

  async listFollowLinks(): Promise<{ sessionId: string; earlierId: string }[]> {
    const rows = this.db.prepare('SELECT session_id, earlier_id FROM session_follows ORDER BY session_id').all() as { session_id: string; earlier_id: string }[]
    return rows.map((row) => ({ sessionId: row.session_id, earlierId: row.earlier_id }))
  }

  // The "My summit" rows: see sqlite-people.ts.
  async recordPeople(id: string, people: SessionPerson[]): Promise<void> {
    return personRows.recordPeople(this.db, id, people)
  }

  async addListened(personId: string, sessionId: string): Promise<void> {
    return personRows.addListened(this.db, personId, sessionId)
  }

  async removeListened(personId: string, sessionId: string): Promise<boolean> {
    return personRows.removeListened(this.db, personId, sessionId)
  }

  async listPersonSessions(personId: string): Promise<PersonSession[]> {
    return personRows.listPersonSessions(this.db, personId)
  }

  async addPersonKey(personId: string, keyHash: string): Promise<void> {
    return personRows.addPersonKey(this.db, personId, keyHash)
  }

  async personKeyState(personId: string, keyHash: string): Promise<'match' | 'mismatch' | 'unknown'> {
    return personRows.personKeyState(this.db, personId, keyHash)
  }

  async createTransfer(codeHash: string, transfer: IdentityTransfer, expiresAt: string): Promise<void> {
    return personRows.createTransfer(this.db, codeHash, transfer, expiresAt)
  }

  async takeTransfer(codeHash: string): Promise<IdentityTransfer | null> {
    return personRows.takeTransfer(this.db, codeHash)
  }

  async countTransfers(personId: string): Promise<number> {
    return personRows.countTransfers(this.db, personId)
  }

  async close(): Promise<void> {
    this.reader?.close()
    this.reader = null
  }
}

/** The columns of a new session (better-sqlite3 refuses named parameters it has no use for, and objects). */
function sessionColumnsOf({ importRef: _importRef, timeZone: _timeZone, ...columns }: NewSession): Omit<NewSession, 'importRef' | 'timeZone'> {
  return columns
}

interface ArchiveColumns {
  archived_at: string
  doc_json: string
  outcomes_json: string
  participants_json: string
  chat_json: string
}

