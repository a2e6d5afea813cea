/**
 * What the SQL MetaStores share: a `sessions` row (and an archive summary row) as a Session, the
 * columns of the live fields, the overdue rule, and the words of a search query. SQLite stores
 * booleans as 0/1, PostgreSQL as booleans; both read through here.
 */
import type { ArchiveSummary, Session, SessionState } from '../../shared/api.ts'
import type { Outcomes } from '../../shared/outcomes.ts'
import { legacyPersonPrefix, withoutPlaceholders, type PresentPerson } from '../../shared/participants.ts'
import type { AccessMode } from '../../shared/roles.ts'
import type { AuditEntry } from '../../shared/organizer.ts'
import type { SessionLiveFields, SessionScheduleFields } from './meta-store.ts'

export interface SessionRow {
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
  locked: boolean | number
  current_item: string | null
  projector_chat: boolean | number
  time_zone: string | null
  join_code: string | null
  recap_mail: boolean | number
  created_at: string
  updated_at: string
}

/** The archive columns a summary is made of (no pad, no chat). */
export interface SummaryColumns {
  archived_at: string
  outcomes_json: string
  participants_json: string
}

export function toSession(row: SessionRow): Session {
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
    locked: Boolean(row.locked),
    currentItem: row.current_item,
    projectorChat: Boolean(row.projector_chat),
    timeZone: row.time_zone ?? null,
    joinCode: row.join_code ?? null,
    recapMail: Boolean(row.recap_mail),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toSummary(row: SessionRow & SummaryColumns): ArchiveSummary {
  return {
    session: toSession(row),
    outcomes: JSON.parse(row.outcomes_json) as Outcomes,
    participants: readParticipantsJson(row.participants_json),
    archivedAt: row.archived_at,
  }
}

/**
 * An archive's `participants_json`: `{"people": [names]}`. Records stored before issue 19 hold a
 * bare array of names that may list a person twice (placeholder and chosen name).
 */
export function participantsJson(names: string[]): string {
  return JSON.stringify({ people: names })
}

/** The names in an archive's `participants_json`, either form (see `participantsJson`). */
export function readParticipantsJson(json: string): string[] {
  const parsed = JSON.parse(json) as string[] | { people: string[] }
  return Array.isArray(parsed) ? withoutPlaceholders(parsed) : parsed.people
}

/**
 * The names of a session's participant rows, in the order given: rows recorded before issue 19
 * (keyed `legacy:`) lose their placeholder names, as `withoutPlaceholders` says.
 */
export function participantNames(rows: PresentPerson[]): string[] {
  const legacy = rows.filter((row) => row.person.startsWith(legacyPersonPrefix)).map((row) => row.name)
  if (legacy.length === 0) return rows.map((row) => row.name)
  const keptLegacy = new Set(withoutPlaceholders([...legacy, ...rows.filter((row) => !row.person.startsWith(legacyPersonPrefix)).map((row) => row.name)]))
  return rows.filter((row) => !row.person.startsWith(legacyPersonPrefix) || keptLegacy.has(row.name)).map((row) => row.name)
}

/** The column of each live field. */
export const liveColumns: Record<keyof SessionLiveFields, string> = {
  state: 'state',
  startedAt: 'started_at',
  endsAt: 'ends_at',
  endedAt: 'ended_at',
  locked: 'locked',
  currentItem: 'current_item',
  projectorChat: 'projector_chat',
  joinCode: 'join_code',
  recapMail: 'recap_mail',
}

/** The column of each schedule field. */
export const scheduleColumns: Record<keyof SessionScheduleFields, string> = {
  title: 'title',
  track: 'track',
  room: 'room',
  moderator: 'moderator',
  scheduledStart: 'scheduled_start',
  durationMinutes: 'duration_minutes',
  timeZone: 'time_zone',
}

/**
 * Of the sessions the query found (live ones ending before `before`, scheduled ones starting
 * before it), those really overdue: a scheduled session only once its whole slot is over.
 */
export function overdue(sessions: Session[], beforeIso: string): Session[] {
  const before = Date.parse(beforeIso)
  return sessions.filter((session) => session.state === 'live' || Date.parse(session.scheduledStart!) + session.durationMinutes * 60_000 < before)
}

/** An `audit_log` row (SQLite and PostgreSQL alike; PostgreSQL's bigint id arrives as a string). */
export interface AuditRow {
  id: number | string
  at: string
  actor_kind: 'token' | 'oidc'
  actor_id: string
  actor_name: string
  action: string
  target: string | null
  details_json: string | null
}

/** An audit row as the API's AuditEntry. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    action: row.action,
    target: row.target,
    details: row.details_json === null ? null : (JSON.parse(row.details_json) as Record<string, unknown>),
  }
}

/** The words of a search query (letters and digits only, so no query syntax survives), at most 20. */
export function queryWords(input: string): string[] {
  return input.toLowerCase().match(/[\p{L}\p{N}]+/gu)?.slice(0, 20) ?? []
}
