/**
 * Organizer authority (issue 15, part 1) through the real server: organizer-only routes answer
 * 401 without a credential and 403 with a wrong one; the web sign-in cookie works until sign-out;
 * every organizer action lands in the audit log; session creation follows its policy and limits;
 * a re-import only ever matches sessions its own event imported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Session } from '../../shared/api.ts'
import type { AuditEntry } from '../../shared/organizer.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { organizerHeaders, organizerToken, startServerProcess, type ServerProcess } from '../helpers/start-server.ts'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess({ env: { AUTO_END_AFTER_MINUTES: '30' } })
})
afterAll(async () => {
  await server?.dispose()
})

interface Answer {
  status: number
  headers: Headers
  body: Record<string, unknown> & { error?: { code: string; message: string; details?: { problems?: { line: number; message: string }[] } } }
}

async function call(method: string, path: string, options: { headers?: Record<string, string>; body?: unknown; base?: string } = {}): Promise<Answer> {
  const res = await fetch(`${options.base ?? server.url}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  const text = await res.text()
  let body: Answer['body'] = {}
  try {
    body = JSON.parse(text) as Answer['body']
  } catch {
    body = { text }
  }
  return { status: res.status, headers: res.headers, body }
}

/** A CSV schedule of `titles` (track, title) starting tomorrow, so the auto-end job leaves them alone. */
function schedule(rows: [track: string, title: string][], startIso = new Date(Date.now() + 86_400_000).toISOString()): string {
  return ['title,track,room,start,duration', ...rows.map(([track, title], i) => `${title},${track},Room ${i},${startIso},40`)].join('\r\n')
}

async function auditEntries(): Promise<AuditEntry[]> {
  const answer = await call('GET', '/api/audit?limit=500', { headers: organizerHeaders })
  expect(answer.status).toBe(200)
  return answer.body.entries as AuditEntry[]
}

describe('organizer-only routes', () => {
  it('refuse the schedule import, the archive zip and the audit log without a credential (401) and with a wrong one (403)', async () => {
    const { moderatorKey } = await createSessionWithKeys(server.url, { title: 'Someone else' })
    const body = { event: 'Gate', format: 'csv', content: schedule([['nova', 'Roadmap']]) }
    const requests: [string, string, unknown][] = [
      ['POST', '/api/schedule/import', body],
      ['GET', '/api/archive/export.zip', undefined],
      ['GET', '/api/audit', undefined],
    ]
    for (const [method, path, payload] of requests) {
      const none = await call(method, path, { body: payload })
      expect(none.status, path).toBe(401)
      expect(none.body.error).toMatchObject({ code: 'organizer_required' })
      expect(none.body.error!.message).toContain('organizer')
      for (const wrong of ['not-an-organizer-token-at-all', moderatorKey]) {
        const refused = await call(method, path, { body: payload, headers: { authorization: `Bearer ${wrong}` } })
        expect(refused.status, path).toBe(403)
        expect(refused.body.error).toMatchObject({ code: 'forbidden' })
      }
    }
    const list = await call('GET', '/api/sessions')
    expect((list.body.sessions as Session[]).some((session) => session.title === 'Roadmap')).toBe(false)
  })

  it('let an organizer import, download the zip and delete any session, each written to the audit log', async () => {
    const imported = await call('POST', '/api/schedule/import', { headers: organizerHeaders, body: { event: 'Audited', format: 'csv', content: schedule([['nova', 'Audited one']]) } })
    expect(imported.status).toBe(201)
    const zip = await call('GET', '/api/archive/export.zip', { headers: organizerHeaders })
    expect(zip.status).toBe(200)
    expect(zip.headers.get('content-type')).toBe('application/zip')

    const victim = await createSessionWithKeys(server.url, { title: 'To be removed' })
    const editorTry = await createSessionWithKeys(server.url, { title: 'Keyed', access: 'key' })
    const byEditor = await call('DELETE', `/api/sessions/${editorTry.session.id}`, { headers: { authorization: `Bearer ${editorTry.editorKey}` } })
    expect(byEditor.status).toBe(403)
    expect((await call('DELETE', `/api/sessions/${victim.session.id}`)).status).toBe(401)
    expect((await call('DELETE', `/api/sessions/${victim.session.id}`, { headers: organizerHeaders })).status).toBe(204)
    expect((await call('GET', `/api/sessions/${victim.session.id}`)).status).toBe(404)
    // The moderator may still delete their own session.
    expect((await call('DELETE', `/api/sessions/${editorTry.session.id}`, { headers: { authorization: `Bearer ${editorTry.moderatorKey}` } })).status).toBe(204)

    const entries = await auditEntries()
    const actions = entries.map((entry) => `${entry.action} ${entry.target ?? ''}`)
    expect(actions).toContain(`session.delete ${victim.session.id}`)
    expect(actions).toContain('archive.export ')
    expect(actions).toContain('schedule.import Audited')
    const importEntry = entries.find((entry) => entry.action === 'schedule.import' && entry.target === 'Audited')!
    expect(importEntry.actor).toEqual({ kind: 'token', id: expect.stringMatching(/^token-[0-9a-f]{8}$/), name: expect.any(String) })
    expect(importEntry.details).toMatchObject({ created: 1, format: 'csv' })
    expect(Date.parse(importEntry.at)).toBeGreaterThan(Date.now() - 60_000)
    // Newest first.
    expect(entries[0]!.id).toBeGreaterThan(entries[entries.length - 1]!.id)
    expect(JSON.stringify(entries)).not.toContain(organizerToken)
  })

  it('sign in on the web with a token: an HttpOnly, SameSite=Strict cookie that works until sign-out', async () => {
    expect((await call('POST', '/api/organizer/session', { body: { token: 'wrong-token-wrong-token' } })).status).toBe(403)
    const signIn = await call('POST', '/api/organizer/session', { body: { token: organizerToken } })
    expect(signIn.status).toBe(200)
    const setCookie = signIn.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/^summitpad_organizer=[A-Za-z0-9_-]{20,};/)
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Strict')
    expect(setCookie).not.toContain(organizerToken)
    const cookie = setCookie.split(';')[0]!

    const me = await call('GET', '/api/organizer/me', { headers: { cookie } })
    expect(me.body.organizer).toMatchObject({ kind: 'token' })
    expect((await call('GET', '/api/organizer/me')).body.organizer).toBeNull()
    const imported = await call('POST', '/api/schedule/import', { headers: { cookie }, body: { event: 'Cookie', format: 'csv', content: schedule([['nova', 'By cookie']]) } })
    expect(imported.status).toBe(201)

    const signOut = await call('DELETE', '/api/organizer/session', { headers: { cookie } })
    expect(signOut.status).toBe(204)
    expect(signOut.headers.get('set-cookie')).toContain('Max-Age=0')
    const after = await call('GET', '/api/audit', { headers: { cookie } })
    expect(after.status).toBe(403)
    expect(after.body.error!.message).toContain('sign in again')
    const actions = (await auditEntries()).map((entry) => entry.action)
    expect(actions).toEqual(expect.arrayContaining(['organizer.sign-in', 'organizer.sign-out']))
  })
})

describe('schedule import within its event', () => {
  it('never matches a session by id: another event, or a readable id that is taken, gets a session of its own', async () => {
    const first = await call('POST', '/api/schedule/import', { headers: organizerHeaders, body: { event: 'A', format: 'csv', content: schedule([['b-c', 'd']]) } })
    expect(first.status).toBe(201)
    const firstSession = (first.body.sessions as { id: string }[])[0]!
    expect(firstSession.id).toBe('a-b-c-d')
    // Event "a-b", track "c", title "d" slugs to the same readable id: before, it rewrote a-b-c-d.
    const second = await call('POST', '/api/schedule/import', {
      headers: organizerHeaders,
      body: { event: 'a-b', format: 'csv', content: schedule([['c', 'd']], new Date(Date.now() + 2 * 86_400_000).toISOString()) },
    })
    expect(second.status).toBe(201)
    const secondSession = (second.body.sessions as { id: string; outcome: string }[])[0]!
    expect(secondSession.outcome).toBe('created')
    expect(secondSession.id).not.toBe('a-b-c-d')
    const untouched = (await call('GET', '/api/sessions/a-b-c-d')).body.session as Session
    expect(untouched.room).toBe('Room 0')
    expect(Date.parse(untouched.scheduledStart!)).toBeLessThan(Date.now() + 1.5 * 86_400_000)
    // Re-importing event A matches its own session again.
    const again = await call('POST', '/api/schedule/import', { headers: organizerHeaders, body: { event: 'A', format: 'csv', content: schedule([['b-c', 'd']]).replace('Room 0', 'Hall 9') } })
    expect(again.status).toBe(200)
    expect(again.body.sessions).toEqual([expect.objectContaining({ id: 'a-b-c-d', outcome: 'updated' })])
  })

  it('imports a title or an event without a letter or digit under a hash of it, and the attack of issue 15 reaches nothing', async () => {
    const target = await createSessionWithKeys(server.url, { title: 'Random id target' })
    const attack = await call('POST', '/api/schedule/import', {
      headers: organizerHeaders,
      body: { event: target.session.id, format: 'csv', content: schedule([['', '???']]) },
    })
    expect(attack.status).toBe(201)
    const imported = (attack.body.sessions as { id: string; outcome: string }[])[0]!
    expect(imported.outcome).toBe('created')
    expect(imported.id).toMatch(new RegExp(`^${target.session.id}-s-[a-z2-9]{5}$`))
    expect(((await call('GET', `/api/sessions/${target.session.id}`)).body.session as Session).title).toBe('Random id target')
    const noEvent = await call('POST', '/api/schedule/import', { headers: organizerHeaders, body: { event: '!!!', format: 'csv', content: schedule([['x', 'Fine']]) } })
    expect(noEvent.status).toBe(201)
    expect((noEvent.body.sessions as { id: string }[])[0]!.id).toMatch(/^e-[a-z2-9]{5}-x-fine$/)
  })

  it('refuses to move a session into a slot the auto-end job would end at once, and leaves live sessions alone', async () => {
    const created = await call('POST', '/api/schedule/import', { headers: organizerHeaders, body: { event: 'Timing', format: 'csv', content: schedule([['t', 'Early'], ['t', 'Running']]) } })
    expect(created.status).toBe(201)
    const yesterday = new Date(Date.now() - 86_400_000).toISOString()
    const moved = await call('POST', '/api/schedule/import', { headers: organizerHeaders, body: { event: 'Timing', format: 'csv', content: schedule([['t', 'Early'], ['t', 'Running']], yesterday) } })
    expect(moved.status).toBe(422)
    expect(moved.body.error!.details!.problems!.map((problem) => problem.line)).toEqual([2, 3])
    expect(moved.body.error!.details!.problems![0]!.message).toContain('ended automatically')

    const running = (created.body.sessions as { id: string; title: string; links: { moderator: string } }[]).find((session) => session.title === 'Running')!
    const moderatorKey = /#key=(.+)$/.exec(running.links.moderator)![1]!
    expect((await act(server.url, running.id, 'start', moderatorKey)).status).toBe(200)
    const later = new Date(Date.now() + 3 * 86_400_000).toISOString()
    const reimport = await call('POST', '/api/schedule/import', { headers: organizerHeaders, body: { event: 'Timing', format: 'csv', content: schedule([['t', 'Running']], later) } })
    expect(reimport.status).toBe(200)
    expect(reimport.body.sessions).toEqual([expect.objectContaining({ id: running.id, outcome: 'skipped', reason: expect.stringContaining('live') })])
    const session = (await call('GET', `/api/sessions/${running.id}`)).body.session as Session
    expect(session.state).toBe('live')
    expect(session.scheduledStart).not.toBe(later)
  })
})

describe('the export query', () => {
  it('refuses repeated and unknown keys with 400', async () => {
    const { session } = await createSessionWithKeys(server.url, { title: 'Export query' })
    for (const query of ['format=md&format=x', 'format=md&format=md', 'format=md&flavour=x', 'rev=1&format=md&format=txt', 'rev=1&rev=2']) {
      const answer = await call('GET', `/api/sessions/${session.id}/export?${query}`)
      expect(answer.status, query).toBe(400)
      expect(answer.body.error!.code).toBe('bad_request')
    }
    expect((await call('GET', `/api/sessions/${session.id}/export?format=txt`)).status).toBe(200)
  })
})
