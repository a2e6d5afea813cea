/**
 * A summit schedule as organisers export it (CSV or iCalendar), read into entries with the line
 * each came from, every bad row reported at once (never one error at a time), and the readable,
 * stable session id each entry gets: `<event>-<track>-<title>`, slugged.
 */
import { z } from 'zod'
import { AppError } from '../errors.ts'

/** One session of an imported schedule. */
export interface ScheduleEntry {
  /** The line the entry starts on (CSV row, or the `BEGIN:VEVENT` line). */
  line: number
  title: string
  track: string
  room: string
  /** ISO 8601 in UTC. */
  start: string
  durationMinutes: number
  moderator: string
  description: string
  /** The file name of an Etherpad export (uploaded with the schedule) to start the pad from; CSV `etherpad` column. */
  etherpad?: string
}

/** A row that could not be read, with its line. */
export interface ScheduleProblem {
  line: number
  message: string
}

export interface ParsedSchedule {
  entries: ScheduleEntry[]
  problems: ScheduleProblem[]
}

/**
 * Most sessions one schedule file may hold; a file with more is refused whole with
 * AppError('too_complex') (HTTP 422) before its entries are read. A summit of 200 sessions is
 * far below it. @default 2000
 */
export const maxScheduleEntries = 2000

/** Refuses a schedule of `count` entries when it exceeds {@link maxScheduleEntries}. */
export function checkScheduleSize(count: number): void {
  if (count > maxScheduleEntries) {
    throw new AppError('too_complex', `the schedule has ${count} sessions; at most ${maxScheduleEntries} are imported at once`, { limit: maxScheduleEntries, items: count })
  }
}

export const scheduleFormats = ['csv', 'ics'] as const
export type ScheduleFormat = (typeof scheduleFormats)[number]

/** The fields of an entry before they are trusted. */
export const scheduleEntryFields = z.object({
  title: z.string().trim().min(1, 'title is empty').max(200, 'title is longer than 200 characters'),
  track: z.string().trim().max(80, 'track is longer than 80 characters'),
  room: z.string().trim().max(80, 'room is longer than 80 characters'),
  start: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'start is not a date and time'),
  durationMinutes: z.number({ error: 'duration is not a whole number of minutes' }).int('duration is not a whole number of minutes').min(5, 'duration is under 5 minutes').max(24 * 60, 'duration is over a day'),
  moderator: z.string().trim().max(120, 'moderator is longer than 120 characters'),
  description: z.string().max(4000, 'description is longer than 4000 characters'),
  etherpad: z.string().trim().max(200, 'etherpad file name is longer than 200 characters').optional(),
})

/** Validates `fields` read at `line`; pushes a problem and returns null when they do not hold. */
export function toEntry(line: number, fields: unknown, problems: ScheduleProblem[]): ScheduleEntry | null {
  const parsed = scheduleEntryFields.safeParse(fields)
  if (!parsed.success) {
    problems.push({ line, message: parsed.error.issues.map((issue) => issue.message).join('; ') })
    return null
  }
  return { line, ...parsed.data, start: new Date(parsed.data.start).toISOString() }
}

/** Lower-case ASCII letters and digits joined by single dashes, at most `max` characters. */
export function slugify(text: string, max: number): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return slug.slice(0, max).replace(/-+$/, '')
}

/**
 * The session id of every entry, in order: `<event>-<track>-<title>` slugged (at most 64
 * characters). Entries that would share one get `-2`, `-3`... in the order of their start and
 * title, so re-importing the same schedule gives the same ids.
 */
export function scheduleIds(event: string, entries: ScheduleEntry[]): string[] {
  const base = entries.map((entry) => [slugify(event, 16), slugify(entry.track, 16), slugify(entry.title, 24)].filter(Boolean).join('-') || 'session')
  const order = entries.map((_, i) => i).sort((a, b) => entries[a]!.start.localeCompare(entries[b]!.start) || entries[a]!.title.localeCompare(entries[b]!.title) || a - b)
  const seen = new Map<string, number>()
  const ids: string[] = new Array(entries.length)
  for (const i of order) {
    const count = (seen.get(base[i]!) ?? 0) + 1
    seen.set(base[i]!, count)
    ids[i] = count === 1 ? base[i]! : `${base[i]}-${count}`
  }
  return ids
}
