/**
 * Event time zones (issue 19): an event names one IANA zone ("Asia/Hong_Kong"); a wall-clock time
 * in it ("2026-11-24 09:00") becomes an instant, and an instant is shown back in it with the zone's
 * abbreviation or offset ("09:00 GMT+8"). Built on `Intl.DateTimeFormat` (the runtime's tz data),
 * no tz library. Isomorphic: the server reads schedules with it, the client the session form.
 *
 * A wall time that does not exist (skipped by a spring-forward change) or exists twice (repeated
 * by a fall-back change) is resolved as Temporal's `disambiguation: 'compatible'` does: a skipped
 * time moves forward by the gap (Berlin 02:30 on the last Sunday of March is 03:30 CEST), a
 * repeated one takes the earlier instant (Berlin 02:30 on the last Sunday of October is CEST).
 */

const formatters = new Map<string, Intl.DateTimeFormat>()

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    // Bounded: only names that passed isTimeZone reach here, and a process sees few zones.
    if (formatters.size < 500) formatters.set(timeZone, formatter)
  }
  return formatter
}

/** True when `name` is an IANA time zone name the runtime knows ("Europe/Berlin", "UTC"). */
export function isTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    // reason: Intl throws RangeError for an unknown zone; that is the answer "no".
    return false
  }
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (east positive: Hong Kong +8 h). */
export function zoneOffsetMs(timeZone: string, ms: number): number {
  const parts: Record<string, number> = {}
  for (const part of partsFormatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value)
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!)
  return wall - Math.floor(ms / 1000) * 1000
}

const dayMs = 86_400_000

/**
 * The instant (ms since the epoch) at which clocks in `timeZone` read the wall time given by its
 * fields (month 1-12). Skipped and repeated wall times are resolved as the module comment says.
 * Throws RangeError for an unknown zone or fields that are not a date and time.
 */
export function wallTimeToInstant(timeZone: string, year: number, month: number, day: number, hour: number, minute: number, second = 0): number {
  if (!isTimeZone(timeZone)) throw new RangeError(`unknown time zone "${timeZone}"`)
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second)
  const check = new Date(asUtc)
  if (Number.isNaN(asUtc) || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new RangeError(`${year}-${month}-${day} ${hour}:${minute}:${second} is not a date and time`)
  }
  // Offsets change at most once within a day either side of any real zone's transition, so the
  // offsets a day before and a day after are the only candidates.
  const before = zoneOffsetMs(timeZone, asUtc - dayMs)
  const after = zoneOffsetMs(timeZone, asUtc + dayMs)
  const candidates = [...new Set([before, after])].map((offset) => asUtc - offset).filter((instant) => zoneOffsetMs(timeZone, instant) === asUtc - instant)
  if (candidates.length > 0) return Math.min(...candidates)
  // In a gap: read the wall time with the offset before the change, which lands after the gap.
  return asUtc - before
}

/**
 * Reads `2026-11-24 09:00`, `2026-11-24T09:00:30` (wall time in `timeZone`) or any ISO 8601
 * date-time with `Z` or an offset (kept as given). Returns the instant as ISO 8601 UTC, or null
 * when `value` is none of these.
 */
export function parseZonedDateTime(value: string, timeZone: string): string | null {
  const wall = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim())
  if (wall) {
    const [year, month, day, hour, minute, second] = wall.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number]
    try {
      return new Date(wallTimeToInstant(timeZone, year, month, day, hour, minute, second)).toISOString()
    } catch {
      // reason: RangeError for a date that does not exist (2026-02-30): the caller reports it.
      return null
    }
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim())) {
    const ms = Date.parse(value.trim())
    return Number.isNaN(ms) ? null : new Date(ms).toISOString()
  }
  return null
}

/** The wall time of instant `iso` in `timeZone` as `YYYY-MM-DDTHH:MM` (a datetime-local value). */
export function toWallTime(iso: string, timeZone: string): string {
  const ms = Date.parse(iso)
  const local = new Date(ms + zoneOffsetMs(timeZone, ms))
  return local.toISOString().slice(0, 16)
}

/**
 * The zone's short name at instant `ms` as en-US names it: an abbreviation where it has one
 * ("PST", "EDT"), else the offset from GMT ("GMT+8" for Hong Kong, "GMT+1" for Berlin in winter).
 */
export function zoneAbbreviation(timeZone: string, ms: number): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')
  return part?.value ?? timeZone
}

/** What a time is shown with: the instant's wall time in `timeZone`. */
export interface ZonedFormatOptions {
  /** Add the weekday and date ("Tue 24 Nov"). @default false */
  date?: boolean
  /** Add the zone's abbreviation ("09:00 GMT+8"). @default true */
  zone?: boolean
  /** Add the seconds ("09:00:05"). @default false */
  seconds?: boolean
}

/** `iso` as "09:00 GMT+8" (or "Tue 24 Nov, 09:00 GMT+8" with `date`) in `timeZone`, 24-hour clock. */
export function formatInZone(iso: string, timeZone: string, options: ZonedFormatOptions = {}): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return ''
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', ...(options.seconds ? { second: '2-digit' } : {}), hourCycle: 'h23' }).format(ms)
  const date = options.date ? `${new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short' }).format(ms)}, ` : ''
  return `${date}${time}${options.zone === false ? '' : ` ${zoneAbbreviation(timeZone, ms)}`}`
}

/** The calendar day of `iso` in `timeZone` as `YYYY-MM-DD` (for grouping a schedule by day). */
export function dayInZone(iso: string, timeZone: string): string {
  return toWallTime(iso, timeZone).slice(0, 10)
}
