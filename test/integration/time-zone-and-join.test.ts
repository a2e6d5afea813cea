/**
 * Issue 19 through the real server: the event time zone (EVENT_TIME_ZONE, a schedule import's
 * `timeZone`, an iCalendar TZID) and how CSV and iCalendar times are read in it; readable ids for
 * seed-like titles (a year in the event, Chinese and emoji titles); join codes that exist while a
 * session is live, in any case, unique, and dead after the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Session } from '../../shared/api.ts'
import { joinCodeAlphabet } from '../../shared/join-code.ts'
import { act, checkedFetch, createSessionWithKeys } from '../helpers/api.ts'
import { organizerHeaders, startServerProcess, type ServerProcess } from '../helpers/start-server.ts'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess({ env: { AUTO_END_AFTER_MINUTES: '0', EVENT_TIME_ZONE: 'Asia/Hong_Kong' } })
})
afterAll(async () => {
  await server?.dispose()
})

interface Imported {
  timeZone: string
  sessions: { id: string; title: string; outcome: string; links?: { moderator: string } }[]
}

async function importSchedule(body: Record<string, unknown>): Promise<{ status: number; body: Imported & { error?: { message: string } } }> {
  const res = await checkedFetch(server.url, `${server.url}/api/schedule/import`, { method: 'POST', headers: { 'content-type': 'application/json', ...organizerHeaders }, body: JSON.stringify(body) })
  return { status: res.status, body: res.body as never }
}

async function getSession(id: string): Promise<Session> {
  return ((await checkedFetch(server.url, `${server.url}/api/sessions/${id}`)).body as { session: Session }).session
}

async function eventZone(): Promise<string> {
  return ((await checkedFetch(server.url, `${server.url}/api/event`)).body as { timeZone: string }).timeZone
}

const csv = (rows: string[][]) => ['title,track,room,start,duration', ...rows.map((row) => row.join(','))].join('\r\n') + '\r\n'

describe('the event time zone', () => {
  it('reads CSV times without an offset in EVENT_TIME_ZONE, keeps times with one, and names the zone', async () => {
    expect(await eventZone()).toBe('Asia/Hong_Kong')
    const result = await importSchedule({
      event: 'OpenStack Summit 2013',
      format: 'csv',
      content: csv([
        ['Nova scheduler', 'Nova', 'Room 1', '2030-11-05 09:00', '40'],
        ['Nova cells', 'Nova', 'Room 1', '2030-11-05T09:00:00+01:00', '40'],
      ]),
    })
    expect(result.status).toBe(201)
    expect(result.body.timeZone).toBe('Asia/Hong_Kong')
    const [plain, offset] = await Promise.all(result.body.sessions.map((s) => getSession(s.id)))
    // 09:00 in Hong Kong, not 09:00 UTC (which showed as 17:00 there).
    expect(plain!.scheduledStart).toBe('2030-11-05T01:00:00.000Z')
    expect(offset!.scheduledStart).toBe('2030-11-05T08:00:00.000Z')
    expect(plain!.timeZone).toBe('Asia/Hong_Kong')
  })

  it("takes an iCalendar file's TZID as the event zone and reads its floating times in it; an explicit zone wins", async () => {
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//t//EN',
      'BEGIN:VEVENT', 'UID:a@t', 'SUMMARY:Swift erasure codes', 'CATEGORIES:Swift', 'DTSTART;TZID=Europe/Berlin:20300331T023000', 'DTEND;TZID=Europe/Berlin:20300331T040000', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:b@t', 'SUMMARY:Swift floating', 'CATEGORIES:Swift', 'DTSTART:20300710T090000', 'DURATION:PT40M', 'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n')
    const result = await importSchedule({ event: 'Berlin Days 2030', format: 'ics', content: ics })
    expect(result.status).toBe(201)
    expect(result.body.timeZone).toBe('Europe/Berlin')
    const [gap, floating] = await Promise.all(result.body.sessions.map((s) => getSession(s.id)))
    // 02:30 does not exist on the spring-forward day: it is read as 03:30 CEST; 04:00 CEST ends it.
    expect(gap!.scheduledStart).toBe('2030-03-31T01:30:00.000Z')
    expect(gap!.durationMinutes).toBe(30)
    // Floating: in the event's zone so far (Hong Kong), the file's TZID names the zone from now on.
    expect(floating!.scheduledStart).toBe('2030-07-10T01:00:00.000Z')
    expect(gap!.timeZone).toBe('Europe/Berlin')
    expect(await eventZone()).toBe('Europe/Berlin')

    const chosen = await importSchedule({ event: 'LA 2030', format: 'ics', content: ics.replace(/Swift/g, 'Heat'), timeZone: 'America/Los_Angeles' })
    expect(chosen.body.timeZone).toBe('America/Los_Angeles')
    const floatingLa = await getSession(chosen.body.sessions[1]!.id)
    expect(floatingLa.scheduledStart).toBe('2030-07-10T16:00:00.000Z')
    expect(await eventZone()).toBe('America/Los_Angeles')
    const bad = await importSchedule({ event: 'X', format: 'csv', content: csv([['a', 'b', 'c', '2030-01-01 09:00', '40']]), timeZone: 'Mars/Olympus' })
    expect(bad.status).toBe(400)
  })

  it('gives a session made by the form the event zone, or the zone it names', async () => {
    const { session } = await createSessionWithKeys(server.url, { title: 'Form session', scheduledStart: '2030-07-10T09:00:00-07:00' })
    expect(session.timeZone).toBe(await eventZone())
    const { session: berlin } = await createSessionWithKeys(server.url, { title: 'Form session Berlin', timeZone: 'Europe/Berlin' })
    expect(berlin.timeZone).toBe('Europe/Berlin')
  })
})

describe('readable ids', () => {
  it('keep the year of the event, cut titles between words, and name Chinese and emoji titles', async () => {
    const rows = [
      ['TripleO containerized deployment', 'TripleO', 'Room 1', '2030-11-05 09:00', '40'],
      ['HA production configuration of the high availability cluster', 'Oslo', 'Room 2', '2030-11-05 09:00', '40'],
      ['计算节点的调度', 'Nova', 'Room 3', '2030-11-05 10:00', '40'],
      ['🚀🔥', 'Nova', 'Room 3', '2030-11-05 11:00', '40'],
    ]
    const first = await importSchedule({ event: 'OpenStack Summit 2013', format: 'csv', content: csv(rows), timeZone: 'Asia/Hong_Kong' })
    const second = await importSchedule({ event: 'OpenStack Summit 2014', format: 'csv', content: csv(rows), timeZone: 'Asia/Hong_Kong' })
    expect(first.status).toBe(201)
    expect(second.status).toBe(201)
    const ids = first.body.sessions.map((s) => s.id)
    expect(ids.slice(0, 2)).toEqual(['openstack-summit-2013-tripleo-containerized-deployment', 'openstack-summit-2013-oslo-ha-production-configuration'])
    expect(ids[2]).toMatch(/^openstack-summit-2013-nova-s-[a-z2-9]{5}$/)
    expect(ids[3]).toMatch(/^openstack-summit-2013-nova-s-[a-z2-9]{5}$/)
    // The 2014 summit's import creates its own sessions, never matching 2013's.
    expect(second.body.sessions.map((s) => s.outcome)).toEqual(['created', 'created', 'created', 'created'])
    expect(second.body.sessions.map((s) => s.id)).toEqual(ids.map((id) => id.replace('2013', '2014')))
    expect((await getSession(ids[2]!)).title).toBe('计算节点的调度')
    // Re-importing matches the same sessions, Chinese and emoji ones included.
    const again = await importSchedule({ event: 'OpenStack Summit 2013', format: 'csv', content: csv(rows), timeZone: 'Asia/Hong_Kong' })
    expect(again.body.sessions.map((s) => [s.id, s.outcome])).toEqual(ids.map((id) => [id, 'unchanged']))
  })
})

describe('join codes', () => {
  const codePattern = new RegExp(`^[${joinCodeAlphabet}]{4,5}$`)

  it('are given at the start, lead to the attendee page in any case, and stop working at the end', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url, { title: 'Join me' })
    expect(session.joinCode).toBeNull()
    const started = await act(server.url, session.id, 'start', moderatorKey)
    const code = started.body.session!.joinCode!
    expect(code).toMatch(codePattern)
    expect((await getSession(session.id)).joinCode).toBe(code)
    for (const typed of [code, code.toLowerCase(), ` ${code.toLowerCase()}`.trim()]) {
      const res = await fetch(`${server.url}/j/${typed}`, { redirect: 'manual' })
      expect(res.status).toBe(302)
      expect(res.headers.get('location')).toBe(`/s/${session.id}`)
    }
    expect((await act(server.url, session.id, 'end', moderatorKey)).body.session!.joinCode).toBeNull()
    const page = await fetch(`${server.url}/j/${code}`, { redirect: 'manual', headers: { accept: 'text/html' } })
    expect(page.status).toBe(404)
    const html = await page.text()
    expect(html).toContain('Join code not found')
    expect(html).toContain('may have ended')
    const json = await fetch(`${server.url}/j/${code}`, { headers: { accept: 'application/json' } })
    expect(json.status).toBe(404)
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('not_found')
    expect((await fetch(`${server.url}/j/%3Cscript%3E`, { headers: { accept: 'text/html' } })).status).toBe(404)
  })

  it('are unique among live sessions', async () => {
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => createSessionWithKeys(server.url, { title: `Live ${i}` })))
    const codes = await Promise.all(created.map(async ({ session, moderatorKey }) => (await act(server.url, session.id, 'start', moderatorKey)).body.session!.joinCode!))
    expect(new Set(codes).size).toBe(codes.length)
    for (const code of codes) expect(code).toMatch(codePattern)
    const sessions = ((await checkedFetch(server.url, `${server.url}/api/sessions?state=live`)).body as { sessions: Session[] }).sessions
    for (const [i, { session }] of created.entries()) expect(sessions.find((s) => s.id === session.id)!.joinCode).toBe(codes[i])
  })
})
