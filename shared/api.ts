/**
 * Bodies and responses of the JSON API under `/api`, as zod schemas with inferred types. The
 * server validates every request body with these; the client uses the types.
 */
import { z } from 'zod'
import { accessModes, type AccessMode, type Role } from './roles.ts'
import type { ChatMessage } from './chat.ts'
import type { Outcomes } from './outcomes.ts'
import { sessionStates, type SessionPhase, type SessionState } from './session-phase.ts'
import type { PMJSON } from './template.ts'
import { isTimeZone } from './time-zone.ts'

export { sessionStates, type SessionState }

const trimmed = (max: number) => z.string().trim().max(max)

/** `POST /api/sessions` body. */
export const createSessionBody = z
  .object({
    title: trimmed(200).min(1, 'title is required'),
    track: trimmed(100).default(''),
    room: trimmed(100).default(''),
    moderator: trimmed(100).default(''),
    /** ISO 8601 date-time with offset; absent means "not scheduled yet". */
    scheduledStart: z.iso.datetime({ offset: true }).nullable().default(null),
    /** @default 40 */
    durationMinutes: z.number().int().min(5).max(24 * 60).default(40),
    description: trimmed(2000).default(''),
    /** IANA time zone its times are shown in; absent: the event's. */
    timeZone: z.string().refine(isTimeZone, 'timeZone is not an IANA time zone name (e.g. Asia/Hong_Kong)').optional(),
    /** `open`: anyone with the attendee link edits (the summit default); `key`: editing needs the attendee secret. */
    access: z.enum(accessModes).default('open'),
    /** A prepared agenda (Markdown or plain text) to start the pad from instead of the template. */
    content: z.string().optional(),
    contentFormat: z.enum(['markdown', 'text']).default('markdown'),
    /** The id of the earlier session this one continues: its open action items start this pad (issue 20). */
    follows: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'follows must be a session id').optional(),
  })
  .strict()
export type CreateSessionBody = z.input<typeof createSessionBody>

/** The file formats of `POST /api/sessions/etherpad`: Etherpad's own `.etherpad` export, its HTML or its text export. */
export const etherpadFormats = ['etherpad', 'html', 'text'] as const
export type EtherpadFormat = (typeof etherpadFormats)[number]

/**
 * `POST /api/sessions/etherpad` query: the new session's fields (as `POST /api/sessions` takes
 * them, numbers as text) and the file's format (guessed from its first character when absent:
 * `{` an `.etherpad` file, `<` HTML, else text). The body is the file itself.
 */
export const etherpadImportQuery = z
  .object({
    title: trimmed(200).min(1, 'title is required'),
    track: trimmed(100).optional(),
    room: trimmed(100).optional(),
    moderator: trimmed(100).optional(),
    scheduledStart: z.string().optional(),
    durationMinutes: z.coerce.number().optional(),
    access: z.enum(accessModes).optional(),
    /** IANA time zone its times are shown in; absent: the event's (checked as `POST /api/sessions` checks it). */
    timeZone: z.string().optional(),
    format: z.enum(etherpadFormats).optional(),
  })
  .strict()
export type EtherpadImportQuery = z.input<typeof etherpadImportQuery>

/** What an Etherpad import brought into the new session. */
export interface EtherpadImportSummary {
  format: EtherpadFormat
  lines: number
  /** Authors of the pad's text and chat, each now a pad author with their name and colour. */
  authors: number
  chatMessages: number
}

/** A session as the API returns it. */
export interface Session {
  id: string
  title: string
  track: string
  room: string
  moderator: string
  /** ISO 8601, or null when not scheduled. */
  scheduledStart: string | null
  durationMinutes: number
  access: AccessMode
  state: SessionState
  /** ISO 8601 of the moderator's start, or null. */
  startedAt: string | null
  /** ISO 8601 of the countdown's end (absolute server time), or null before the start. */
  endsAt: string | null
  /** ISO 8601 of the end, or null while not ended. */
  endedAt: string | null
  /** Only the moderator may write while locked. */
  locked: boolean
  /** Id of the current agenda item, or null. */
  currentItem: string | null
  /** The projector shows the chat (the moderator's `show-chat` / `hide-chat`). */
  projectorChat: boolean
  /**
   * The IANA time zone its times are shown in ("Asia/Hong_Kong"), set by the schedule import or
   * the session form; null for sessions made before there was one: the event's (`GET /api/event`).
   */
  timeZone: string | null
  /**
   * While live: the short code that `/j/<code>` leads to the attendee link by (4 characters of
   * `ABCDEFGHJKMNPQRSTUVWXYZ23456789`), unique among live sessions; null before the start and
   * after the end.
   */
  joinCode: string | null
  /**
   * The recap mail goes to the track's list when the session ends (issue 20); the moderator's
   * `recap-off` / `recap-on` change it before the end. New sessions: on.
   */
  recapMail: boolean
  createdAt: string
  updatedAt: string
}

/** A session as `GET /api/sessions/:id` returns it: with the phase and the caller's role. */
export interface SessionView extends Session {
  phase: SessionPhase
  /** The role the presented secret (or none) grants. */
  role: Role
}

/** The three links of a new session; the secrets in them are shown this once. */
export interface SessionLinks {
  /** Carries the moderator secret in its fragment. */
  moderator: string
  /** Editing link (carries the attendee secret in `key` sessions). */
  attendee: string
  /** Read-only projector view. */
  projector: string
}

/** `POST /api/sessions/:id/extend` body: minutes to add (negative removes). */
export const extendBody = z.object({ minutes: z.number().int().min(-240).max(240).refine((m) => m !== 0, 'minutes must not be 0') }).strict()

/** `POST /api/sessions/:id/current` body: an agenda item by id, or a step from the current one. */
export const currentBody = z.union([
  z.object({ itemId: z.string().min(1).max(64) }).strict(),
  z.object({ step: z.union([z.literal(1), z.literal(-1)]) }).strict(),
])
export type CurrentBody = z.infer<typeof currentBody>

/** `GET /api/sessions` query. */
export const listSessionsQuery = z
  .object({
    track: z.string().max(100).optional(),
    state: z.enum(sessionStates).optional(),
  })
  .strict()

/** An ended session's archive entry as `/api/archive` lists it. */
export interface ArchiveSummary {
  session: Session
  outcomes: Outcomes
  /** Everyone who was present in the pad, by name. */
  participants: string[]
  archivedAt: string
}

/** The whole archive record of one session: the frozen final pad as ProseMirror JSON, and the chat. */
export interface ArchivedSession extends ArchiveSummary {
  doc: PMJSON
  /** The session chat's messages in order (well-formed ones only). */
  chat: ChatMessage[]
}

export { snippetEnd, snippetStart } from './snippet-marks.ts'

/** One full-text search result, best first. */
export interface ArchiveHit extends ArchiveSummary {
  /** Text around the matches, each match between `snippetStart` and `snippetEnd`. */
  snippet: string
}

/** `POST /api/sessions` may carry a prepared agenda to start the pad from instead of the template. */
export const importFormats = ['markdown', 'text'] as const
export type ImportFormat = (typeof importFormats)[number]

/** `GET /api/sessions/:id/export` formats. */
export const exportFormats = ['md', 'html', 'txt', 'json'] as const
export type ExportFormat = (typeof exportFormats)[number]

/** What the import did (or, in a dry run, would do) with one entry. */
export interface ImportedSession {
  id: string
  line: number
  title: string
  outcome: 'created' | 'updated' | 'unchanged' | 'skipped'
  /** For `skipped`: why the session was left as it is. */
  reason?: string
  /** For `updated`: each changed field, old and new. */
  changes?: Record<string, { from: unknown; to: unknown }>
  /** For `created` (and not a dry run): the three links, keys included, shown once. */
  links?: SessionLinks
}

/** The answer of `POST /api/schedule/import`: counts per outcome and every entry's outcome. */
export interface ImportResult {
  dryRun: boolean
  /** The event's time zone the times were read in (and, unless a dry run, set to). */
  timeZone: string
  created: number
  updated: number
  unchanged: number
  /** Matched sessions left alone because they are live or ended. */
  skipped: number
  sessions: ImportedSession[]
}
