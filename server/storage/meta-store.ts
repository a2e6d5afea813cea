/**
 * MetaStore: session metadata and capability hashes. Implementations keep these rules (checked by
 * the contract suite in `test/helpers/contracts/meta-store.contract.ts`):
 * - [MS1] `createSession` stores a new session and returns it; an id already taken throws
 *   `AppError('conflict')`.
 * - [MS2] `getSession` returns the stored session or null.
 * - [MS3] `listSessions` returns sessions ordered by scheduled start (unscheduled last), then
 *   title, optionally filtered by track and state.
 * - [MS4] `getCapabilities` returns the access mode and key hashes given at creation; they never
 *   appear in a Session.
 * - [MS5] `updateSession` changes only the given live fields, bumps `updatedAt`, and returns the
 *   updated session; an unknown id returns null.
 * - [MS6] `saveArchive` stores (or replaces) a session's archive record; `getArchive` returns it,
 *   `listArchives` returns every record's summary.
 * - [MS7] `searchArchive` finds archived sessions whose pad text or title contains every word of
 *   the query (prefix match on the last word), best first, with a marked snippet; it never
 *   finds a session that is not archived, and any query string is safe (no syntax errors).
 * - [MS8] `addParticipants` records names once per session; `listParticipants` returns them in
 *   the order first seen.
 * - [MS9] `deleteSession` removes the session, its participants and its archive record.
 * - [MS10] `updateSchedule` changes only the given schedule fields (title, track, room, moderator,
 *   start, duration), bumps `updatedAt`, and returns the session; an unknown id returns null.
 */
import type { ArchiveHit, ArchiveSummary, ArchivedSession, Session, SessionState } from '../../shared/api.ts'
import type { SessionCapabilities } from '../auth/capabilities.ts'

/** The fields the moderator's actions change. */
export type SessionLiveFields = Pick<Session, 'state' | 'startedAt' | 'endsAt' | 'endedAt' | 'locked' | 'currentItem' | 'projectorChat'>

/** The fields a schedule import sets. */
export type SessionScheduleFields = Pick<Session, 'title' | 'track' | 'room' | 'moderator' | 'scheduledStart' | 'durationMinutes'>

/** What a caller provides to create a session; live fields and timestamps are set by the store. */
export type NewSession = Omit<Session, keyof SessionLiveFields | 'createdAt' | 'updatedAt'> & SessionCapabilities

export interface SessionFilter {
  track?: string
  state?: SessionState
}

export interface MetaStore {
  createSession(session: NewSession): Promise<Session>
  getSession(id: string): Promise<Session | null>
  getCapabilities(id: string): Promise<SessionCapabilities | null>
  listSessions(filter?: SessionFilter): Promise<Session[]>
  updateSession(id: string, patch: Partial<SessionLiveFields>): Promise<Session | null>
  /** Changes a session's schedule fields [MS10]. */
  updateSchedule(id: string, patch: Partial<SessionScheduleFields>): Promise<Session | null>
  /** Stores the record (pad, outcomes, participants, chat) with `text` (the pad as plain text) indexed for search. */
  saveArchive(record: Omit<ArchivedSession, 'session' | 'archivedAt'> & { sessionId: string; text: string }): Promise<void>
  getArchive(id: string): Promise<ArchivedSession | null>
  listArchives(): Promise<ArchiveSummary[]>
  searchArchive(query: string, limit?: number): Promise<ArchiveHit[]>
  addParticipants(id: string, names: string[]): Promise<void>
  listParticipants(id: string): Promise<string[]>
  /** Sessions still live (or scheduled) whose end is before `beforeIso`, for auto-ending. */
  listOverdue(beforeIso: string): Promise<Session[]>
  deleteSession(id: string): Promise<boolean>
  /** Releases resources. Idempotent. */
  close(): Promise<void>
}
