/**
 * Webhooks over the outbox (issue 20), with the real server process and a real HTTP receiver in
 * the test process that checks every signature: the four events with their data, a receiver down
 * for a while (every delivery arrives once per id), a server killed with deliveries pending
 * (they arrive after the restart), the organizers' deliveries list and resend, and bad config.
 * Retries are fast through OUTBOX_BASE_DELAY_MS; nothing here measures time.
 */
import Database from 'better-sqlite3'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Delivery } from '../../shared/api-responses.ts'
import { act, checkedFetch, createSessionWithKeys } from '../helpers/api.ts'
import { summitCsv, summitSessions } from '../helpers/schedule-fixture.ts'
import { organizerHeaders, startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts'

const secret = 'whsec-test-0123456789abcdef'
const publicUrl = 'https://pads.summit.example'
let receiver: WebhookReceiver
let server: ServerProcess

const env = (url: string): Record<string, string> => ({
  WEBHOOK_URL: url,
  WEBHOOK_SECRET: secret,
  WEBHOOK_NAME: 'ci',
  PUBLIC_URL: publicUrl,
  OUTBOX_BASE_DELAY_MS: '20',
  OUTBOX_MAX_DELAY_MS: '100',
  OUTBOX_POLL_MS: '50',
  AUTO_END_AFTER_MINUTES: '0',
})

beforeAll(async () => {
  receiver = await startWebhookReceiver(secret)
  server = await startServerProcess({ env: env(receiver.url) })
})
afterAll(async () => {
  await server?.dispose()
  await receiver?.close()
})
afterEach(() => {
  receiver.down = false
})

const agenda = ['## Decisions', '', '**Decision:** Ship the placement API v2 first.', '', '## Action items', '', '**Action:** write the spec @kim due 2026-12-20', ''].join('\n')

async function deliveries(base = server.url): Promise<Delivery[]> {
  const res = await checkedFetch(base, `${base}/api/organizer/deliveries?limit=500`, { headers: organizerHeaders })
  expect(res.status).toBe(200)
  return (res.body as { deliveries: Delivery[] }).deliveries
}

const ofSession = (id: string, event: string) => receiver.accepted.filter((hook) => hook.event === event && (hook.data.session as { id: string }).id === id)

describe('webhooks', () => {
  it('sends session.started and session.ended (outcomes, participants, absolute links), signed, once each', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url, { title: 'Placement', track: 'Nova', room: 'Room 101', content: agenda })
    expect((await act(server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    await waitFor(() => ofSession(session.id, 'session.started').length === 1, 5000, 'session.started')
    expect((await act(server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const [ended] = await waitFor(() => (ofSession(session.id, 'session.ended').length === 1 ? ofSession(session.id, 'session.ended') : null), 5000, 'session.ended')
    expect(ended!.data).toMatchObject({
      session: { id: session.id, title: 'Placement', track: 'Nova', room: 'Room 101', state: 'ended' },
      outcomes: {
        decisions: ['Ship the placement API v2 first.'],
        actions: [{ text: 'write the spec @kim due 2026-12-20', owner: 'kim', due: '2026-12-20', state: 'open' }],
      },
      participants: [],
      links: { archive: `${publicUrl}/s/${session.id}/archive`, exports: { md: `${publicUrl}/api/sessions/${session.id}/export?format=md` } },
    })
    expect(ended!.headers['summitpad-event']).toBe('session.ended')
    expect(ended!.headers['summitpad-delivery']).toBe(ended!.id)
    expect(Date.parse(ended!.time)).not.toBeNaN()
    expect(receiver.badSignatures).toBe(0)
    const listed = (await deliveries()).filter((delivery) => delivery.id === ended!.id)
    expect(listed).toEqual([expect.objectContaining({ channel: 'webhook', target: 'ci', event: 'session.ended', status: 'delivered', attempts: 1, lastStatusCode: 204 })])
  })

  it('sends schedule.imported and session.updated for a re-import that moves a session', async () => {
    const sessions = summitSessions().slice(0, 3)
    const post = (content: string) =>
      fetch(`${server.url}/api/schedule/import`, { method: 'POST', headers: { 'content-type': 'application/json', ...organizerHeaders }, body: JSON.stringify({ event: 'Hooks', format: 'csv', content }) })
    expect((await post(summitCsv(sessions))).status).toBe(201)
    await waitFor(() => receiver.accepted.find((hook) => hook.event === 'schedule.imported' && hook.data.event === 'Hooks'), 5000, 'schedule.imported')
    const moved = sessions.map((entry, index) => (index === 1 ? { ...entry, room: 'Room 999' } : entry))
    expect((await post(summitCsv(moved))).status).toBe(200)
    const updated = await waitFor(() => receiver.accepted.find((hook) => hook.event === 'session.updated' && (hook.data.session as { room: string }).room === 'Room 999'), 5000, 'session.updated')
    expect(updated.data.changes).toEqual({ room: { from: sessions[1]!.room, to: 'Room 999' } })
    const imports = () => receiver.accepted.filter((hook) => hook.event === 'schedule.imported' && hook.data.event === 'Hooks')
    await waitFor(() => imports().length === 2, 5000, 'second schedule.imported')
    const second = imports()[1]!
    expect(second.data).toMatchObject({ created: 0, updated: 1, unchanged: 2 })
  })

  it('keeps retrying while the receiver is down; once it is back every delivery arrives exactly once per id', async () => {
    receiver.down = true
    const refusedBefore = receiver.refused
    const started: string[] = []
    for (let i = 0; i < 5; i++) {
      const { session, moderatorKey } = await createSessionWithKeys(server.url, { title: `Down ${i}` })
      expect((await act(server.url, session.id, 'start', moderatorKey)).status).toBe(200)
      started.push(session.id)
    }
    // Each of the five has been refused at least twice (a first attempt and a retry).
    await waitFor(async () => (await deliveries()).filter((d) => d.event === 'session.started' && d.attempts >= 2 && d.status === 'pending').length >= 5, 10_000, 'retries while down')
    expect(receiver.refused - refusedBefore).toBeGreaterThanOrEqual(10)
    receiver.down = false
    for (const id of started) await waitFor(() => ofSession(id, 'session.started').length === 1, 10_000, `session.started of ${id}`)
    const mine = (await deliveries()).filter((d) => d.event === 'session.started' && receiver.accepted.some((hook) => hook.id === d.id && started.includes((hook.data.session as { id: string }).id)))
    expect(mine).toHaveLength(5)
    for (const delivery of mine) expect(delivery).toMatchObject({ status: 'delivered', lastStatusCode: 204, lastError: null })
    expect(receiver.acceptedTwice).toEqual([])
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    const count = (result: string) => Number(new RegExp(`summitpad_outbox_attempts_total\\{channel="webhook",result="${result}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0)
    expect(count('retry')).toBeGreaterThanOrEqual(10)
    expect(count('delivered')).toBeGreaterThanOrEqual(5)
  })

  it('delivers what was pending when the server was killed, after the restart', async () => {
    receiver.down = true
    const { session, moderatorKey } = await createSessionWithKeys(server.url, { title: 'Crash' })
    expect((await act(server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    await waitFor(async () => (await deliveries()).some((d) => d.event === 'session.started' && d.status === 'pending' && d.attempts >= 1), 5000, 'a failed attempt')
    await server.kill('SIGKILL')
    receiver.down = false
    expect(ofSession(session.id, 'session.started')).toEqual([])
    await server.restart()
    await waitFor(() => ofSession(session.id, 'session.started').length === 1, 10_000, 'delivery after restart')
    expect(receiver.acceptedTwice).toEqual([])
  })

  it('reports a session that ended just before a crash, before it was archived, once the server is back', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url, { title: 'Ended at the crash', content: agenda })
    expect((await act(server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    await server.kill('SIGKILL')
    // What the end had stored when the process died: the state, not yet the archive record.
    const db = new Database(path.join(server.dataDir, 'summitpad.db'))
    db.prepare("UPDATE sessions SET state = 'ended', ended_at = ? WHERE id = ?").run(new Date().toISOString(), session.id)
    db.close()
    await server.restart()
    const [ended] = await waitFor(() => (ofSession(session.id, 'session.ended').length ? ofSession(session.id, 'session.ended') : null), 10_000, 'session.ended after restart')
    expect(ended!.data).toMatchObject({ outcomes: { decisions: ['Ship the placement API v2 first.'] } })
    expect((await fetch(`${server.url}/api/sessions/${session.id}/archive`)).status).toBe(200)
  })

  it('lets organizers (only) list deliveries and resend one, audit-logged', async () => {
    const anonymous = await fetch(`${server.url}/api/organizer/deliveries`)
    expect(anonymous.status).toBe(401)
    const wrong = await fetch(`${server.url}/api/organizer/deliveries`, { headers: { authorization: 'Bearer not-an-organizer-token-at-all' } })
    expect(wrong.status).toBe(403)
    expect((await fetch(`${server.url}/api/organizer/deliveries/x/resend`, { method: 'POST' })).status).toBe(401)
    const delivered = (await deliveries()).find((d) => d.status === 'delivered')!
    const before = receiver.accepted.filter((hook) => hook.id === delivered.id).length
    const res = await checkedFetch(server.url, `${server.url}/api/organizer/deliveries/${delivered.id}/resend`, { method: 'POST', headers: organizerHeaders })
    expect(res.status).toBe(200)
    expect((res.body as { delivery: Delivery }).delivery).toMatchObject({ id: delivered.id, status: 'pending' })
    await waitFor(() => receiver.acceptedTwice.includes(delivered.id), 5000, 'the resent delivery')
    expect(before).toBe(1)
    const again = await checkedFetch(server.url, `${server.url}/api/organizer/deliveries/nope/resend`, { method: 'POST', headers: organizerHeaders })
    expect(again.status).toBe(404)
    const audit = await checkedFetch(server.url, `${server.url}/api/audit`, { headers: organizerHeaders })
    expect((audit.body as { entries: { action: string; target: string }[] }).entries).toContainEqual(expect.objectContaining({ action: 'delivery.resend', target: delivered.id }))
    receiver.acceptedTwice.length = 0
  })
})

describe('webhook configuration', () => {
  const root = path.resolve(import.meta.dirname, '../..')
  const start = (extra: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env: { ...process.env, PORT: '0', DATA_DIR: ':memory:', ...extra }, encoding: 'utf8', timeout: 30_000 })

  it('refuses to start on a bad endpoint, naming each problem', () => {
    const result = start({ WEBHOOK_URL: 'ftp://x', WEBHOOK_SECRET: 'short', WEBHOOK_EVENTS: 'session.started,session.exploded' })
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('WEBHOOK_URL')
    expect(result.stderr).toContain('WEBHOOK_SECRET: a secret has at least 16 characters')
    expect(result.stderr).toContain('WEBHOOK_EVENTS')
  })

  it('refuses a NOTIFY_FILE that is not JSON or has unknown keys, and recap lists without SMTP', () => {
    const file = path.join(root, 'package.json')
    const unknownKeys = start({ NOTIFY_FILE: file })
    expect(unknownKeys.status).toBe(2)
    expect(unknownKeys.stderr).toContain('NOTIFY_FILE')
    const noSmtp = start({ RECAP_LIST: 'summit@lists.example.org' })
    expect(noSmtp.status).toBe(2)
    expect(noSmtp.stderr).toContain('SMTP_URL')
  })
})
