/**
 * Reads an iCalendar (.ics) schedule as conference tools export it: each VEVENT is a session —
 * SUMMARY the title, CATEGORIES the track, LOCATION the room, DTSTART and DTEND (or DURATION) the
 * slot, ORGANIZER's CN the moderator, DESCRIPTION the description, X-SUMMITPAD-FOLLOWS the title
 * or id of the session an event continues (issue 20). Time zones given as VTIMEZONE
 * blocks are honoured; times are stored in UTC. Linear in the file; a file with more than
 * `maxScheduleEntries` events throws AppError('too_complex').
 */
import ICAL from 'ical.js'
import { checkScheduleSize, toEntry, type ParsedSchedule, type ScheduleEntry, type ScheduleProblem } from './schedule.ts'

export function parseIcsSchedule(text: string): ParsedSchedule {
  const problems: ScheduleProblem[] = []
  let calendar: ICAL.Component
  try {
    calendar = new ICAL.Component(ICAL.parse(text))
  } catch (error) {
    return { entries: [], problems: [{ line: 1, message: `not valid iCalendar: ${(error as Error).message}` }] }
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
  events.forEach((component, i) => {
    const line = lines[i] ?? 1
    try {
      // Recurrence exceptions are not read: without `exceptions`, ical.js scans every sibling
      // VEVENT for each event, quadratic in the file (issue 15: 2 MiB took 7.5 minutes).
      const event = new ICAL.Event(component, { exceptions: [] })
      const start = event.startDate
      const end = event.endDate
      if (!start) throw new Error('no DTSTART')
      const minutes = end ? Math.round((end.toJSDate().getTime() - start.toJSDate().getTime()) / 60_000) : Number.NaN
      const organizer = component.getFirstProperty('organizer')
      const categories = component.getFirstProperty('categories')
      const entry = toEntry(
        line,
        {
          title: event.summary ?? '',
          track: categories ? String(categories.getFirstValue() ?? '') : '',
          room: event.location ?? '',
          start: start.toJSDate().toISOString(),
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
  return { entries, problems }
}
