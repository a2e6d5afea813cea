import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Session, SessionLinks } from '../../shared/api.ts'
import { createSession } from '../helpers/api.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'

let server: ServerProcess

beforeAll(async () => {
  server = await startServerProcess()
})
afterAll(async () => {
  await server?.dispose()
})

function post(path: string, body: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body })
}

/** Asserts `res` is the error envelope with `status` and `code`; returns its message. */
async function expectError(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = (await res.json()) as { error: { code: string; message: string } }
  expect(body.error.code).toBe(code)
  expect(typeof body.error.message).toBe('string')
  expect(body.error.message.length).toBeGreaterThan(0)
  return body.error.message
}

/** A track name no other test uses, so list assertions see only this test's sessions. */
const uniqueTrack = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`

describe('POST /api/sessions', () => {
  it('creates a session with defaults and answers 201 with its Location', async () => {
    const res = await post('/api/sessions', JSON.stringify({ title: '  Release planning  ' }))
    expect(res.status).toBe(201)
    const body = (await res.json()) as { session: Session; links: SessionLinks }
    expect(res.headers.get('location')).toBe(`/api/sessions/${body.session.id}`)
    expect(body.links.attendee).toBe(`/s/${body.session.id}`)
    expect(body.links.moderator).toMatch(new RegExp(`^/s/${body.session.id}#key=[A-Za-z0-9_-]+$`))
    expect(body.session).toMatchObject({
      title: 'Release planning',
      track: '',
      room: '',
      moderator: '',
      scheduledStart: null,
      durationMinutes: 40,
      state: 'scheduled',
    })
    expect(body.session.id).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/)
    expect(Date.parse(body.session.createdAt)).not.toBeNaN()
  })

  it('normalizes scheduledStart to a UTC ISO timestamp', async () => {
    const session = await createSession(server.url, { title: 'Offset', scheduledStart: '2025-10-21T16:30:00+02:00' })
    expect(session.scheduledStart).toBe('2025-10-21T14:30:00.000Z')
    const fetched = await fetch(`${server.url}/api/sessions/${session.id}`)
    expect(((await fetched.json()) as { session: Session }).session.scheduledStart).toBe('2025-10-21T14:30:00.000Z')
  })

  it('stores every field it was given', async () => {
    const session = await createSession(server.url, {
      title: 'Full',
      track: 'Nova',
      room: 'Hall B',
      moderator: 'Grace',
      durationMinutes: 90,
      scheduledStart: '2025-10-22T09:00:00Z',
    })
    expect(session).toMatchObject({ track: 'Nova', room: 'Hall B', moderator: 'Grace', durationMinutes: 90 })
  })

  it.each([
    ['an empty title', { title: '' }],
    ['a blank title', { title: '   ' }],
    ['no title', {}],
    ['durationMinutes below 5', { title: 'x', durationMinutes: 3 }],
    ['a fractional durationMinutes', { title: 'x', durationMinutes: 40.5 }],
    ['durationMinutes as a string', { title: 'x', durationMinutes: '40' }],
    ['a scheduledStart without offset', { title: 'x', scheduledStart: '2025-10-21T16:30:00' }],
    ['an unknown field', { title: 'x', color: 'red' }],
    ['a title over 200 characters', { title: 'x'.repeat(201) }],
  ])('rejects %s with 400 invalid_body', async (_label, body) => {
    await expectError(await post('/api/sessions', JSON.stringify(body)), 400, 'invalid_body')
  })

  it('names the offending field in the message', async () => {
    const message = await expectError(await post('/api/sessions', JSON.stringify({ title: 'x', durationMinutes: 0 })), 400, 'invalid_body')
    expect(message).toContain('durationMinutes')
  })

  it('rejects a body that is not JSON with 400 bad_request', async () => {
    await expectError(await post('/api/sessions', '{"title": "x",'), 400, 'bad_request')
  })

  it('rejects a body over 256 KiB with 413 payload_too_large', async () => {
    const session = await createSession(server.url)
    const body = JSON.stringify({ minutes: 5, padding: 'x'.repeat(300 * 1024) })
    await expectError(await post(`/api/sessions/${session.id}/extend`, body), 413, 'payload_too_large')
  })

  it('rejects a create body far over any limit with 413 payload_too_large', async () => {
    const body = JSON.stringify({ title: 'big', description: 'x'.repeat(3 * 1024 * 1024) })
    await expectError(await post('/api/sessions', body), 413, 'payload_too_large')
  })

  it('accepts a body just under the limit and validates it', async () => {
    const body = JSON.stringify({ title: 'big', description: 'x'.repeat(200 * 1024) })
    // Parsed (not 413), then refused by validation: description is at most 2000 characters.
    await expectError(await post('/api/sessions', body), 400, 'invalid_body')
  })
})

describe('GET /api/sessions', () => {
  it('lists sessions ordered by scheduled start, unscheduled last, and filters by track', async () => {
    const track = uniqueTrack('order')
    const specs: [string, string | null][] = [
      ['Late', '2025-10-23T09:00:00Z'],
      ['Unscheduled', null],
      ['Early', '2025-10-21T09:00:00Z'],
      // Earlier than "Early" in UTC although its local time reads later.
      ['Earliest', '2025-10-21T10:00:00+03:00'],
    ]
    for (const [title, scheduledStart] of specs) await createSession(server.url, { title, track, scheduledStart })
    await createSession(server.url, { title: 'Elsewhere', track: uniqueTrack('other') })

    const res = await fetch(`${server.url}/api/sessions?track=${encodeURIComponent(track)}`)
    expect(res.status).toBe(200)
    const { sessions } = (await res.json()) as { sessions: Session[] }
    expect(sessions.map((session) => session.title)).toEqual(['Earliest', 'Early', 'Late', 'Unscheduled'])
    expect(sessions.every((session) => session.track === track)).toBe(true)

    const all = (await (await fetch(`${server.url}/api/sessions`)).json()) as { sessions: Session[] }
    expect(all.sessions.map((session) => session.title)).toEqual(expect.arrayContaining(['Earliest', 'Elsewhere']))
  })

  it('filters by state', async () => {
    const track = uniqueTrack('state')
    await createSession(server.url, { title: 'Scheduled one', track })
    const scheduled = (await (await fetch(`${server.url}/api/sessions?track=${track}&state=scheduled`)).json()) as { sessions: Session[] }
    expect(scheduled.sessions.map((session) => session.title)).toEqual(['Scheduled one'])
    const live = (await (await fetch(`${server.url}/api/sessions?track=${track}&state=live`)).json()) as { sessions: Session[] }
    expect(live.sessions).toEqual([])
  })

  it('rejects an unknown query parameter or state with 400 bad_request', async () => {
    await expectError(await fetch(`${server.url}/api/sessions?color=red`), 400, 'bad_request')
    await expectError(await fetch(`${server.url}/api/sessions?state=paused`), 400, 'bad_request')
  })
})

describe('GET /api/sessions/:id', () => {
  it('returns the session as created', async () => {
    const created = await createSession(server.url, { title: 'Fetch me', track: 'Nova' })
    const res = await fetch(`${server.url}/api/sessions/${created.id}`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { session: Session }).session).toMatchObject(created)
  })

  it.each([
    ['an unknown id', 'no-such-session'],
    ['a malformed id', 'NOT_AN_ID'],
  ])('answers 404 session_not_found for %s', async (_label, id) => {
    await expectError(await fetch(`${server.url}/api/sessions/${id}`), 404, 'session_not_found')
  })
})

describe('other routes', () => {
  it('answers an unknown /api route with 404 JSON not_found', async () => {
    await expectError(await fetch(`${server.url}/api/nope`), 404, 'not_found')
    await expectError(await fetch(`${server.url}/api/sessions/abc/def/ghi`), 404, 'not_found')
    await expectError(await post('/api/nope', '{}'), 404, 'not_found')
  })

  it('answers /healthz with 200', async () => {
    const res = await fetch(`${server.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok' })
  })

  it('sends no stack traces or internals in error bodies', async () => {
    const res = await post('/api/sessions', '{"title": ')
    const text = await res.text()
    expect(text).not.toMatch(/at .*\.(ts|js):\d+/)
    expect(text).not.toContain('SyntaxError')
  })
})
