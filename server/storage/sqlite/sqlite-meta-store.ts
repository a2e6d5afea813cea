/** MetaStore on the embedded SQLite file (the same file as the SqliteDocStore). */
import type Database from 'better-sqlite3'
import type { Session, SessionState } from '../../../shared/api.ts'
import { AppError } from '../../../shared/errors.ts'
import type { AccessMode } from '../../../shared/roles.ts'
import type { SessionCapabilities } from '../../auth/capabilities.ts'
import type { MetaStore, NewSession, SessionFilter, SessionLiveFields } from '../meta-store.ts'

interface SessionRow {
  id: string
  title: string
  track: string
  room: string
  moderator: string
  scheduled_start: string | null
  duration_minutes: number
  access: AccessMode
  state: SessionState
  started_at: string | null
  ends_at: string | null
  ended_at: string | null
  locked: number
  current_item: string | null
  created_at: string
  updated_at: string
  moderator_key_hash: string
  editor_key_hash: string
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    title: row.title,
    track: row.track,
    room: row.room,
    moderator: row.moderator,
    scheduledStart: row.scheduled_start,
    durationMinutes: row.duration_minutes,
    access: row.access,
    state: row.state,
    startedAt: row.started_at,
    endsAt: row.ends_at,
    endedAt: row.ended_at,
    locked: row.locked === 1,
    currentItem: row.current_item,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

const liveColumns: Record<keyof SessionLiveFields, string> = {
  state: 'state',
  startedAt: 'started_at',
  endsAt: 'ends_at',
  endedAt: 'ended_at',
  locked: 'locked',
  currentItem: 'current_item',
}

export class SqliteMetaStore implements MetaStore {
  constructor(private readonly db: Database.Database) {}

  async createSession(session: NewSession): Promise<Session> {
    const now = new Date().toISOString()
    try {
      this.db
        .prepare(
          `INSERT INTO sessions (id, title, track, room, moderator, scheduled_start, duration_minutes, access,
             moderator_key_hash, editor_key_hash, state, locked, created_at, updated_at)
           VALUES (@id, @title, @track, @room, @moderator, @scheduledStart, @durationMinutes, @access,
             @moderatorKeyHash, @editorKeyHash, 'scheduled', 0, @now, @now)`,
        )
        .run({ ...session, now })
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new AppError('conflict', `a session with id "${session.id}" already exists`)
      }
      throw error
    }
    return (await this.getSession(session.id))!
  }

  async getSession(id: string): Promise<Session | null> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined
    return row ? toSession(row) : null
  }

  async getCapabilities(id: string): Promise<SessionCapabilities | null> {
    const row = this.db.prepare('SELECT access, moderator_key_hash, editor_key_hash FROM sessions WHERE id = ?').get(id) as
      | Pick<SessionRow, 'access' | 'moderator_key_hash' | 'editor_key_hash'>
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

  async updateSession(id: string, patch: Partial<SessionLiveFields>): Promise<Session | null> {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined) as [keyof SessionLiveFields, unknown][]
    const assignments = entries.map(([key]) => `${liveColumns[key]} = @${key}`)
    const values = Object.fromEntries(entries.map(([key, value]) => [key, typeof value === 'boolean' ? Number(value) : value]))
    const result = this.db
      .prepare(`UPDATE sessions SET ${[...assignments, 'updated_at = @updatedAt'].join(', ')} WHERE id = @id`)
      .run({ ...values, id, updatedAt: new Date().toISOString() })
    return result.changes === 0 ? null : this.getSession(id)
  }

  async close(): Promise<void> {}
}
