/** Event time zones: wall time in a zone to an instant and back, DST edges included. */
import { describe, expect, it } from 'vitest'
import { dayInZone, formatInZone, isTimeZone, parseZonedDateTime, toWallTime, wallTimeToInstant, zoneOffsetMs } from '../../../shared/time-zone.ts'

const iso = (ms: number) => new Date(ms).toISOString()

describe('wallTimeToInstant', () => {
  it('reads a Hong Kong wall time as UTC+8 (no DST)', () => {
    expect(iso(wallTimeToInstant('Asia/Hong_Kong', 2013, 11, 5, 9, 0))).toBe('2013-11-05T01:00:00.000Z')
  })

  it('reads Berlin winter time as UTC+1 and summer time as UTC+2', () => {
    expect(iso(wallTimeToInstant('Europe/Berlin', 2026, 1, 15, 9, 0))).toBe('2026-01-15T08:00:00.000Z')
    expect(iso(wallTimeToInstant('Europe/Berlin', 2026, 7, 15, 9, 0))).toBe('2026-07-15T07:00:00.000Z')
  })

  it('moves a wall time skipped by the spring-forward change forward by the gap (Berlin 2026-03-29 02:30 is 03:30 CEST)', () => {
    expect(iso(wallTimeToInstant('Europe/Berlin', 2026, 3, 29, 2, 30))).toBe('2026-03-29T01:30:00.000Z')
    expect(toWallTime('2026-03-29T01:30:00.000Z', 'Europe/Berlin')).toBe('2026-03-29T03:30')
  })

  it('keeps the times either side of the spring-forward gap exact', () => {
    expect(iso(wallTimeToInstant('Europe/Berlin', 2026, 3, 29, 1, 59))).toBe('2026-03-29T00:59:00.000Z')
    expect(iso(wallTimeToInstant('Europe/Berlin', 2026, 3, 29, 3, 0))).toBe('2026-03-29T01:00:00.000Z')
  })

  it('takes the earlier instant of a wall time repeated by the fall-back change (Berlin 2026-10-25 02:30 is CEST)', () => {
    expect(iso(wallTimeToInstant('Europe/Berlin', 2026, 10, 25, 2, 30))).toBe('2026-10-25T00:30:00.000Z')
    expect(iso(wallTimeToInstant('Europe/Berlin', 2026, 10, 25, 3, 0))).toBe('2026-10-25T02:00:00.000Z')
  })

  it('handles Los Angeles across its DST change and a zone with a half-hour offset', () => {
    expect(iso(wallTimeToInstant('America/Los_Angeles', 2026, 3, 8, 2, 30))).toBe('2026-03-08T10:30:00.000Z')
    expect(iso(wallTimeToInstant('America/Los_Angeles', 2026, 11, 1, 1, 30))).toBe('2026-11-01T08:30:00.000Z')
    expect(iso(wallTimeToInstant('Asia/Kolkata', 2026, 5, 1, 9, 0))).toBe('2026-05-01T03:30:00.000Z')
  })

  it('round-trips every hour of a DST year in Berlin through toWallTime', () => {
    for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 3_600_000) {
      const wall = toWallTime(iso(ms), 'Europe/Berlin')
      const [date, time] = wall.split('T') as [string, string]
      const [y, m, d] = date.split('-').map(Number) as [number, number, number]
      const [h, min] = time.split(':').map(Number) as [number, number]
      const back = wallTimeToInstant('Europe/Berlin', y, m, d, h, min)
      // A repeated hour reads back as its earlier instant; every other hour exactly.
      expect(back === ms || back === ms - 3_600_000).toBe(true)
    }
  })

  it('refuses an unknown zone and a date that does not exist', () => {
    expect(() => wallTimeToInstant('Mars/Olympus', 2026, 1, 1, 0, 0)).toThrow(RangeError)
    expect(() => wallTimeToInstant('UTC', 2026, 2, 30, 9, 0)).toThrow(RangeError)
  })
})

describe('parseZonedDateTime', () => {
  it('reads a time without an offset in the zone and keeps a given offset', () => {
    expect(parseZonedDateTime('2013-11-05 09:00', 'Asia/Hong_Kong')).toBe('2013-11-05T01:00:00.000Z')
    expect(parseZonedDateTime('2013-11-05T09:00:00', 'Asia/Hong_Kong')).toBe('2013-11-05T01:00:00.000Z')
    expect(parseZonedDateTime('2013-11-05T09:00:00Z', 'Asia/Hong_Kong')).toBe('2013-11-05T09:00:00.000Z')
    expect(parseZonedDateTime('2013-11-05T09:00+02:00', 'Asia/Hong_Kong')).toBe('2013-11-05T07:00:00.000Z')
  })

  it('returns null for anything else', () => {
    for (const bad of ['tomorrow', '2013-11-05', '2013-13-05 09:00', '2013-11-05 25:00', '']) expect(parseZonedDateTime(bad, 'UTC')).toBeNull()
  })
})

describe('formatting', () => {
  it('shows a time in the zone with its abbreviation', () => {
    expect(formatInZone('2013-11-05T01:00:00.000Z', 'Asia/Hong_Kong')).toBe('09:00 GMT+8')
    expect(formatInZone('2026-01-15T17:00:00.000Z', 'America/Los_Angeles')).toBe('09:00 PST')
    expect(formatInZone('2026-07-15T07:00:00.000Z', 'Europe/Berlin')).toBe('09:00 GMT+2')
    expect(formatInZone('2013-11-05T01:00:00.000Z', 'Asia/Hong_Kong', { date: true })).toBe('Tue 5 Nov, 09:00 GMT+8')
  })

  it('names the day in the zone, not in UTC', () => {
    expect(dayInZone('2013-11-04T17:00:00.000Z', 'Asia/Hong_Kong')).toBe('2013-11-05')
    expect(zoneOffsetMs('Asia/Hong_Kong', Date.UTC(2013, 10, 5))).toBe(8 * 3_600_000)
  })

  it('knows real zone names only', () => {
    expect(isTimeZone('Asia/Hong_Kong')).toBe(true)
    expect(isTimeZone('UTC')).toBe(true)
    expect(isTimeZone('Mars/Olympus')).toBe(false)
    expect(isTimeZone('../etc')).toBe(false)
  })
})
