/**
 * MetaStore: session metadata. Implementations keep these rules (checked by the contract suite in
 * `test/helpers/contracts/meta-store.contract.ts`):
 * - [MS1] `createSession` stores a new session and returns it; an id already taken throws
 *   `AppError('conflict')`.
 * - [MS2] `getSession` returns the stored session or null.
 * - [MS3] `listSessions` returns sessions ordered by scheduled start (unscheduled last), then
 *   title, optionally filtered by track and state.
 */
import type { Session, SessionState } from '../../shared/api.ts'

/** What a caller provides to create a session; timestamps and state are set by the store. */
export type NewSession = Omit<Session, 'state' | 'createdAt' | 'updatedAt'>

export interface SessionFilter {
  track?: string
  state?: SessionState
}

export interface MetaStore {
  createSession(session: NewSession): Promise<Session>
  getSession(id: string): Promise<Session | null>
  listSessions(filter?: SessionFilter): Promise<Session[]>
  /** Releases resources. Idempotent. */
  close(): Promise<void>
}
