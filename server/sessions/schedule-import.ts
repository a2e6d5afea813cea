/**
 * Schedule import: an organizer's CSV or iCalendar schedule becomes sessions in one step. Every
 * row is checked first and any bad row refuses the whole import (400, every problem with its
 * line). New entries become sessions with readable ids (`<event>-<track>-<title>` when free),
 * their pad seeded from the template with the description, and fresh keys returned once.
 *
 * A re-import matches existing sessions only by what an earlier import of the same event stored
 * on them (the event and the entry's track/title key), never by id, so no schedule can reach a
 * session it did not create (issue 15: a title that slugged to nothing let `event=<any id>`
 * rewrite any session; since issue 19 such a title is keyed by a hash of it, never by nothing).
 * Matched sessions only have their schedule fields updated (pads untouched); live and ended ones
 * are left as they are (`skipped`). An entry whose new slot would be over before the auto-end
 * job's grace (the job would end a session its moderator never started) is refused with 422 and
 * its line.
 * If creating fails half-way, the sessions created by this import are removed again, each whole
 * (row, pad, control doc, chat: session-records.ts).
 *
 * A CSV row may name, in its `etherpad` column, an Etherpad export uploaded with the schedule
 * (`etherpadFiles`, by file name): a session created from that row starts from the imported pad,
 * its authors and chat (server/sessions/etherpad-seed.ts) instead of the template. Every named
 * file is read (in the Etherpad worker) before anything is created, in a dry run too; a missing or
 * unreadable file refuses the whole import with 422 and the lines that name it. Matched sessions
 * keep their pads: the column only seeds new ones.
 */
import { z } from 'zod'
import type { ImportedSession, ImportResult, Session } from '../../shared/api.ts'
import { randomSessionId } from '../../shared/doc-name.ts'
import { AppError } from '../../shared/errors.ts'
import { isTimeZone } from '../../shared/time-zone.ts'
import { entryKey, scheduleFormats, scheduleIds, scheduleKeys, slugify, textHash, type ScheduleEntry } from '../../shared/schedule/schedule.ts'
import { sessionTemplate } from '../../shared/template.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { MetaStore, SessionScheduleFields } from '../storage/meta-store.ts'
import type { Logger } from '../observability/log.ts'
import { parseBody } from './parse-body.ts'
import { deleteSessionRecords, mintSessionKeys, seedSessionDocs, sessionLinks } from './session-records.ts'
import { etherpadSeedsInWorker, parseScheduleInWorker } from '../workers/heavy-work.ts'
import { detectEtherpadFormat, etherpadFormatOfName } from './etherpad-format.ts'
import type { EtherpadSeeds } from './etherpad-seed.ts'
import type { OutcomeEvents } from '../outbox/outcome-events.ts'
import type { FollowUps } from './follow-ups.ts'
import { isSessionId } from '../../shared/doc-name.ts'
import { maxFollowChain } from '../../shared/follow-up.ts'

/** Largest schedule file accepted, in characters. */
export const maxScheduleChars = 2 * 1024 * 1024

/** Most Etherpad files one schedule import may carry. @default 100 */
export const maxScheduleEtherpads = 100

/** `POST /api/schedule/import` body. */
export const importScheduleBody = z
  .object({
    event: z.string().trim().min(1).max(80),
    format: z.enum(scheduleFormats),
    content: z.string().max(maxScheduleChars, `content is longer than ${maxScheduleChars} characters`),
    dryRun: z.boolean().default(false),
    /**
     * The event's IANA time zone ("Asia/Hong_Kong"): times without an offset are read in it, and
     * it becomes the event's zone. Absent: an iCalendar file's TZID, else the event's zone so far.
     */
    timeZone: z.string().refine(isTimeZone, 'timeZone is not an IANA time zone name (e.g. Asia/Hong_Kong, Europe/Berlin, UTC)').optional(),
    /** Etherpad exports named by the schedule's `etherpad` column, by file name. */
    etherpadFiles: z
      .record(z.string().min(1).max(200), z.string())
      .default({})
      .refine((files) => Object.keys(files).length <= maxScheduleEtherpads, `at most ${maxScheduleEtherpads} Etherpad files per schedule`),
  })
  .strict()

/** The import's rules that come from the configuration. */
export interface ImportOptions {
  /** Links follow-ups named in the `follows` column (issue 20); without it the column is refused. */
  followUps?: Pick<FollowUps, 'link'>
  /** The auto-end job's grace (AUTO_END_AFTER_MINUTES); 0: no auto-end, any slot may be in the past. */
  autoEndAfterMinutes: number
  /** The event's zone when none was ever set (EVENT_TIME_ZONE). @default 'UTC' */
  defaultTimeZone?: string
  /** @default Date.now() */
  now?: number
  /**
   * Webhooks (issue 20): `session.updated` for each session whose schedule changed, written with
   * the change; `schedule.imported` once the import is done. `written` is told after each.
   */
  outcomes?: { events: OutcomeEvents; written: () => void }
}

/** Longest event slug a session remembers (the id keeps its words up to 24 characters, see eventSlug). */
const maxEventRefChars = 80

/**
 * Runs one import (see the module comment). Throws `invalid_body` (400) for unreadable rows,
 * `unprocessable` (422) for entries that cannot be imported safely, with `details.problems`.
 */
export async function importSchedule(meta: MetaStore, docs: DocStore, logger: Logger, input: unknown, options: ImportOptions): Promise<ImportResult> {
  const body = parseBody(importScheduleBody, input)
  // An event named without a-z or 0-9 (all Chinese) is remembered by a hash of its name.
  const eventRef = slugify(body.event, maxEventRefChars) || `e-${textHash(body.event)}`
  // Parsing runs in a worker with item, time and memory limits (issue 15: a 2 MiB iCalendar file
  // kept the event loop for 7.5 minutes).
  const readZone = body.timeZone ?? (await meta.getEventTimeZone()) ?? options.defaultTimeZone ?? 'UTC'
  const parsed = await parseScheduleInWorker(body.format, body.content, readZone)
  // An iCalendar file's own TZID names the event's zone unless the organizer chose one.
  const timeZone = body.timeZone ?? parsed.timeZone ?? readZone
  if (parsed.problemCount > 0) {
    const shown = parsed.problems.length < parsed.problemCount ? ` (the first ${parsed.problems.length} are listed)` : ''
    throw new AppError('invalid_body', `the schedule has ${parsed.problemCount} bad row(s)${shown}; nothing was imported`, { problems: parsed.problems })
  }
  // Keys are never empty: a title with no a-z or 0-9 is keyed by a hash of it (issue 15 refused
  // such titles because an empty key could match another session; issue 19 imports them).
  const keys = scheduleKeys(parsed.entries)
  const readableIds = scheduleIds(body.event, parsed.entries)
  const plan: { entry: ScheduleEntry; key: string; readableId: string; existing: Session | null }[] = []
  for (const [i, entry] of parsed.entries.entries()) {
    if (i % 50 === 49) await nextTurn()
    plan.push({ entry, key: keys[i]!, readableId: readableIds[i]!, existing: await meta.findImported(eventRef, keys[i]!) })
  }
  const follows = await resolveFollows(meta, eventRef, plan.map(({ entry }) => entry), options)
  const now = options.now ?? Date.now()
  const overdue = plan.filter(({ entry, existing }) => {
    if (options.autoEndAfterMinutes <= 0 || (existing && existing.state !== 'scheduled')) return false
    if (existing && existing.scheduledStart === entry.start && existing.durationMinutes === entry.durationMinutes) return false
    return Date.parse(entry.start) + (entry.durationMinutes + options.autoEndAfterMinutes) * 60_000 < now
  })
  if (overdue.length > 0) {
    const problems = overdue.map(({ entry }) => ({
      line: entry.line,
      message: `the slot (${entry.start}, ${entry.durationMinutes} min) ended more than ${options.autoEndAfterMinutes} min ago: the session would be ended automatically before anyone could run it`,
    }))
    throw new AppError('unprocessable', `${problems.length} entr${problems.length === 1 ? 'y is' : 'ies are'} already over; nothing was imported`, { problems })
  }
  const padSeeds = await readEtherpads(plan.filter(({ existing }) => !existing).map(({ entry }) => entry), body.etherpadFiles)
  const sessions: ImportedSession[] = []
  const created: string[] = []
  try {
    for (const { entry, key, readableId, existing } of plan) {
      await nextTurn()
      const fields = scheduleFields(entry, timeZone)
      if (!existing) {
        if (body.dryRun) {
          sessions.push({ id: readableId, line: entry.line, title: entry.title, outcome: 'created' })
          continue
        }
        // The readable id may belong to a session this event did not import: never touch it.
        const id = (await meta.getSession(readableId)) ? randomSessionId() : readableId
        const keys = mintSessionKeys()
        const session = await meta.createSession({ id, ...fields, access: 'open', ...keys.hashes, importRef: { event: eventRef, key } })
        // From here on the session is this import's to take back, seeded or not.
        created.push(id)
        // A row naming an Etherpad export starts from its pad, authors and chat; any other from the template.
        const etherpad = entry.etherpad ? padSeeds.get(entry.etherpad) : undefined
        await seedSessionDocs(docs, session, etherpad ?? { pad: (await import('./pad-seed.ts')).encodePadSeed(sessionTemplate({ description: entry.description })) })
        const links = sessionLinks(id, 'open', keys)
        sessions.push({ id, line: entry.line, title: entry.title, outcome: 'created', links })
        continue
      }
      const id = existing.id
      if (existing.state !== 'scheduled') {
        sessions.push({ id, line: entry.line, title: entry.title, outcome: 'skipped', reason: `the session is ${existing.state}; its moderator runs it now` })
        continue
      }
      const changes = diff(existing, fields)
      if (Object.keys(changes).length === 0) {
        sessions.push({ id, line: entry.line, title: entry.title, outcome: 'unchanged' })
        continue
      }
      const events = options.outcomes?.events
      if (!body.dryRun) {
        await meta.updateSchedule(id, fields, events?.enabled ? (changed) => events.sessionUpdated(changed, changes) : undefined)
        options.outcomes?.written()
      }
      sessions.push({ id, line: entry.line, title: entry.title, outcome: 'updated', changes })
    }
    // Links go in once every session exists; an entry left alone (live or ended) keeps its links.
    if (!body.dryRun) {
      for (const [i, target] of follows) {
        if (sessions[i]!.outcome === 'skipped') continue
        await options.followUps!.link(sessions[i]!.id, typeof target === 'number' ? sessions[target]!.id : target)
      }
    }
  } catch (error) {
    // Take back what this import created; updates are idempotent and reported on the next try.
    for (const id of created) {
      await deleteSessionRecords(meta, docs, id).catch((removeError: unknown) => logger.error({ err: removeError, sessionId: id }, 'removing a session of the failed import failed; delete it by hand'))
    }
    logger.error({ err: error, created: created.length }, 'schedule import failed; created sessions removed')
    throw error
  }
  if (!body.dryRun) await meta.setEventTimeZone(timeZone)
  const count = (outcome: ImportedSession['outcome']) => sessions.filter((session) => session.outcome === outcome).length
  logger.info({ event: body.event, timeZone, created: count('created'), updated: count('updated'), skipped: count('skipped'), dryRun: body.dryRun }, 'schedule imported')
  const events = options.outcomes?.events
  if (events?.enabled && !body.dryRun) {
    // The sessions are written by now; a crash before this line loses only this summary event
    // (each session.updated was written with its change).
    const summary = { event: body.event, created: count('created'), updated: count('updated'), unchanged: count('unchanged'), skipped: count('skipped'), sessions: sessions.map(({ id, title, outcome }) => ({ id, title, outcome })) }
    await meta.enqueue(events.scheduleImported(summary, Date.now()))
    options.outcomes!.written()
  }
  return { dryRun: body.dryRun, timeZone, created: count('created'), updated: count('updated'), unchanged: count('unchanged'), skipped: count('skipped'), sessions }
}

/**
 * The earlier session of each entry with a `follows` value (by entry index): another entry of
 * this schedule (an index) named by its title, in the entry's own track first, then in any track
 * when only one entry has that title; else a session an earlier import of this event made under
 * that title in the entry's track; else an existing session named by its id. Throws
 * `unprocessable` with every line whose value names nothing, itself, or closes a loop of entries.
 */
async function resolveFollows(meta: MetaStore, eventRef: string, entries: ScheduleEntry[], options: ImportOptions): Promise<Map<number, number | string>> {
  const resolved = new Map<number, number | string>()
  if (!entries.some((entry) => entry.follows !== '')) return resolved
  const problems: { line: number; message: string }[] = []
  if (!options.followUps) throw new AppError('unprocessable', 'this server does not link follow-up sessions from a schedule')
  const fold = (text: string) => text.trim().toLowerCase()
  const byTitle = new Map<string, number[]>()
  entries.forEach((entry, i) => byTitle.set(fold(entry.title), [...(byTitle.get(fold(entry.title)) ?? []), i]))
  for (const [i, entry] of entries.entries()) {
    if (entry.follows === '') continue
    if (i % 50 === 49) await nextTurn()
    const named = byTitle.get(fold(entry.follows)) ?? []
    const sameTrack = named.filter((j) => entries[j]!.track === entry.track)
    const target = sameTrack.length === 1 ? sameTrack[0] : named.length === 1 ? named[0] : undefined
    if (target === i) problems.push({ line: entry.line, message: 'follows names the entry itself' })
    else if (target !== undefined) resolved.set(i, target)
    else if (named.length > 1) problems.push({ line: entry.line, message: `follows: ${named.length} entries are titled "${entry.follows}"; name the earlier session by its id` })
    else {
      // The re-import key an earlier import stored for that title in this entry's track (issue 19
      // split it from the readable id: a key is never the session id).
      const imported = await meta.findImported(eventRef, entryKey({ track: entry.track, title: entry.follows }))
      if (imported) resolved.set(i, imported.id)
      else if (isSessionId(entry.follows) && (await meta.getSession(entry.follows))) resolved.set(i, entry.follows)
      else problems.push({ line: entry.line, message: `follows: no session with the id or title "${entry.follows}"` })
    }
  }
  for (const start of resolved.keys()) {
    let current: number | string | undefined = start
    for (let step = 0; typeof current === 'number' && step < maxFollowChain; step++) {
      current = resolved.get(current)
      if (current === start) {
        problems.push({ line: entries[start]!.line, message: 'follows makes a loop of sessions each continuing the next' })
        break
      }
    }
  }
  if (problems.length > 0) throw new AppError('unprocessable', `${problems.length} follows value(s) cannot be linked; nothing was imported`, { problems })
  return resolved
}

/**
 * Resolves on the event loop's next turn. SQLite calls resolve at once, so without it a
 * 2,000-session import would run as one long chain of microtasks with no request served in
 * between (issue 15: the event loop is given back between slices of work).
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

function scheduleFields(entry: ScheduleEntry, timeZone: string): SessionScheduleFields {
  return { title: entry.title, track: entry.track, room: entry.room, moderator: entry.moderator, scheduledStart: entry.start, durationMinutes: entry.durationMinutes, timeZone }
}

function diff(session: Session, fields: SessionScheduleFields): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {}
  for (const [key, value] of Object.entries(fields) as [keyof SessionScheduleFields, unknown][]) {
    if (session[key] !== value) changes[key] = { from: session[key], to: value }
  }
  return changes
}

/**
 * The seeds of every Etherpad file the new entries name, read in the Etherpad worker one after
 * the other. Throws `unprocessable` (422) with every line whose file is missing or cannot be
 * imported; the worker pool's own refusals (busy, timeout) pass as they are.
 */
async function readEtherpads(entries: ScheduleEntry[], files: Record<string, string>): Promise<Map<string, EtherpadSeeds>> {
  const seeds = new Map<string, EtherpadSeeds>()
  const failed = new Map<string, string>()
  for (const name of new Set(entries.map((entry) => entry.etherpad).filter((name): name is string => !!name))) {
    const file = Object.hasOwn(files, name) ? files[name] : undefined
    if (file === undefined) {
      failed.set(name, `the Etherpad file "${name}" was not uploaded with the schedule`)
      continue
    }
    try {
      seeds.set(name, await etherpadSeedsInWorker(file, etherpadFormatOfName(name) ?? detectEtherpadFormat(file)))
    } catch (error) {
      if (!(error instanceof AppError && ['invalid_body', 'payload_too_large', 'too_complex'].includes(error.code))) throw error
      failed.set(name, `the Etherpad file "${name}" cannot be imported: ${error.message.replace(/^content: /, '')}`)
    }
  }
  const problems = entries.filter((entry) => entry.etherpad && failed.has(entry.etherpad)).map((entry) => ({ line: entry.line, message: failed.get(entry.etherpad!)! }))
  if (problems.length > 0) throw new AppError('unprocessable', `${failed.size} Etherpad file(s) cannot be imported; nothing was imported`, { problems })
  return seeds
}
