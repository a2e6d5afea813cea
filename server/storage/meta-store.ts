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
 */
import type { Session, SessionState } from '../../shared/api.ts'
import type { SessionCapabilities } from '../auth/capabilities.ts'

/** The fields the moderator's actions change. */
export type SessionLiveFields = Pick<Session, 'state' | 'startedAt' | 'endsAt' | 'endedAt' | 'locked' | 'currentItem'>

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
  /** Releases resources. Idempotent. */
  close(): Promise<void>
}
