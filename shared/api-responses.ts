/**
 * The JSON the API answers with, as zod schemas: the source of the responses in the OpenAPI
 * document (`server/http/openapi.ts`) and of the checks that real answers match it. Each schema
 * sits beside the TypeScript type the code uses (`shared/api.ts` and the services), and the
 * `Same<...>` lines at the bottom fail to compile when the two drift apart.
 */
import { z } from 'zod'
import { httpStatus, type ErrorBody, type ErrorCode } from './errors.ts'
import { accessModes, roles } from './roles.ts'
import { etherpadFormats, sessionStates, type ArchiveHit, type ArchiveSummary, type ArchivedSession, type EtherpadImportSummary, type ImportResult, type Session, type SessionLinks, type SessionView } from './api.ts'
import type { ChatMessage } from './chat.ts'
import type { MySummit } from './my-summit.ts'
import type { Outcomes } from './outcomes.ts'
import { sessionPhases } from './session-phase.ts'

const isoDateTime = z.string().describe('ISO 8601 date-time')

/** A session as the API returns it (`Session`). */
export const sessionSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    track: z.string(),
    room: z.string(),
    moderator: z.string(),
    scheduledStart: isoDateTime.nullable(),
    durationMinutes: z.number().int(),
    access: z.enum(accessModes),
    state: z.enum(sessionStates),
    startedAt: isoDateTime.nullable(),
    endsAt: isoDateTime.nullable(),
    endedAt: isoDateTime.nullable(),
    locked: z.boolean(),
    currentItem: z.string().nullable(),
    projectorChat: z.boolean(),
    timeZone: z.string().nullable().describe('IANA time zone; null: the event time zone'),
    joinCode: z.string().nullable().describe('While live: the code /j/<code> joins by'),
    recapMail: z.boolean(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .meta({ id: 'Session' })

/** `SessionView`: a session with its phase and the caller's role. */
export const sessionViewSchema = sessionSchema
  .extend({
    phase: z.enum(sessionPhases),
    role: z.enum(roles),
  })
  .meta({ id: 'SessionView' })

/** The three links of a new session (`SessionLinks`); their secrets are shown once. */
export const sessionLinksSchema = z.object({ moderator: z.string(), attendee: z.string(), projector: z.string() }).meta({ id: 'SessionLinks' })

/** `EtherpadImportSummary`: what an Etherpad import brought in. */
export const etherpadImportSummarySchema = z
  .object({ format: z.enum(etherpadFormats), lines: z.number(), authors: z.number(), chatMessages: z.number() })
  .meta({ id: 'EtherpadImportSummary' })

/** `Outcomes` of a pad. */
export const outcomesSchema = z
  .object({
    decisions: z.array(z.string()),
    actions: z.array(
      z.object({
        text: z.string(),
        owner: z.string().nullable(),
        due: z.string().nullable(),
        done: z.boolean(),
        source: z.enum(['action', 'task']),
        from: z.object({ sessionId: z.string(), index: z.number().int() }).optional(),
      }),
    ),
  })
  .meta({ id: 'Outcomes' })

/** A ProseMirror document as JSON (`PMJSON`), recursive. */
export const pmJsonSchema: z.ZodType<unknown> = z.looseObject({ type: z.string() }).meta({ id: 'ProseMirrorJSON', description: 'A ProseMirror node as JSON (type, attrs, content, marks, text)' })

/** A chat message (`ChatMessage`). */
export const chatMessageSchema = z
  .object({ id: z.string(), authorId: z.string(), name: z.string(), color: z.string(), text: z.string(), time: z.number() })
  .meta({ id: 'ChatMessage' })

/** `ArchiveSummary`: an ended session's archive entry. */
export const archiveSummarySchema = z
  .object({ session: sessionSchema, outcomes: outcomesSchema, participants: z.array(z.string()), archivedAt: isoDateTime })
  .meta({ id: 'ArchiveSummary' })

/** `ArchivedSession`: the whole archive record. */
export const archivedSessionSchema = archiveSummarySchema.extend({ doc: pmJsonSchema, chat: z.array(chatMessageSchema) }).meta({ id: 'ArchivedSession' })

/** `ArchiveHit`: one full-text search result. */
export const archiveHitSchema = archiveSummarySchema.extend({ snippet: z.string() }).meta({ id: 'ArchiveHit' })

/** One revision of a pad as `/revisions` lists it. */
export const revisionSchema = z
  .object({
    rev: z.number().int(),
    createdAt: isoDateTime,
    reason: z.string(),
    authors: z.array(z.object({ id: z.string(), name: z.string(), color: z.string() })),
    snapshot: z.string().describe('Y.encodeSnapshot bytes, base64'),
  })
  .meta({ id: 'Revision' })

/** The answer of a schedule import. */
export const importResultSchema = z
  .object({
    dryRun: z.boolean(),
    timeZone: z.string().describe('The event time zone (IANA) the times were read in'),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    skipped: z.number().int(),
    sessions: z.array(
      z.object({
        id: z.string(),
        line: z.number().int(),
        title: z.string(),
        outcome: z.enum(['created', 'updated', 'unchanged', 'skipped']),
        reason: z.string().optional(),
        changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })).optional(),
        links: sessionLinksSchema.optional(),
      }),
    ),
  })
  .meta({ id: 'ImportResult' })

/**
 * One webhook or recap-mail delivery as organizers see it (`GET /api/organizer/deliveries`,
 * issue 20): what it is, where it goes (the endpoint's name or the list address, never a URL),
 * its status and last attempt. The body itself is not shown.
 */
export const deliverySchema = z
  .object({
    id: z.string(),
    channel: z.enum(['webhook', 'mail']),
    target: z.string(),
    event: z.string(),
    status: z.enum(['pending', 'delivered', 'dead']),
    attempts: z.number().int(),
    createdAt: isoDateTime,
    resentAt: isoDateTime.nullable(),
    nextAttemptAt: isoDateTime.nullable(),
    lastAttemptAt: isoDateTime.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: isoDateTime.nullable(),
  })
  .meta({ id: 'Delivery' })
export type Delivery = z.infer<typeof deliverySchema>

/** Every error: `{ error: { code, message } }`; the codes are those of `shared/errors.ts`. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(httpStatus) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' })

/** `/healthz`: `ok` with 200, or `degraded` with 503 when the store or the bus is down. */
export const healthSchema = z.looseObject({
  status: z.enum(['ok', 'degraded']),
  store: z.object({ kind: z.string(), status: z.enum(['up', 'down']) }),
  bus: z.object({ kind: z.string(), status: z.enum(['up', 'down']) }),
})

/** `MySummit` (issue 20 part 4): a person's sessions by track and day, with decisions and their own actions. */
export const mySummitSchema = z
  .object({
    personId: z.string(),
    names: z.array(z.string()),
    timeZone: z.string(),
    tracks: z.array(
      z.object({
        track: z.string(),
        days: z.array(
          z.object({
            day: z.string(),
            sessions: z.array(
              z.object({
                session: sessionSchema.pick({ id: true, title: true, track: true, room: true, state: true, scheduledStart: true, startedAt: true, endedAt: true }),
                tookPart: z.boolean(),
                listened: z.boolean(),
                decisions: z.array(z.string()),
                actions: outcomesSchema.shape.actions,
              }),
            ),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'MySummit' })

// Compile-time: each schema describes exactly its TypeScript type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameTypes: [
  Same<z.infer<typeof sessionSchema>, Session>,
  Same<z.infer<typeof sessionViewSchema>, SessionView>,
  Same<z.infer<typeof sessionLinksSchema>, SessionLinks>,
  Same<z.infer<typeof etherpadImportSummarySchema>, EtherpadImportSummary>,
  Same<z.infer<typeof outcomesSchema>, Outcomes>,
  Same<z.infer<typeof chatMessageSchema>, ChatMessage>,
  Same<Omit<z.infer<typeof archiveSummarySchema>, never>, ArchiveSummary>,
  Same<Omit<z.infer<typeof archivedSessionSchema>, 'doc'>, Omit<ArchivedSession, 'doc'>>,
  Same<z.infer<typeof archiveHitSchema>, ArchiveHit>,
  Same<z.infer<typeof errorBodySchema>['error']['code'], ErrorBody['error']['code']>,
  Same<z.infer<typeof importResultSchema>, ImportResult>,
  Same<z.infer<typeof mySummitSchema>, MySummit>,
] = [true, true, true, true, true, true, true, true, true, true, true, true]
void sameTypes
