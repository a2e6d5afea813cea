/**
 * Worker thread of schedule parsing: a CSV or iCalendar file into entries and problems (see
 * `shared/schedule/`). At most 100 problems travel back (a file of bad rows is refused whole).
 */
import { parseCsvSchedule } from '../../shared/schedule/parse-csv.ts'
import { parseIcsSchedule } from '../../shared/schedule/parse-ics.ts'
import type { ParsedSchedule, ScheduleFormat } from '../../shared/schedule/schedule.ts'
import { serveJobs } from './serve-jobs.ts'

/** One schedule-parsing job. */
export interface ScheduleJob {
  format: ScheduleFormat
  content: string
  /** The IANA zone times without an offset are read in. */
  timeZone: string
}

/** The most problems reported for one file. */
const maxProblems = 100

serveJobs<ScheduleJob, ParsedSchedule & { problemCount: number }>(({ format, content, timeZone }) => {
  const parsed = format === 'csv' ? parseCsvSchedule(content, timeZone) : parseIcsSchedule(content, timeZone)
  return { value: { entries: parsed.entries, problems: parsed.problems.slice(0, maxProblems), problemCount: parsed.problems.length, timeZone: parsed.timeZone } }
})
