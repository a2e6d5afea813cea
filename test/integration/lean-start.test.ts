/**
 * Issue 21, item 4 (a lean process): a server started with the default settings (SQLite, local
 * bus, no mail, no OIDC) and not yet asked for anything has not loaded the packages only some
 * requests or settings need: they are imported on first use, and each holds memory an idle
 * server never uses. The routes that load them are tested where they are (archive, restore,
 * imports, recap mail, OIDC, scale-out), and so do the API's routers (on the first request under
 * /api). And its young generation is still the size V8 starts it
 * at, not grown by the start (server/startup-heap.ts).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'

/** Packages loaded on first use only: what needs them, in brackets. */
const lazyPackages = [
  'ioredis', // REDIS_URL
  'pg', // DATABASE_URL
  'nodemailer', // the first recap mail or .eml export
  'openid-client', // the first OIDC sign-in
  'y-prosemirror', // the first session created (its pad's seed), the first restore
  'prosemirror-view',
  'prosemirror-markdown', // exports and imports
  'markdown-it',
  'htmlparser2', // Etherpad imports (in a worker)
  'fflate', // the archive zip
  'ical.js', // schedule imports (in a worker)
  'qrcode',
  'csv-parse',
  'express', // the first request that is not a health check (the web app, http/lazy-app.ts)
  'zod', // the first API request that validates a body or query (the configuration is read without it)
]

describe('an idle server with the default settings', () => {
  let server: ServerProcess
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-loaded-')), 'loaded.txt')
  const hooks = path.resolve(import.meta.dirname, '../helpers/loaded-modules.mjs')

  beforeAll(async () => {
    server = await startServerProcess({ env: { LOADED_MODULES_FILE: logFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${hooks}`.trim() } })
  })
  afterAll(async () => {
    await server?.dispose()
    fs.rmSync(path.dirname(logFile), { recursive: true, force: true })
  })

  it('has loaded none of the packages only some requests or settings need', async () => {
    const health = await fetch(`${server.url}/healthz?probe=1`)
    expect(health.status).toBe(200)
    // Answered without the app, as the app answers it.
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(health.headers.get('cache-control')).toBe('no-store')
    expect(health.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(health.headers.get('x-frame-options')).toBe('DENY')
    expect(await health.json()).toMatchObject({ status: 'ok', store: { kind: 'sqlite', status: 'up' }, bus: { status: 'up' } })
    const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    const loaded = fs.readFileSync(logFile, 'utf8').split('\n')
    // The log works: the server's own packages are in it.
    expect(loaded.some((url) => url.includes('/node_modules/ws/'))).toBe(true)
    expect(loaded.some((url) => url.includes('/node_modules/yjs/'))).toBe(true)
    const early = lazyPackages.filter((name) => loaded.some((url) => url.includes(`/node_modules/${name}/`)))
    expect(early).toEqual([])
  })

  it('keeps the young generation at its initial size through the start', async () => {
    // Read from the default metrics (loopback access): V8's new space, both semi-spaces.
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    const match = /^summitpad_process_nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)/m.exec(metrics)
    expect(match).not.toBeNull()
    // 2 MiB as V8 starts it (one doubling allowed for what runs after the start); a start that
    // grows it reaches 16 or 32 MiB.
    expect(Number(match![1])).toBeLessThanOrEqual(4 * 1024 * 1024)
    // A scrape, like a health check, is answered without loading the web app (express).
    expect(fs.readFileSync(logFile, 'utf8').split('\n').some((url) => url.includes('/node_modules/express/'))).toBe(false)
  })

  // Last: the first API request loads (and allocates) what the tests above check is not there.
  it("loads the API's routers on the first request under /api, not before", async () => {
    const routers = () => fs.readFileSync(logFile, 'utf8').split('\n').filter((url) => /\/server\/http\/(api-router|routes\/sessions)\./.test(url))
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    expect(routers()).toEqual([])
    const time = await fetch(`${server.url}/api/time`)
    expect(time.status).toBe(200)
    expect(((await time.json()) as { now: number }).now).toBeGreaterThan(0)
    expect(routers()).toHaveLength(2)
  })
})
