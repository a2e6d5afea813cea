/**
 * Roles and the one rule of who may write what. The server enforces it on every frame; clients
 * use the same function to decide whether their editor is editable.
 */
import type { DocKind } from './doc-name.ts'

export const roles = ['moderator', 'editor', 'viewer'] as const
export type Role = (typeof roles)[number]

/** How a session grants editing: `open` lets anyone with the attendee link edit; `key` needs the attendee secret. */
export const accessModes = ['open', 'key'] as const
export type AccessMode = (typeof accessModes)[number]

/** The parts of a session's live state that decide write access. */
export interface WriteState {
  state: 'scheduled' | 'live' | 'ended'
  locked: boolean
}

/**
 * True when `role` may change the doc of `kind` while the session is in `session`.
 * - Nobody writes an ended session.
 * - The control doc is written by the server alone (moderators change it through the API), so
 *   no connection may write it.
 * - A viewer never writes.
 * - The chat takes writes from moderators and editors, locked or not: the lock is the pad's.
 * - A locked pad takes writes from the moderator only.
 */
export function canWrite(role: Role, kind: DocKind, session: WriteState): boolean {
  if (session.state === 'ended') return false
  if (kind === 'control') return false
  if (role === 'viewer') return false
  if (kind === 'chat') return true
  if (session.locked) return role === 'moderator'
  return true
}

/** Why `canWrite` said no, in words a person reads in the pad. */
export function readOnlyReason(role: Role, session: WriteState): string | null {
  if (session.state === 'ended') return 'This session has ended; the pad is read-only.'
  if (role === 'viewer') return 'You are viewing this pad read-only.'
  if (session.locked && role !== 'moderator') return 'The moderator has locked the pad.'
  return null
}

/** Why `canWrite` said no to the chat, in a few words shown under it; null when `role` may post. */
export function chatReadOnlyReason(role: Role, session: WriteState): string | null {
  if (session.state === 'ended') return 'The session has ended; the chat is closed.'
  if (role === 'viewer') return 'Read-only: posting needs the attendee link.'
  return null
}
