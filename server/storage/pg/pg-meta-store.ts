/**
 * MetaStore on PostgreSQL: the same rules as the SQLite store, with archive search on a generated
 * `tsvector` column (GIN index): every word of the query required, the last one as a prefix,
 * best first by `ts_rank` over a bounded candidate set (title matches and the latest archived),
 * snippets built from a bounded window of text (`archive/snippet.ts`).
 */
import type pg from 'pg'
import type { ArchiveHit, ArchiveSummary, ArchivedSession, Session } from '../../../shared/api.ts'
import { searchSnippet, snippetLeadChars, snippetWindowChars } from '../../archive/snippet.ts'
import type { ChatMessage } from '../../../shared/chat.ts'
import { AppError } from '../../../shared/errors.ts'
import type { AccessMode } from '../../../shared/roles.ts'
import type { PMJSON } from '../../../shared/template.ts'
import type { SessionCapabilities } from '../../auth/capabilities.ts'
import type { AuditEntry, OrganizerIdentity } from '../../../shared/organizer.ts'
import type { PresentPerson } from '../../../shared/participants.ts'
import type { ActionCursor, ArchivedAction, ArchiveRecord, IdentityTransfer, MetaStore, PersonSession, SessionPerson, NewAuditEntry, NewSession, SessionFilter, SessionLiveFields, SessionScheduleFields } from '../meta-store.ts'
import type { NewOutboxMessage, OutboxEffects, OutboxMessage, OutboxOutcome } from '../../outbox/outbox-message.ts'
import { claimOutbox, getOutbox, insertOutbox, listOutbox, resendOutbox, settleOutbox } from './pg-outbox.ts'
import { inTransaction } from './transaction.ts'
import type { CarriedFrom } from '../../../shared/follow-up.ts'
import { getArchivedActions, listActionOwners, listOwnerActions, writeActions } from './pg-archive-actions.ts'
import { addListened, addPersonKey, countTransfers, createTransfer, listPersonSessions, personKeyState, recordPeople, removeListened, takeTransfer } from './pg-people.ts'
import type { IndexCursor } from '../../archive/index-cursor.ts'
import { liveColumns, overdue, participantNames, participantsJson, scheduleColumns, queryWords, toAuditEntry, toSession, toSummary, type AuditRow, type SessionRow, type SummaryColumns } from '../session-rows.ts'

const sessionColumns =
  's.id, s.title, s.track, s.room, s.moderator, s.scheduled_start, s.duration_minutes, s.access, s.state, s.started_at, s.ends_at, s.ended_at, s.locked, s.current_item, s.projector_chat, s.time_zone, s.join_code, s.recap_mail, s.created_at, s.updated_at'

/**
 * Most title matches, and most other matches (the latest archived), that one search ranks
 * (issue 21: ranking reads each candidate's whole tsvector). @default 200
 */
export const searchCandidates = 200

/** When an archived session took place, for the index order. */
const indexWhen = 'COALESCE(s.started_at, s.scheduled_start, s.created_at)'

export class PgMetaStore implements MetaStore {
  constructor(private readonly pool: pg.Pool) {}

  async createSession(session: NewSession): Promise<Session> {
    const now = new Date().toISOString()
    try {
      await this.pool.query(
        `INSERT INTO sessions (id, title, track, room, moderator, scheduled_start, duration_minutes, access,
           moderator_key_hash, editor_key_hash, state, locked, created_at, updated_at, import_event, import_key, time_zone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'scheduled', FALSE, $11, $11, $12, $13, $14)`,
        [
          session.id,
          session.title,
          session.track,
          session.room,
          session.moderator,
          session.scheduledStart,
          session.durationMinutes,
          session.access,
          session.moderatorKeyHash,
          session.editorKeyHash,
          now,
          session.importRef?.event ?? null,
          session.importRef?.key ?? null,
          session.timeZone ?? null,
        ],
      )
    } catch (error) {
      if ((error as { code?: string; constraint?: string }).code === '23505') {
        const byImport = (error as { constraint?: string }).constraint === 'sessions_by_import'
        throw new AppError('conflict', byImport ? `a session imported as "${session.importRef?.key ?? ''}" for this event already exists` : `a session with id "${session.id}" already exists`)
      }
      throw error
    }
    return (await this.getSession(session.id))!
  }

  async getSession(id: string): Promise<Session | null> {
    const { rows } = await this.pool.query<SessionRow>(`SELECT ${sessionColumns} FROM sessions s WHERE s.id = $1`, [id])
    return rows[0] ? toSession(rows[0]) : null
  }

  async getCapabilities(id: string): Promise<SessionCapabilities | null> {
    const { rows } = await this.pool.query<{ access: AccessMode; moderator_key_hash: string; editor_key_hash: string }>(
      'SELECT access, moderator_key_hash, editor_key_hash FROM sessions WHERE id = $1',
      [id],
    )
    const row = rows[0]
    return row ? { access: row.access, moderatorKeyHash: row.moderator_key_hash, editorKeyHash: row.editor_key_hash } : null
  }

  async listSessions(filter: SessionFilter = {}): Promise<Session[]> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${sessionColumns} FROM sessions s
       WHERE ($1::text IS NULL OR s.track = $1) AND ($2::text IS NULL OR s.state = $2)
       ORDER BY s.scheduled_start IS NULL, s.scheduled_start, s.title COLLATE "C", s.id`,
      [filter.track ?? null, filter.state ?? null],
    )
    return rows.map(toSession)
  }

  async updateSession(id: string, patch: Partial<SessionLiveFields>, effects?: OutboxEffects<Session>): Promise<Session | null> {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined) as [keyof SessionLiveFields, unknown][]
    const assignments = entries.map(([key], index) => `${liveColumns[key]} = $${index + 3}`)
    try {
      return await this.updateWithEffects(`UPDATE sessions SET ${['updated_at = $2', ...assignments].join(', ')} WHERE id = $1`, id, entries, effects)
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new AppError('conflict', `the join code "${String(patch.joinCode)}" is taken`)
      throw error
    }
  }

  async updateSchedule(id: string, patch: Partial<SessionScheduleFields>, effects?: OutboxEffects<Session>): Promise<Session | null> {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined) as [keyof SessionScheduleFields, unknown][]
    const assignments = entries.map(([key], index) => `${scheduleColumns[key]} = $${index + 3}`)
    return this.updateWithEffects(`UPDATE sessions SET ${['updated_at = $2', ...assignments].join(', ')} WHERE id = $1`, id, entries, effects)
  }

  /** Runs one session UPDATE and stores the deliveries it causes in the same transaction [MS16]. */
  private async updateWithEffects(sql: string, id: string, entries: [string, unknown][], effects: OutboxEffects<Session> | undefined): Promise<Session | null> {
    return this.transaction(async (client) => {
      const { rowCount } = await client.query(sql, [id, new Date().toISOString(), ...entries.map(([, value]) => value)])
      if (rowCount === 0) return null
      const { rows } = await client.query<SessionRow>(`SELECT ${sessionColumns} FROM sessions s WHERE s.id = $1`, [id])
      const session = toSession(rows[0]!)
      if (effects) await insertOutbox(client, effects(session))
      return session
    })
  }

  /** Runs `work` in one transaction on one connection of the pool (transaction.ts). */
  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work)
  }


  async saveArchive(record: ArchiveRecord, effects?: OutboxEffects<ArchivedSession>): Promise<void> {
    const session = await this.getSession(record.sessionId)
    if (!session) throw new AppError('session_not_found', `no session with id "${record.sessionId}"`)
    await this.transaction(async (client) => {
      // `xmax = 0` only for a row this statement inserted: an instance that replaces a record
      // another instance wrote (two archiving one session together) causes no deliveries.
      const { rows } = await client.query<{ inserted: boolean }>(
        `INSERT INTO archives (session_id, archived_at, doc_json, outcomes_json, participants_json, chat_json, title, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (session_id) DO UPDATE SET archived_at = $2, doc_json = $3, outcomes_json = $4,
           participants_json = $5, chat_json = $6, title = $7, body = $8
         RETURNING (xmax = 0) AS inserted`,
        [
          record.sessionId,
          new Date().toISOString(),
          JSON.stringify(record.doc),
          JSON.stringify(record.outcomes),
          participantsJson(record.participants),
          JSON.stringify(record.chat),
          session.title,
          record.text,
        ],
      )
      await writeActions(client, session, record.outcomes)
      if (effects && rows[0]!.inserted) await insertOutbox(client, effects((await readArchive(client, record.sessionId))!))
    })
  }

  async getArchive(id: string): Promise<ArchivedSession | null> {
    return readArchive(this.pool, id)
  }

  async getArchiveDocJson(id: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ doc_json: string }>('SELECT doc_json FROM archives WHERE session_id = $1', [id])
    return rows[0]?.doc_json ?? null
  }

  async listArchives(): Promise<ArchiveSummary[]> {
    const { rows } = await this.pool.query<SessionRow & SummaryColumns>(
      `SELECT ${sessionColumns}, a.archived_at, a.outcomes_json, a.participants_json
       FROM archives a JOIN sessions s ON s.id = a.session_id
       ORDER BY s.track COLLATE "C", COALESCE(s.started_at, s.scheduled_start, s.created_at), s.title COLLATE "C"`,
    )
    return rows.map(toSummary)
  }

  /** MS6, in pages: keyset on the index order (byte order, as listArchives), which `sessions_by_archive_order` serves. */
  async listArchivePage(after: IndexCursor | null, limit: number): Promise<{ sessions: ArchiveSummary[]; next: IndexCursor | null }> {
    const { rows } = await this.pool.query<SessionRow & SummaryColumns & { index_when: string }>(
      `SELECT ${sessionColumns}, a.archived_at, a.outcomes_json, a.participants_json, ${indexWhen} AS index_when
       FROM sessions s JOIN archives a ON a.session_id = s.id
       WHERE $1::text IS NULL OR (s.track COLLATE "C", ${indexWhen} COLLATE "C", s.title COLLATE "C", s.id COLLATE "C") > ($1, $2, $3, $4)
       ORDER BY s.track COLLATE "C", ${indexWhen} COLLATE "C", s.title COLLATE "C", s.id COLLATE "C"
       LIMIT $5`,
      [after?.track ?? null, after?.when ?? null, after?.title ?? null, after?.id ?? null, limit + 1],
    )
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return { sessions: page.map(toSummary), next: rows.length > limit && last ? { track: last.track, when: last.index_when, title: last.title, id: last.id } : null }
  }

  async searchArchive(query: string, limit = 50): Promise<ArchiveHit[]> {
    const tsquery = toTsQuery(query)
    if (!tsquery) return []
    const words = queryWords(query)
    // No ts_headline: its cost grows with the matches (issue 15). ts_rank reads each row's whole
    // tsvector (about 7 KB, toasted): ranking every match of a common word (8,500 of 10,000 pads)
    // took 150 ms (issue 21). So only a bounded candidate set is ranked: the sessions whose title
    // matches and the most recently archived matches, at most `searchCandidates` of each, found
    // by the GIN indexes alone (no tsvector read). A word in fewer pads has every match ranked.
    // The query is a MATERIALIZED CTE so the planner does not see how common the word is: with
    // the constant, it picks a sequential scan that detoasts every vector.
    // Only the best `limit` are then read in full; for them a bounded window of text, around
    // the first match of the first word, makes the snippet (`server/archive/snippet.ts`).
    const { rows } = await this.pool.query<SessionRow & SummaryColumns & { window_start: number; window: string }>(
      `WITH q AS MATERIALIZED (SELECT to_tsquery('simple', $1) AS q),
       candidates AS (
         (SELECT a.session_id FROM archives a, q WHERE a.search @@ q.q ORDER BY a.archived_at DESC, a.session_id LIMIT $6)
         UNION
         (SELECT a.session_id FROM archives a, q WHERE to_tsvector('simple', a.title) @@ q.q AND a.search @@ q.q ORDER BY a.archived_at DESC, a.session_id LIMIT $6)
       ), best AS (
         SELECT a.session_id, ts_rank(a.search, q.q) AS rank
         FROM candidates c JOIN archives a ON a.session_id = c.session_id, q
         ORDER BY rank DESC
         LIMIT $3
       ), hits AS (
         SELECT best.session_id, best.rank, greatest(1, strpos(lower(a.body), $2) - $4) AS window_start
         FROM best JOIN archives a ON a.session_id = best.session_id
       )
       SELECT ${sessionColumns}, a.archived_at, a.outcomes_json, a.participants_json,
              hits.window_start, substr(a.body, hits.window_start, $5) AS window
       FROM hits JOIN archives a ON a.session_id = hits.session_id JOIN sessions s ON s.id = a.session_id
       ORDER BY hits.rank DESC, s.title COLLATE "C"`,
      [tsquery, words[0], limit, snippetLeadChars, snippetWindowChars, searchCandidates],
    )
    return rows.map(({ window, window_start, ...row }) => ({ ...toSummary(row), snippet: searchSnippet(window, window_start - 1, words) }))
  }

  /** MS25: see pg-archive-actions.ts. */
  listActionOwners(): Promise<{ owner: string | null; total: number; open: number }[]> {
    return listActionOwners(this.pool)
  }

  listOwnerActions(owner: string | null, after: ActionCursor | null, limit: number): Promise<{ actions: ArchivedAction[]; next: ActionCursor | null }> {
    return listOwnerActions(this.pool, owner, after, limit)
  }

  getArchivedActions(keys: CarriedFrom[]): Promise<ArchivedAction[]> {
    return getArchivedActions(this.pool, keys)
  }


  async addParticipants(id: string, people: PresentPerson[]): Promise<void> {
    if (people.length === 0) return
    // A person seen again keeps their place (seq) under the name they use now. One person twice
    // in one call would make ON CONFLICT touch a row twice: the last sighting wins.
    const latest = new Map(people.map(({ person, name }) => [person, name]))
    await this.pool.query(
      `INSERT INTO participants (session_id, person, name, first_seen)
       SELECT $1, person, name, $4 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS n(person, name, position) ORDER BY position
       ON CONFLICT (session_id, person) DO UPDATE SET name = excluded.name`,
      [id, [...latest.keys()], [...latest.values()], new Date().toISOString()],
    )
  }

  async listParticipants(id: string): Promise<string[]> {
    const { rows } = await this.pool.query<PresentPerson>('SELECT person, name FROM participants WHERE session_id = $1 ORDER BY seq', [id])
    return participantNames(rows)
  }

  async listOverdue(beforeIso: string): Promise<Session[]> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${sessionColumns} FROM sessions s
       WHERE (s.state = 'live' AND s.ends_at < $1) OR (s.state = 'scheduled' AND s.scheduled_start IS NOT NULL AND s.scheduled_start < $1)`,
      [beforeIso],
    )
    return overdue(rows.map(toSession), beforeIso)
  }

  deleteSession(id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM archives WHERE session_id = $1', [id])
      await client.query('DELETE FROM archive_actions WHERE session_id = $1', [id])
      await client.query('DELETE FROM participants WHERE session_id = $1', [id])
      await client.query('DELETE FROM session_follows WHERE session_id = $1 OR earlier_id = $1', [id])
      await client.query('DELETE FROM person_sessions WHERE session_id = $1', [id])
      const { rowCount } = await client.query('DELETE FROM sessions WHERE id = $1', [id])
      return (rowCount ?? 0) > 0
    })
  }

  async findImported(event: string, key: string): Promise<Session | null> {
    const { rows } = await this.pool.query<SessionRow>(`SELECT ${sessionColumns} FROM sessions s WHERE s.import_event = $1 AND s.import_key = $2`, [event, key])
    return rows[0] ? toSession(rows[0]) : null
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    const at = new Date().toISOString()
    const { rows } = await this.pool.query<{ id: string }>(
      'INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, target, details_json) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
      [at, entry.actor.kind, entry.actor.id, entry.actor.name, entry.action, entry.target, entry.details === null ? null : JSON.stringify(entry.details)],
    )
    return { ...entry, id: Number(rows[0]!.id), at }
  }

  async listAudit(options: { limit?: number; before?: number } = {}): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query<AuditRow>('SELECT * FROM audit_log WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2', [
      options.before ?? null,
      options.limit ?? 100,
    ])
    return rows.map(toAuditEntry)
  }

  async createSignIn(tokenHash: string, identity: OrganizerIdentity, expiresAt: string): Promise<void> {
    // Expired sign-ins are swept here, so the table only holds live ones.
    await this.pool.query('DELETE FROM organizer_sign_ins WHERE expires_at <= $1', [new Date().toISOString()])
    await this.pool.query(
      `INSERT INTO organizer_sign_ins (token_hash, actor_kind, actor_id, actor_name, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (token_hash) DO UPDATE SET actor_kind = $2, actor_id = $3, actor_name = $4, expires_at = $5`,
      [tokenHash, identity.kind, identity.id, identity.name, expiresAt],
    )
  }

  async getSignIn(tokenHash: string): Promise<OrganizerIdentity | null> {
    const { rows } = await this.pool.query<{ actor_kind: 'token' | 'oidc'; actor_id: string; actor_name: string }>(
      'SELECT actor_kind, actor_id, actor_name FROM organizer_sign_ins WHERE token_hash = $1 AND expires_at > $2',
      [tokenHash, new Date().toISOString()],
    )
    const row = rows[0]
    return row ? { kind: row.actor_kind, id: row.actor_id, name: row.actor_name } : null
  }

  async deleteSignIn(tokenHash: string): Promise<void> {
    await this.pool.query('DELETE FROM organizer_sign_ins WHERE token_hash = $1', [tokenHash])
  }

  async findByJoinCode(code: string): Promise<Session | null> {
    const { rows } = await this.pool.query<SessionRow>(`SELECT ${sessionColumns} FROM sessions s WHERE s.join_code = $1`, [code])
    return rows[0] ? toSession(rows[0]) : null
  }

  async getEventTimeZone(): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>("SELECT value FROM event_settings WHERE name = 'time_zone'")
    return rows[0]?.value ?? null
  }

  async setEventTimeZone(timeZone: string): Promise<void> {
    await this.pool.query("INSERT INTO event_settings (name, value) VALUES ('time_zone', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value", [timeZone])
  }

  async listUnarchived(): Promise<Session[]> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${sessionColumns} FROM sessions s LEFT JOIN archives a ON a.session_id = s.id WHERE s.state = 'ended' AND a.session_id IS NULL ORDER BY s.ended_at, s.id`,
    )
    return rows.map(toSession)
  }

  async enqueue(messages: NewOutboxMessage[]): Promise<void> {
    await this.transaction((client) => insertOutbox(client, messages))
  }

  /** MS17 with several instances: see `claimOutbox` in pg-outbox.ts. */
  claimOutbox(limit: number, leaseMs: number, now: number): Promise<OutboxMessage[]> {
    return claimOutbox(this.pool, limit, leaseMs, now)
  }

  settleOutbox(id: string, outcome: OutboxOutcome): Promise<void> {
    return settleOutbox(this.pool, id, outcome)
  }

  listOutbox(options: { limit?: number; before?: string } = {}): Promise<OutboxMessage[]> {
    return listOutbox(this.pool, options)
  }

  getOutbox(id: string): Promise<OutboxMessage | null> {
    return getOutbox(this.pool, id)
  }

  resendOutbox(id: string, now: number): Promise<OutboxMessage | null> {
    return resendOutbox(this.pool, id, now)
  }

  async setFollows(id: string, earlierId: string | null): Promise<void> {
    if (earlierId === null) await this.pool.query('DELETE FROM session_follows WHERE session_id = $1', [id])
    else {
      await this.pool.query(
        `INSERT INTO session_follows (session_id, earlier_id, linked_at) VALUES ($1, $2, $3)
         ON CONFLICT (session_id) DO UPDATE SET earlier_id = $2, linked_at = $3`,
        [id, earlierId, new Date().toISOString()],
      )
    }
  }

  async getFollows(id: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ earlier_id: string }>('SELECT earlier_id FROM session_follows WHERE session_id = $1', [id])
    return rows[0]?.earlier_id ?? null
  }

  async listFollowUps(earlierId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ session_id: string }>(
      `SELECT f.session_id FROM session_follows f LEFT JOIN sessions s ON s.id = f.session_id
       WHERE f.earlier_id = $1 ORDER BY s.scheduled_start IS NULL, s.scheduled_start, f.session_id`,
      [earlierId],
    )
    return rows.map((row) => row.session_id)
  }

  async listFollowLinks(): Promise<{ sessionId: string; earlierId: string }[]> {
    const { rows } = await this.pool.query<{ session_id: string; earlier_id: string }>('SELECT session_id, earlier_id FROM session_follows ORDER BY session_id')
    return rows.map((row) => ({ sessionId: row.session_id, earlierId: row.earlier_id }))
  }

  /** The "My summit" rows: see pg-people.ts. */
  recordPeople(id: string, people: SessionPerson[]): Promise<void> {
    return recordPeople(this.pool, id, people)
  }

  addListened(personId: string, sessionId: string): Promise<void> {
    return addListened(this.pool, personId, sessionId)
  }

  removeListened(personId: string, sessionId: string): Promise<boolean> {
    return removeListened(this.pool, personId, sessionId)
  }

  listPersonSessions(personId: string): Promise<PersonSession[]> {
    return listPersonSessions(this.pool, personId)
  }

  addPersonKey(personId: string, keyHash: string): Promise<void> {
    return addPersonKey(this.pool, personId, keyHash)
  }

  personKeyState(personId: string, keyHash: string): Promise<'match' | 'mismatch' | 'unknown'> {
    return personKeyState(this.pool, personId, keyHash)
  }

  createTransfer(codeHash: string, transfer: IdentityTransfer, expiresAt: string): Promise<void> {
    return createTransfer(this.pool, codeHash, transfer, expiresAt)
  }

  takeTransfer(codeHash: string): Promise<IdentityTransfer | null> {
    return takeTransfer(this.pool, codeHash)
  }

  countTransfers(personId: string): Promise<number> {
    return countTransfers(this.pool, personId)
  }

  async close(): Promise<void> {}
}

async function readArchive(db: pg.Pool | pg.PoolClient, id: string): Promise<ArchivedSession | null> {
  const { rows } = await db.query<SessionRow & SummaryColumns & { doc_json: string; chat_json: string }>(
    `SELECT ${sessionColumns}, a.archived_at, a.doc_json, a.outcomes_json, a.participants_json, a.chat_json
     FROM archives a JOIN sessions s ON s.id = a.session_id WHERE a.session_id = $1`,
    [id],
  )
  const row = rows[0]
  return row ? { ...toSummary(row), doc: JSON.parse(row.doc_json) as PMJSON, chat: JSON.parse(row.chat_json) as ChatMessage[] } : null
}

/**
 * Turns what a person typed into a safe tsquery: only letters and digits survive (so no tsquery
 * syntax can come from input), every word required, the last one matched as a prefix. Null when
 * there is no word.
 */
export function toTsQuery(input: string): string | null {
  const words = queryWords(input)
  if (words.length === 0) return null
  return words.map((word, index) => (index === words.length - 1 ? `${word}:*` : word)).join(' & ')
}
