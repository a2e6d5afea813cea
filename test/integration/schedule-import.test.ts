/**
 * Schedule import through the real server: a 144-session CSV and the same schedule as iCalendar
 * create sessions with seeded pads and links; re-import is stable and touches no pad; a bad row
 * refuses the whole import with its line; a dry run creates nothing; the size limit holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Session } from '../../shared/api.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { connectPad, waitForSynced } from '../helpers/clients.ts'
import { summitCsv, summitIcs, summitSessions } from '../helpers/schedule-fixture.ts'
import { startServerProcess, type ServerProcess, organizerHeaders } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess({ env: { AUTO_END_AFTER_MINUTES: '0' } })
})
afterAll(async () => {
  await server?.dispose()
})

interface ImportResponse {
  dryRun: boolean
  created: number
  updated: number
  unchanged: number
  sessions: { id: string; outcome: string; line: number; changes?: Record<string, { from: unknown; to: unknown }>; links?: { moderator: string } }[]
  error?: { code: string; message: string; details?: { problems: { line: number; message: string }[] } }
}

async function importSchedule(body: unknown): Promise<{ status: number; body: ImportResponse }> {
  const res = await fetch(`${server.url}/api/schedule/import`, { method: 'POST', headers: { 'content-type': 'application/json', ...organizerHeaders }, body: JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as ImportResponse }
}

async function sessionCount(): Promise<number> {
  const res = await fetch(`${server.url}/api/sessions`)
  return ((await res.json()) as { sessions: Session[] }).sessions.length
}

describe('schedule import', () => {
  it('refuses a schedule with a bad row as a whole, naming the line, and a dry run creates nothing', async () => {
    const rows = summitCsv().split('\r\n')
    rows[40] = rows[40]!.replace('2026-05-', 'May ')
    const bad = await importSchedule({ event: 'Summit', format: 'csv', content: rows.join('\r\n') })
    expect(bad.status).toBe(400)
    expect(bad.body.error!.details!.problems).toEqual([{ line: 41, message: 'start is not a date and time' }])
    const dry = await importSchedule({ event: 'Summit', format: 'csv', content: summitCsv(), dryRun: true })
    expect(dry.status).toBe(200)
    expect(dry.body).toMatchObject({ dryRun: true, created: 144, updated: 0 })
    expect(dry.body.sessions.every((session) => session.links === undefined)).toBe(true)
    expect(await sessionCount()).toBe(0)
    const huge = await fetch(`${server.url}/api/schedule/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...organizerHeaders },
      body: JSON.stringify({ event: 'Summit', format: 'csv', content: 'x'.repeat(6 * 1024 * 1024) }),
    })
    expect(huge.status).toBe(413)
    // Since issue 19 an event named without a-z or 0-9 is imported (under a hash of its name).
    expect((await importSchedule({ event: 'Summit', format: 'csv', content: summitCsv(), timeZone: 'Not/AZone' })).status).toBe(400)
    expect((await importSchedule({ event: 'Summit', format: 'xlsx', content: '' })).status).toBe(400)
  })

  it('creates every session with its pad and links, re-imports without touching pads, and reports changes', async () => {
    // The iCalendar copy below names Europe/Berlin; the CSV's times carry `Z`, so the zone changes no time.
    const first = await importSchedule({ event: 'Summit', format: 'csv', content: summitCsv(), timeZone: 'Europe/Berlin' })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ created: 144, updated: 0, unchanged: 0 })
    expect(await sessionCount()).toBe(144)
    const firstId = first.body.sessions[0]!.id
    expect(firstId).toBe('summit-nova-roadmap-day-1')
    expect(first.body.sessions[0]!.links!.moderator).toMatch(new RegExp(`^/s/${firstId}#key=`))
    const session = (await (await fetch(`${server.url}/api/sessions/${firstId}`)).json()) as { session: Session }
    expect(session.session).toMatchObject({ title: 'Nova roadmap day 1', track: 'Nova', room: 'Room 101', scheduledStart: '2026-05-11T09:00:00.000Z', durationMinutes: 40, timeZone: 'Europe/Berlin' })

    // Someone writes in a pad; the description seeded it.
    const client = connectPad(server.wsUrl, firstId, { ack: true })
    await waitForSynced(client)
    const fragment = client.ydoc.getXmlFragment(padFragmentName)
    expect(fragment.toString()).toContain('agree on priorities')
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('notes typed before the re-import')])
    fragment.insert(fragment.length, [paragraph])
    await waitFor(() => client.isSaved(), 5000, 'edit stored')
    client.destroy()

    // The same schedule again, as iCalendar: same ids, nothing to change.
    const same = await importSchedule({ event: 'Summit', format: 'ics', content: summitIcs() })
    expect(same.status).toBe(200)
    expect(same.body).toMatchObject({ created: 0, updated: 0, unchanged: 144 })

    // Rooms and times moved: updated and reported, pads untouched, no new sessions.
    const moved = summitSessions().map((s, i) => (i === 0 ? { ...s, room: 'Hall A', start: '2026-05-11T09:30:00Z' } : s))
    const again = await importSchedule({ event: 'Summit', format: 'csv', content: summitCsv(moved) })
    expect(again.body).toMatchObject({ created: 0, updated: 1, unchanged: 143 })
    expect(again.body.sessions[0]!.changes).toEqual({
      room: { from: 'Room 101', to: 'Hall A' },
      scheduledStart: { from: '2026-05-11T09:00:00.000Z', to: '2026-05-11T09:30:00.000Z' },
    })
    expect(await sessionCount()).toBe(144)
    const reader = connectPad(server.wsUrl, firstId)
    await waitForSynced(reader)
    expect(reader.ydoc.getXmlFragment(padFragmentName).toString()).toContain('notes typed before the re-import')
    reader.destroy()
  })
})
