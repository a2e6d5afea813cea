/** MetaStore on the embedded SQLite file (the same file as the SqliteDocStore). */
import type Database from 'better-sqlite3'
import type { Session, SessionState } from '../../../shared/api.ts'
import { AppError } from '../../../shared/errors.ts'
import type { MetaStore, NewSession, SessionFilter } from '../meta-store.ts'

interface SessionRow {
  id: string
  title: string
  track: string
  room: string
  moderator: string
  scheduled_start: string | null
  duration_minutes: number
  state: SessionState
  created_at: string
  updated_at: string
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
    state: row.state,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export class SqliteMetaStore implements MetaStore {
  constructor(private readonly db: Database.Database) {}

  async createSession(session: NewSession): Promise<Session> {
    const now = new Date().toISOString()
    try {
      this.db
        .prepare(
          `INSERT INTO sessions (id, title, track, room, moderator, scheduled_start, duration_minutes, state, created_at, updated_at)
           VALUES (@id, @title, @track, @room, @moderator, @scheduledStart, @durationMinutes, 'scheduled', @now, @now)`,
        )
        .run({ ...session, now })
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new AppError('conflict', `a session with id "${session.id}" already exists`)
      }
      throw error
    }
    return { ...session, state: 'scheduled', createdAt: now, updatedAt: now }
  }

  async getSession(id: string): Promise<Session | null> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined
    return row ? toSession(row) : null
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

  async close(): Promise<void> {}
}
