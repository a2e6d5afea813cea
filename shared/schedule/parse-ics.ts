/**
 * Reads an iCalendar (.ics) schedule as conference tools export it: each VEVENT is a session —
 * SUMMARY the title, CATEGORIES the track, LOCATION the room, DTSTART and DTEND (or DURATION) the
 * slot, ORGANIZER's CN the moderator, DESCRIPTION the description, X-SUMMITPAD-FOLLOWS the title
 * or id of the session an event continues (issue 20). Time zones given as VTIMEZONE blocks are
 * honoured; a TZID without one is read as the IANA zone of that name, and a floating time (no
 * `Z`, no TZID) in the event's zone; times are stored in UTC. The file's zone (the first
 * DTSTART's IANA TZID, else X-WR-TIMEZONE) is reported as the event's. Linear in the file; a file
 * with more than `maxScheduleEntries` events throws AppError('too_complex').
 */
import ICAL from 'ical.js'
import { isTimeZone, wallTimeToInstant } from '../time-zone.ts'
import { checkScheduleSize, toEntry, type ParsedSchedule, type ScheduleEntry, type ScheduleProblem } from './schedule.ts'

/** Reads `text`; floating times are wall times in `timeZone` (an IANA name). */
export function parseIcsSchedule(text: string, timeZone = 'UTC'): ParsedSchedule {
  const problems: ScheduleProblem[] = []
  let calendar: ICAL.Component
  try {
    calendar = new ICAL.Component(ICAL.parse(text))
  } catch (error) {
    return { entries: [], timeZone: null, problems: [{ line: 1, message: `not valid iCalendar: ${(error as Error).message}` }] }
  }
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone))
  // The line of each `BEGIN:VEVENT`, in order, to report problems where they are.
  const lines: number[] = []
  text.split(/\r?\n/).forEach((content, i) => {
    if (content.trim().toUpperCase() === 'BEGIN:VEVENT') lines.push(i + 1)
  })
  const events = calendar.getAllSubcomponents('vevent')
  checkScheduleSize(events.length)
  const entries: ScheduleEntry[] = []
  const calendarZone = String(calendar.getFirstPropertyValue('x-wr-timezone') ?? '')
  let fileZone: string | null = null
  events.forEach((component, i) => {
    const line = lines[i] ?? 1
    try {
      // Recurrence exceptions are not read: without `exceptions`, ical.js scans every sibling
      // VEVENT for each event, quadratic in the file (issue 15: 2 MiB took 7.5 minutes).
      const event = new ICAL.Event(component, { exceptions: [] })
      const start = event.startDate
      const end = event.endDate
      if (!start) throw new Error('no DTSTART')
      const tzid = String(component.getFirstProperty('dtstart')?.getParameter('tzid') ?? '')
      if (fileZone === null && isTimeZone(tzid)) fileZone = tzid
      const startMs = instantOf(start, tzid, timeZone)
      const minutes = end ? Math.round((instantOf(end, String(component.getFirstProperty('dtend')?.getParameter('tzid') ?? tzid), timeZone) - startMs) / 60_000) : Number.NaN
      const organizer = component.getFirstProperty('organizer')
      const categories = component.getFirstProperty('categories')
      const entry = toEntry(
        line,
        {
          title: event.summary ?? '',
          track: categories ? String(categories.getFirstValue() ?? '') : '',
          room: event.location ?? '',
          start: new Date(startMs).toISOString(),
          durationMinutes: minutes,
          moderator: organizer ? String(organizer.getParameter('cn') ?? '') : '',
          description: event.description ?? '',
          follows: String(component.getFirstPropertyValue('x-summitpad-follows') ?? ''),
        },
        problems,
      )
      if (entry) entries.push(entry)
    } catch (error) {
      problems.push({ line, message: (error as Error).message })
    }
  })
  if (entries.length === 0 && problems.length === 0) problems.push({ line: 1, message: 'no VEVENT in the file' })
  return { entries, problems, timeZone: fileZone ?? (isTimeZone(calendarZone) ? calendarZone : null) }
}

/**
 * The instant of an iCalendar time: as ical.js converts it when it is UTC or its zone came with
 * a VTIMEZONE block; else its wall time in the IANA zone `tzid` names, or (floating, or a TZID
 * that is no IANA name) in `fallbackZone`. ical.js would read those in the process's own zone.
 */
function instantOf(time: ICAL.Time, tzid: string, fallbackZone: string): number {
  if (time.zone === ICAL.Timezone.utcTimezone || (tzid !== '' && ICAL.TimezoneService.has(tzid))) return time.toJSDate().getTime()
  return wallTimeToInstant(isTimeZone(tzid) ? tzid : fallbackZone, time.year, time.month, time.day, time.hour, time.minute, time.second)
}
