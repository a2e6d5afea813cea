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
  /** The earlier session this one continues: a session id, or a title in this schedule (issue 20); empty for none. */
  follows: string
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
  /** The IANA time zone the file names (an iCalendar TZID or X-WR-TIMEZONE), or null. */
  timeZone: string | null
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
  follows: z.string().trim().max(200, 'follows is longer than 200 characters').default(''),
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

/** Lower-case ASCII letters and digits joined by single dashes, at most `max` characters (cut anywhere). */
export function slugify(text: string, max: number): string {
  return slugWords(text).join('-').slice(0, max).replace(/-+$/, '')
}

/** The words of `text` as slugs: accents dropped, lower case, letters a-z and digits only. */
export function slugWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
}

/** Words a cut slug does not end on. */
const dangling = new Set(['a', 'an', 'and', 'at', 'by', 'for', 'from', 'in', 'of', 'on', 'or', 'the', 'to', 'with', 'vs'])

/**
 * Words joined by dashes up to `max` characters, cut between words (a first word longer than
 * `max` is cut itself). With `keepNumbers`, a number the cut dropped (an event's year) is kept in
 * place of the last words that fit: "OpenStack Summit 2013 Hong Kong" at 24 stays
 * `openstack-summit-2013`, never `openstack-summit-hong`.
 */
export function cutAtWord(words: string[], max: number, keepNumbers = false): string {
  const kept: string[] = []
  let length = 0
  for (const word of words) {
    const next = length === 0 ? word.length : length + 1 + word.length
    if (next > max) break
    kept.push(word)
    length = next
  }
  if (kept.length === 0) return (words[0] ?? '').slice(0, max)
  // A cut title does not end on "of" or "the".
  while (kept.length > 1 && kept.length < words.length && dangling.has(kept[kept.length - 1]!)) kept.pop()
  const dropped = words.slice(kept.length).filter((word) => /^\d+$/.test(word))
  if (keepNumbers && dropped.length > 0) {
    const number = dropped[dropped.length - 1]!
    while (kept.length > 1 && kept.join('-').length + 1 + number.length > max) kept.pop()
    if (kept.join('-').length + 1 + number.length <= max) kept.push(number)
  }
  return kept.join('-')
}

/** A short, stable name of `text` in the id alphabet (FNV-1a; 5 letters hold its 32 bits' first 24.8), for titles with no a-z or 0-9. */
export function textHash(text: string, length = 5): string {
  let hash = 0x811c9dc5
  for (const char of text.normalize('NFC')) {
    hash ^= char.codePointAt(0)!
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789'
  let name = ''
  for (let i = 0; i < length; i++) {
    name += alphabet[hash % alphabet.length]
    hash = Math.floor(hash / alphabet.length)
  }
  return name
}

/** Most characters of the event part of an id; a year in the name is kept (see cutAtWord). */
const maxEventChars = 24
/** Most characters of the track part of an id. */
const maxTrackChars = 20
/** Most characters of an id before a `-2`, `-3`... suffix (ids are at most 64). */
const maxBaseChars = 60

/**
 * The event's part of every id: its words cut at 24 characters, its year kept ("OpenStack Summit
 * 2013" and "... 2014" never share one); an event with no a-z or 0-9 is named by a hash of it.
 */
export function eventSlug(event: string): string {
  return cutAtWord(slugWords(event), maxEventChars, true) || `e-${textHash(event.trim())}`
}

/**
 * The readable id of one entry: `<event>-<track>-<title>`, each part cut between words, the title
 * without the words of its track ("TripleO" / "TripleO containerized deployment" gives
 * `…-tripleo-containerized-deployment`), at most 60 characters. A title with no a-z or 0-9 (all
 * Chinese, all emoji) is named by a hash of it: `…-s-k7m2p`.
 */
export function readableId(event: string, entry: Pick<ScheduleEntry, 'track' | 'title'>): string {
  const eventPart = eventSlug(event)
  const trackWords = slugWords(entry.track)
  const trackPart = cutAtWord(trackWords, maxTrackChars)
  const titleWords = slugWords(entry.title)
  const ownWords = titleWords.filter((word) => !trackWords.includes(word))
  const prefix = [eventPart, trackPart].filter(Boolean).join('-')
  const room = maxBaseChars - (prefix ? prefix.length + 1 : 0)
  const titlePart = titleWords.length === 0 ? `s-${textHash(entry.title)}` : cutAtWord(ownWords.length > 0 ? ownWords : titleWords, room)
  return [prefix, titlePart].filter(Boolean).join('-').slice(0, maxBaseChars).replace(/-+$/, '')
}

/**
 * The key a re-import matches an entry by, within its event: track and title slugged as the first
 * imports did (16 and 24 characters), so sessions imported before issue 19 are still found; a
 * title with no a-z or 0-9 is keyed by a hash of it.
 */
export function entryKey(entry: Pick<ScheduleEntry, 'track' | 'title'>): string {
  const title = slugify(entry.title, 24) || `s-${textHash(entry.title)}`
  return [slugify(entry.track, 16), title].filter(Boolean).join('-')
}

/**
 * The session id of every entry, in order (see readableId). Entries that would share one get
 * `-2`, `-3`... in the order of their start and title, so re-importing the same schedule gives the
 * same ids.
 */
export function scheduleIds(event: string, entries: ScheduleEntry[]): string[] {
  return numberTwins(entries, entries.map((entry) => readableId(event, entry) || 'session'))
}

/** The re-import key of every entry, in order (see entryKey), twins numbered as scheduleIds does. */
export function scheduleKeys(entries: ScheduleEntry[]): string[] {
  return numberTwins(entries, entries.map(entryKey))
}

function numberTwins(entries: ScheduleEntry[], base: string[]): string[] {
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
