/**
 * What a server started with default settings no longer gives away (issue 15, parts 1 and 5):
 * session creation is rate limited per address and in total (organizers exempt) or reserved to
 * organizers; `/metrics` needs loopback, a token or its own port; the data directory and the
 * SQLite files are private to the server's user.
 */
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { organizerHeaders, startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { freePort } from '../helpers/free-port.ts'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-guards-'))
const servers: ServerProcess[] = []
let limited: ServerProcess
let organizersOnly: ServerProcess
let totalLimited: ServerProcess
let metricsPort: number
const metricsToken = 'metrics-token-0123456789'

/** A port nobody listens on right now. */

beforeAll(async () => {
  metricsPort = await freePort()
  ;[limited, organizersOnly, totalLimited] = await Promise.all([
    // The documented defaults of the creation limits (the test helper turns them off otherwise).
    startServerProcess({ dataDir: path.join(tmp, 'fresh', 'data'), env: { SESSION_CREATE_PER_IP_PER_MINUTE: '10', SESSION_CREATE_BURST_PER_IP: '20', SESSION_CREATE_PER_MINUTE: '120' } }),
    startServerProcess({ env: { SESSION_CREATION: 'organizers', METRICS_TOKEN: metricsToken } }),
    startServerProcess({ env: { SESSION_CREATE_PER_IP_PER_MINUTE: '0', SESSION_CREATE_PER_MINUTE: '5', METRICS_PORT: String(metricsPort) } }),
  ])
  servers.push(limited, organizersOnly, totalLimited)
})
afterAll(async () => {
  await Promise.all(servers.map((server) => server.dispose()))
  fs.rmSync(tmp, { recursive: true, force: true })
})

/** `POST /api/sessions` from `localAddress` (any 127.x address reaches the loopback listener). */
function create(server: ServerProcess, title: string, options: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; retryAfter: string | null; body: { error?: { code: string; message: string } } }> {
  const payload = JSON.stringify({ title })
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.url}/api/sessions`,
      { method: 'POST', localAddress: options.localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...options.headers } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => resolve({ status: res.statusCode!, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null, body: JSON.parse(text) as never }))
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

describe('session creation', () => {
  it('is limited per address with a 429, Retry-After and the limit named; other addresses and organizers go on', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 20; i++) statuses.push((await create(limited, `Burst ${i}`)).status)
    expect(statuses.every((status) => status === 201)).toBe(true)
    const refused = await create(limited, 'One too many')
    expect(refused.status).toBe(429)
    expect(refused.body.error!.code).toBe('rate_limited')
    expect(refused.body.error!.message).toContain('at most 20 at once, then 10 a minute')
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60)
    expect((await create(limited, 'Another address', { localAddress: '127.0.0.2' })).status).toBe(201)
    for (let i = 0; i < 3; i++) expect((await create(limited, `Organizer ${i}`, { headers: organizerHeaders })).status).toBe(201)
  })

  it('never limits a 200-session schedule import by an organizer', async () => {
    const start = new Date(Date.now() + 86_400_000)
    const rows = Array.from({ length: 200 }, (_, i) => `Session ${i},Track ${i % 8},Room ${i % 12},${new Date(start.getTime() + Math.floor(i / 12) * 3_600_000).toISOString()},40`)
    const res = await fetch(`${limited.url}/api/schedule/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...organizerHeaders },
      body: JSON.stringify({ event: 'Big summit', format: 'csv', content: ['title,track,room,start,duration', ...rows].join('\r\n') }),
    })
    expect(res.status).toBe(201)
    expect(((await res.json()) as { created: number }).created).toBe(200)
  })

  it('is limited in total across addresses', async () => {
    for (let i = 0; i < 5; i++) expect((await create(totalLimited, `Total ${i}`, { localAddress: `127.0.0.${10 + i}` })).status).toBe(201)
    const refused = await create(totalLimited, 'Over the total', { localAddress: '127.0.0.20' })
    expect(refused.status).toBe(429)
    expect(refused.body.error!.message).toContain('on this server')
    expect(refused.retryAfter).not.toBeNull()
  })

  it('is reserved to organizers with SESSION_CREATION=organizers', async () => {
    const anonymous = await create(organizersOnly, 'Anonymous')
    expect(anonymous.status).toBe(401)
    expect(anonymous.body.error!.code).toBe('organizer_required')
    expect((await create(organizersOnly, 'Wrong', { headers: { authorization: 'Bearer not-an-organizer-token' } })).status).toBe(403)
    expect((await create(organizersOnly, 'By an organizer', { headers: organizerHeaders })).status).toBe(201)
  })
})

describe('/metrics', () => {
  it('answers only direct loopback requests when neither a token nor a port is set', async () => {
    expect((await fetch(`${limited.url}/metrics`)).status).toBe(200)
    expect((await fetch(`${limited.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(404)
  })

  it('requires METRICS_TOKEN as a Bearer token when set', async () => {
    expect((await fetch(`${organizersOnly.url}/metrics`)).status).toBe(404)
    expect((await fetch(`${organizersOnly.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(404)
    const res = await fetch(`${organizersOnly.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('summitpad_connections')
  })

  it('moves to METRICS_PORT when set', async () => {
    expect((await fetch(`${totalLimited.url}/metrics`)).status).toBe(404)
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('summitpad_connections')
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/sessions`)).status).toBe(404)
  })
})

describe('the data directory', () => {
  it('is created 0700, and the SQLite files are 0600', () => {
    const dir = path.join(tmp, 'fresh', 'data')
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
    const files = fs.readdirSync(dir).filter((name) => name.startsWith('summitpad.db'))
    expect(files).toContain('summitpad.db')
    expect(files).toContain('summitpad.db-wal')
    for (const name of files) expect(fs.statSync(path.join(dir, name)).mode & 0o777, name).toBe(0o600)
  })
})
