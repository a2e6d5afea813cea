/**
 * Reads a CSV schedule: a header row naming the columns (any order, any case) title, track, room,
 * start, duration, moderator, description, follows (the id or title of the session an entry
 * continues), etherpad (the file name of an Etherpad export uploaded with the schedule, to start
 * that session's pad from); quoted fields may hold commas and line breaks; a BOM and CRLF line
 * ends are fine. `start` is a date and time (ISO 8601, or `2026-11-24 14:00`): read in the
 * event's time zone unless it carries `Z` or an offset, which it keeps (issue 19: an organizer in
 * Hong Kong who writes 09:00 means 09:00 in Hong Kong); `duration` is in minutes.
 */
import { parse } from 'csv-parse/sync'
import { parseZonedDateTime } from '../time-zone.ts'
import { checkScheduleSize, toEntry, type ParsedSchedule, type ScheduleEntry, type ScheduleProblem } from './schedule.ts'

const columns = ['title', 'track', 'room', 'start', 'duration', 'moderator', 'description', 'follows', 'etherpad'] as const
const required = ['title', 'start', 'duration'] as const

/** Reads `text`; times without an offset are wall times in `timeZone` (an IANA name). */
export function parseCsvSchedule(text: string, timeZone = 'UTC'): ParsedSchedule {
  const problems: ScheduleProblem[] = []
  let rows: { record: string[]; info: { lines: number } }[]
  try {
    rows = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof rows
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1
    return { entries: [], timeZone: null, problems: [{ line, message: `not valid CSV: ${(error as Error).message}` }] }
  }
  if (rows.length === 0) return { entries: [], timeZone: null, problems: [{ line: 1, message: 'the file is empty' }] }
  checkScheduleSize(rows.length - 1)
  const header = rows[0]!.record.map((name) => name.trim().toLowerCase())
  const missing = required.filter((name) => !header.includes(name))
  if (missing.length > 0) return { entries: [], timeZone: null, problems: [{ line: 1, message: `the header lacks the column(s) ${missing.join(', ')}` }] }
  const index = Object.fromEntries(columns.map((name) => [name, header.indexOf(name)])) as Record<(typeof columns)[number], number>
  const entries: ScheduleEntry[] = []
  for (const { record, info } of rows.slice(1)) {
    // `info.lines` is the line the record ends on; a record spanning lines starts earlier.
    const line = info.lines - (record.join(',').match(/\n/g)?.length ?? 0)
    if (record.length !== header.length) {
      problems.push({ line, message: `${record.length} fields where the header has ${header.length}` })
      continue
    }
    const field = (name: (typeof columns)[number]) => (index[name] >= 0 ? (record[index[name]] ?? '').trim() : '')
    const duration = field('duration')
    const entry = toEntry(
      line,
      {
        title: field('title'),
        track: field('track'),
        room: field('room'),
        start: toIsoStart(field('start'), timeZone),
        durationMinutes: /^\d+$/.test(duration) ? Number(duration) : Number.NaN,
        moderator: field('moderator'),
        description: index.description >= 0 ? (record[index.description] ?? '') : '',
        follows: field('follows'),
        ...(field('etherpad') ? { etherpad: field('etherpad') } : {}),
      },
      problems,
    )
    if (entry) entries.push(entry)
  }
  return { entries, problems, timeZone: null }
}

/** `2026-11-24 14:00` (in `timeZone`) or any ISO 8601 date-time; anything else fails validation with its text. */
function toIsoStart(value: string, timeZone: string): string {
  return parseZonedDateTime(value, timeZone) ?? `invalid:${value}`
}
