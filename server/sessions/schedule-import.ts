/**
 * Schedule import: an organiser's CSV or iCalendar schedule becomes sessions in one step. Every
 * row is checked first and any bad row refuses the whole import (400, every problem with its
 * line). New entries become sessions with readable, stable ids (`<event>-<track>-<title>`), their
 * pad seeded from the template with the description, and fresh keys returned once; entries whose
 * session exists already only have their schedule fields updated (pads untouched), and the
 * result says what changed. If creating fails half-way, the sessions created by this import are
 * removed again, so nothing half-imported stays behind.
 */
import { z } from 'zod'
import type { Session, SessionLinks } from '../../shared/api.ts'
import { formatDocName } from '../../shared/doc-name.ts'
import { AppError } from '../../shared/errors.ts'
import { scheduleFormats, scheduleIds, slugify, type ScheduleEntry } from '../../shared/schedule/schedule.ts'
import { sessionTemplate } from '../../shared/template.ts'
import { hashSecret, mintSecret } from '../auth/capabilities.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { MetaStore, SessionScheduleFields } from '../storage/meta-store.ts'
import type { Logger } from '../sync/logger.ts'
import { encodeControlSeed } from './control-doc.ts'
import { encodePadSeed } from './pad-seed.ts'
import { parseBody } from './parse-body.ts'
import { parseScheduleInWorker } from '../workers/heavy-work.ts'

/** Largest schedule file accepted, in characters. */
export const maxScheduleChars = 2 * 1024 * 1024

export const importScheduleBody = z
  .object({
    event: z.string().trim().min(1).max(80).refine((event) => slugify(event, 16) !== '', 'event needs a letter or digit'),
    format: z.enum(scheduleFormats),
    content: z.string().max(maxScheduleChars, `content is longer than ${maxScheduleChars} characters`),
    dryRun: z.boolean().default(false),
  })
  .strict()

export interface ImportedSession {
  id: string
  line: number
  title: string
  outcome: 'created' | 'updated' | 'unchanged'
  /** For `updated`: each changed field, old and new. */
  changes?: Record<string, { from: unknown; to: unknown }>
  /** For `created` (and not a dry run): the three links, keys included, shown once. */
  links?: SessionLinks
}

export interface ImportResult {
  dryRun: boolean
  created: number
  updated: number
  unchanged: number
  sessions: ImportedSession[]
}

export async function importSchedule(meta: MetaStore, docs: DocStore, logger: Logger, input: unknown): Promise<ImportResult> {
  const body = parseBody(importScheduleBody, input)
  // Parsing runs in a worker with item, time and memory limits (issue 15: a 2 MiB iCalendar file
  // kept the event loop for 7.5 minutes).
  const parsed = await parseScheduleInWorker(body.format, body.content)
  if (parsed.problemCount > 0) {
    const shown = parsed.problems.length < parsed.problemCount ? ` (the first ${parsed.problems.length} are listed)` : ''
    throw new AppError('invalid_body', `the schedule has ${parsed.problemCount} bad row(s)${shown}; nothing was imported`, { problems: parsed.problems })
  }
  const ids = scheduleIds(body.event, parsed.entries)
  const plan: { entry: ScheduleEntry; id: string; existing: Session | null }[] = []
  for (const [i, entry] of parsed.entries.entries()) {
    if (i % 50 === 49) await nextTurn()
    plan.push({ entry, id: ids[i]!, existing: await meta.getSession(ids[i]!) })
  }
  const sessions: ImportedSession[] = []
  const created: string[] = []
  try {
    for (const { entry, id, existing } of plan) {
      await nextTurn()
      const fields = scheduleFields(entry)
      if (!existing) {
        sessions.push({ id, line: entry.line, title: entry.title, outcome: 'created', ...(body.dryRun ? {} : { links: await create(meta, docs, id, entry, fields) }) })
        if (!body.dryRun) created.push(id)
        continue
      }
      const changes = diff(existing, fields)
      if (Object.keys(changes).length === 0) {
        sessions.push({ id, line: entry.line, title: entry.title, outcome: 'unchanged' })
        continue
      }
      if (!body.dryRun) await meta.updateSchedule(id, fields)
      sessions.push({ id, line: entry.line, title: entry.title, outcome: 'updated', changes })
    }
  } catch (error) {
    // Take back what this import created; updates are idempotent and reported on the next try.
    for (const id of created) await remove(meta, docs, id).catch(() => {})
    logger.error({ err: error, created: created.length }, 'schedule import failed; created sessions removed')
    throw error
  }
  const count = (outcome: ImportedSession['outcome']) => sessions.filter((session) => session.outcome === outcome).length
  logger.info({ event: body.event, created: count('created'), updated: count('updated'), dryRun: body.dryRun }, 'schedule imported')
  return { dryRun: body.dryRun, created: count('created'), updated: count('updated'), unchanged: count('unchanged'), sessions }
}

/**
 * Resolves on the event loop's next turn. SQLite calls resolve at once, so without it a
 * 2,000-session import would run as one long chain of microtasks with no request served in
 * between (issue 15: the event loop is given back between slices of work).
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

function scheduleFields(entry: ScheduleEntry): SessionScheduleFields {
  return { title: entry.title, track: entry.track, room: entry.room, moderator: entry.moderator, scheduledStart: entry.start, durationMinutes: entry.durationMinutes }
}

function diff(session: Session, fields: SessionScheduleFields): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {}
  for (const [key, value] of Object.entries(fields) as [keyof SessionScheduleFields, unknown][]) {
    if (session[key] !== value) changes[key] = { from: session[key], to: value }
  }
  return changes
}

async function create(meta: MetaStore, docs: DocStore, id: string, entry: ScheduleEntry, fields: SessionScheduleFields): Promise<SessionLinks> {
  const moderatorKey = mintSecret()
  const editorKey = mintSecret()
  const session = await meta.createSession({ id, ...fields, access: 'open', moderatorKeyHash: hashSecret(moderatorKey), editorKeyHash: hashSecret(editorKey) })
  await docs.append(id, encodePadSeed(sessionTemplate({ description: entry.description })))
  await docs.append(formatDocName({ sessionId: id, kind: 'control' }), encodeControlSeed(session))
  const base = `/s/${id}`
  return { moderator: `${base}#key=${moderatorKey}`, attendee: base, projector: `${base}/projector` }
}

async function remove(meta: MetaStore, docs: DocStore, id: string): Promise<void> {
  await meta.deleteSession(id)
  await docs.delete(id)
  await docs.delete(formatDocName({ sessionId: id, kind: 'control' }))
}
