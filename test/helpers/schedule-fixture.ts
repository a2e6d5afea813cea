/**
 * A realistic summit schedule, generated deterministically: 3 days, 8 tracks, 8 rooms, 40-minute
 * slots from 09:00 to 17:00 UTC (with a lunch gap), 144 sessions; as CSV or iCalendar (the latter
 * in Europe/Berlin local time with its VTIMEZONE, as schedule tools export it).
 */
const tracks = ['Nova', 'Neutron', 'Cinder', 'Keystone', 'Glance', 'Swift', 'Horizon', 'Heat']
const slots = ['09:00', '09:50', '10:40', '11:30', '13:30', '14:20']

export interface FixtureSession {
  title: string
  track: string
  room: string
  start: string
  duration: number
  moderator: string
  description: string
}

export function summitSessions(): FixtureSession[] {
  const sessions: FixtureSession[] = []
  for (let day = 0; day < 3; day++) {
    for (const [s, slot] of slots.entries()) {
      for (const [t, track] of tracks.entries()) {
        sessions.push({
          title: `${track} ${['roadmap', 'API review', 'testing', 'upgrades', 'docs', 'ops feedback'][(s + day) % 6]} day ${day + 1}`,
          track,
          room: `Room ${t + 101}`,
          start: `2026-05-${String(11 + day).padStart(2, '0')}T${slot}:00Z`,
          duration: 40,
          moderator: `PTL ${track}`,
          description: `Goals for ${track}, slot ${s + 1}: agree on priorities, "quoted", with, commas`,
        })
      }
    }
  }
  return sessions
}

const csvField = (value: string | number) => (/[",\n]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value))

export function summitCsv(sessions = summitSessions()): string {
  const rows = sessions.map((s) => [s.title, s.track, s.room, s.start, s.duration, s.moderator, s.description].map(csvField).join(','))
  return ['title,track,room,start,duration,moderator,description', ...rows].join('\r\n') + '\r\n'
}

/** `2026-05-11T09:00:00Z` as Berlin local time in summer (UTC+2), `20260511T110000`. */
function berlinLocal(iso: string): string {
  const date = new Date(Date.parse(iso) + 2 * 3600_000)
  return date.toISOString().replace(/[-:]/g, '').slice(0, 15)
}

export function summitIcs(sessions = summitSessions()): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//summit//schedule//EN',
    'BEGIN:VTIMEZONE',
    'TZID:Europe/Berlin',
    'BEGIN:DAYLIGHT',
    'DTSTART:19700329T020000',
    'TZOFFSETFROM:+0100',
    'TZOFFSETTO:+0200',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
    'END:DAYLIGHT',
    'BEGIN:STANDARD',
    'DTSTART:19701025T030000',
    'TZOFFSETFROM:+0200',
    'TZOFFSETTO:+0100',
    'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
    'END:STANDARD',
    'END:VTIMEZONE',
  ]
  sessions.forEach((s, i) => {
    lines.push(
      'BEGIN:VEVENT',
      `UID:session-${i}@summit`,
      `SUMMARY:${s.title}`,
      `CATEGORIES:${s.track}`,
      `LOCATION:${s.room}`,
      `DTSTART;TZID=Europe/Berlin:${berlinLocal(s.start)}`,
      `DURATION:PT${s.duration}M`,
      `ORGANIZER;CN=${s.moderator}:mailto:ptl@example.org`,
      `DESCRIPTION:${s.description.replace(/,/g, '\\,')}`,
      'END:VEVENT',
    )
  })
  lines.push('END:VCALENDAR')
  return lines.join('\r\n') + '\r\n'
}
