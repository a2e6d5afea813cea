/** Schedule parsing: CSV and iCalendar read alike, every bad row reported with its line, stable ids. */
import { describe, expect, it } from 'vitest'
import { parseCsvSchedule } from '../../../shared/schedule/parse-csv.ts'
import { parseIcsSchedule } from '../../../shared/schedule/parse-ics.ts'
import { entryKey, eventSlug, readableId, scheduleIds, slugify } from '../../../shared/schedule/schedule.ts'
import { summitCsv, summitIcs, summitSessions } from '../../helpers/schedule-fixture.ts'

describe('schedule parsing', () => {
  it('reads a 3-day, 8-track CSV and the same schedule as iCalendar into the same entries', () => {
    const csv = parseCsvSchedule(summitCsv())
    const ics = parseIcsSchedule(summitIcs())
    expect(csv.problems).toEqual([])
    expect(ics.problems).toEqual([])
    expect(csv.entries).toHaveLength(144)
    const strip = ({ line: _line, ...entry }: { line: number }) => entry
    expect(ics.entries.map(strip)).toEqual(csv.entries.map(strip))
    expect(new Set(csv.entries.map((entry) => entry.track)).size).toBe(8)
    expect(csv.entries[0]).toMatchObject({ title: 'Nova roadmap day 1', room: 'Room 101', start: '2026-05-11T09:00:00.000Z', durationMinutes: 40, moderator: 'PTL Nova' })
    expect(csv.entries[0]!.description).toContain('"quoted", with, commas')
  })

  it('reports every bad row with its line, in both formats', () => {
    const rows = summitCsv().split('\r\n')
    rows[5] = 'Broken,Nova,Room 1,next tuesday,40,Ada,x'
    rows[9] = 'Too,few,fields'
    rows[12] = rows[12]!.replace(',40,', ',three,')
    const csv = parseCsvSchedule(rows.join('\r\n'))
    expect(csv.problems).toEqual([
      { line: 6, message: 'start is not a date and time' },
      { line: 10, message: '3 fields where the header has 7' },
      { line: 13, message: 'duration is not a whole number of minutes' },
    ])
    const ics = summitIcs().replace('SUMMARY:Nova roadmap day 1', 'SUMMARY:')
    expect(parseIcsSchedule(ics).problems).toEqual([{ line: 19, message: 'title is empty' }])
    expect(parseCsvSchedule('title,room\r\nx,y\r\n').problems[0]!.message).toMatch(/lacks the column\(s\) start, duration/)
    expect(parseIcsSchedule('not a calendar').problems[0]!.message).toMatch(/not valid iCalendar/)
    expect(parseCsvSchedule('title,start,duration\r\n"unclosed,2026-01-01T00:00Z,40\r\n').problems[0]!.message).toMatch(/not valid CSV/)
  })

  it('reads the follows column of a CSV and X-SUMMITPAD-FOLLOWS of an iCalendar event', () => {
    const csv = parseCsvSchedule('title,start,duration,follows\r\nPart 2,2026-05-12 09:00,40,Part 1\r\nPart 1,2026-05-11 09:00,40,\r\n')
    expect(csv.entries.map((entry) => [entry.title, entry.follows])).toEqual([
      ['Part 2', 'Part 1'],
      ['Part 1', ''],
    ])
    const ics = parseIcsSchedule(
      ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:a', 'SUMMARY:Part 2', 'DTSTART:20260512T090000Z', 'DTEND:20260512T094000Z', 'X-SUMMITPAD-FOLLOWS:Part 1', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n'),
    )
    expect(ics.entries.map((entry) => entry.follows)).toEqual(['Part 1'])
  })

  it('gives readable ids that stay the same when the schedule is re-exported in another order', () => {
    const entries = parseCsvSchedule(summitCsv()).entries
    const ids = scheduleIds('Summit 2026', entries)
    expect(ids[0]).toBe('summit-2026-nova-roadmap-day-1')
    expect(new Set(ids).size).toBe(entries.length)
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/)
    const reversed = [...entries].reverse()
    const again = scheduleIds('Summit 2026', reversed)
    expect(new Map(reversed.map((entry, i) => [entry.line, again[i]]))).toEqual(new Map(entries.map((entry, i) => [entry.line, ids[i]])))
    // Two sessions of one title in one track are told apart by their start.
    const twins = parseCsvSchedule(summitCsv([...summitSessions().slice(0, 1), { ...summitSessions()[0]!, start: '2026-05-12T09:00:00Z' }])).entries
    expect(scheduleIds('x', twins)).toEqual(['x-nova-roadmap-day-1', 'x-nova-roadmap-day-1-2'])
    expect(slugify('Ünïcödé & Spaß!', 40)).toBe('unicode-spa')
  })

  it('cuts ids between words, drops the track words from the title and keeps the event year (issue 19)', () => {
    expect(eventSlug('OpenStack Summit 2013')).toBe('openstack-summit-2013')
    expect(eventSlug('OpenStack Summit 2014')).not.toBe(eventSlug('OpenStack Summit 2013'))
    expect(eventSlug('OpenStack Design Summit Hong Kong 2013')).toBe('openstack-design-2013')
    const tripleo = readableId('OpenStack Summit 2013', { track: 'TripleO', title: 'TripleO containerized deployment' })
    expect(tripleo).toBe('openstack-summit-2013-tripleo-containerized-deployment')
    const long = readableId('Hong Kong Summit 2013', { track: 'Oslo', title: 'HA production configuration of the high availability cluster' })
    expect(long).toBe('hong-kong-summit-2013-oslo-ha-production-configuration')
    for (const id of [tripleo, long]) expect(id.length).toBeLessThanOrEqual(60)
    // A title that is only the track keeps its words.
    expect(readableId('X', { track: 'Nova', title: 'Nova' })).toBe('x-nova-nova')
  })

  it('names an all-Chinese or all-emoji title or event by a stable hash, never by nothing', () => {
    const chinese = readableId('Hong Kong Summit 2013', { track: 'Nova', title: '计算节点的调度' })
    const emoji = readableId('Hong Kong Summit 2013', { track: 'Nova', title: '🚀🔥' })
    expect(chinese).toMatch(/^hong-kong-summit-2013-nova-s-[a-z2-9]{5}$/)
    expect(emoji).toMatch(/^hong-kong-summit-2013-nova-s-[a-z2-9]{5}$/)
    expect(chinese).not.toBe(emoji)
    expect(readableId('Hong Kong Summit 2013', { track: 'Nova', title: '计算节点的调度' })).toBe(chinese)
    expect(eventSlug('香港峰会')).toMatch(/^e-[a-z2-9]{5}$/)
    for (const id of [chinese, emoji, eventSlug('香港峰会')]) expect(id).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/)
  })

  it('keeps the re-import key of titles imported before issue 19', () => {
    expect(entryKey({ track: 'TripleO', title: 'TripleO containerized deployment' })).toBe('tripleo-tripleo-containerized-de')
    expect(entryKey({ track: '', title: 'Keynote' })).toBe('keynote')
    expect(entryKey({ track: 'Nova', title: '计算节点的调度' })).toMatch(/^nova-s-[a-z2-9]{5}$/)
  })
})
