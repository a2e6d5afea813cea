/**
 * The OpenAPI document (`/api/openapi.json`) describes the API the server really serves: every
 * route the express app mounts is in it (the app's router stack, walked), and real answers of a
 * real server, through a whole session's life, a schedule import and an Etherpad import, validate
 * against it.
 */
import type { Express } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type AppDeps } from '../../server/http/app.ts'
import { apiRouter } from '../../server/http/api-router.ts'
import { openApiPath, type OpenApiDocument } from '../../server/http/openapi.ts'
import { silentLogger } from '../../server/observability/log.ts'
import { OpenApiChecker } from '../helpers/openapi-check.ts'
import { summitCsv, summitSessions } from '../helpers/schedule-fixture.ts'
import { organizerHeaders, organizerToken, startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
let doc: OpenApiDocument
let api: OpenApiChecker

beforeAll(async () => {
  // The fixture's schedule is in May 2026: no auto-end, or the import refuses slots long over.
  server = await startServerProcess({ env: { AUTO_END_AFTER_MINUTES: '0' } })
  const res = await fetch(`${server.url}/api/openapi.json`)
  expect(res.status).toBe(200)
  doc = (await res.json()) as OpenApiDocument
  api = new OpenApiChecker(doc)
})
afterAll(async () => {
  await server?.dispose()
})

interface StackLayer {
  rawPath?: string | string[]
  route?: { path: string | string[]; methods: Record<string, boolean> }
  handle?: { stack?: StackLayer[] }
}

/** Every `METHOD /path` the app routes, from its router stack (express 5 / router 2). */
function mountedRoutes(app: Express): string[] {
  const found: string[] = []
  const walk = (stack: StackLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = [layer.route.path].flat()
        for (const path of paths) {
          for (const method of Object.keys(layer.route.methods)) if (method !== '_all') found.push(`${method.toUpperCase()} ${prefix}${path === '/' && prefix ? '' : path}`)
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''
        walk(layer.handle.stack, prefix + mount)
      }
    }
  }
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack, '')
  return [...new Set(found)]
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every route the app mounts under /api, /healthz and /metrics', () => {
    expect(doc.openapi).toBe('3.1.0')
    // reason: building the routers touches no dependency; the walk needs only their shape.
    const deps = { logger: silentLogger, staticDir: '/nonexistent', creation: { who: 'anyone' }, oidc: null } as unknown as AppDeps
    // The app loads the API's routers on the first request under /api: walk them as it mounts them.
    const app = createApp(deps)
    app.use('/api', apiRouter(deps))
    const mounted = mountedRoutes(app).filter((route) => /^[A-Z]+ \/(api|healthz|metrics)/.test(route))
    expect(mounted.length).toBeGreaterThan(15)
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`)))
    const missing = mounted.map((route) => route.replace(/ (.*)$/, (_, path: string) => ` ${openApiPath(path)}`)).filter((route) => !documented.has(route))
    expect(missing).toEqual([])
  })

  it('is served as a readable page at /api/docs, with no script', async () => {
    const page = await api.fetch(`${server.url}/api/docs`)
    expect(page.status).toBe(200)
    expect(page.contentType).toBe('text/html')
    expect(page.text).toContain('/api/sessions/{id}/export')
    expect(page.text).not.toContain('<script')
  })

  it('describes the real answers of a whole session, the archive and a schedule import', async () => {
    const json = (body: unknown, token?: string): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
    const base = server.url
    expect((await api.fetch(`${base}/healthz`)).status).toBe(200)
    expect((await api.fetch(`${base}/metrics`)).status).toBe(200)
    expect((await api.fetch(`${base}/api/time`)).status).toBe(200)
    expect((await api.fetch(`${base}/api/openapi.json`)).status).toBe(200)

    expect((await api.fetch(`${base}/api/sessions`, json({ title: '' }))).status).toBe(400)
    const created = await api.fetch(`${base}/api/sessions`, json({ title: 'OpenAPI check', track: 'Docs', content: '## Decisions\n\n- Ship it\n\n## Action items\n\n- [ ] @ada write it up' }))
    expect(created.status).toBe(201)
    const { session, links } = created.body as { session: { id: string }; links: { moderator: string } }
    const key = /#key=([A-Za-z0-9_-]+)/.exec(links.moderator)![1]!
    const sessionUrl = `${base}/api/sessions/${session.id}`

    expect((await api.fetch(`${base}/api/sessions?track=Docs`)).status).toBe(200)
    expect((await api.fetch(`${base}/api/sessions?bogus=1`)).status).toBe(400)
    expect((await api.fetch(sessionUrl, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200)
    expect((await api.fetch(`${base}/api/sessions/nosuchsession`)).status).toBe(404)
    expect((await api.fetch(`${sessionUrl}/start`, json({}))).status).toBe(401)
    for (const [action, body] of [['start', {}], ['extend', { minutes: 5 }], ['current', { itemId: 'item-1' }], ['lock', {}], ['unlock', {}], ['show-chat', {}], ['hide-chat', {}], ['recap-off', {}], ['recap-on', {}]] as const) {
      expect((await api.fetch(`${sessionUrl}/${action}`, json(body, key))).status, action).toBe(200)
    }
    expect((await api.fetch(`${sessionUrl}/extend`, json({ minutes: 0 }, key))).status).toBe(400)
    expect((await api.fetch(`${base}/api/event`)).status).toBe(200)
    const joinCode = ((await api.fetch(sessionUrl)).body as { session: { joinCode: string } }).session.joinCode
    expect((await api.fetch(`${base}/j/${joinCode.toLowerCase()}`, { redirect: 'manual' })).status).toBe(302)
    expect((await api.fetch(`${base}/j/ZZZZZ`, { headers: { accept: 'application/json' } })).status).toBe(404)
    expect((await api.fetch(`${sessionUrl}/dance`, json({}, key))).status).toBe(404)
    for (const format of ['md', 'html', 'txt', 'json', 'recap', 'eml']) expect((await api.fetch(`${sessionUrl}/export?format=${format}`)).status).toBe(200)
    expect((await api.fetch(`${sessionUrl}/export?format=pdf`)).status).toBe(400)

    const revisions = await waitFor(async () => {
      const answer = await api.fetch(`${sessionUrl}/revisions`)
      const list = (answer.body as { revisions: { rev: number }[] }).revisions
      return list.length > 0 ? list : null
    }, 10_000, 'a revision at the start')
    const rev = revisions[0]!.rev
    expect((await api.fetch(`${sessionUrl}/export?format=txt&rev=${rev}`)).status).toBe(200)
    expect((await api.fetch(`${sessionUrl}/restore`, json({ rev }, key))).status).toBe(200)
    expect((await api.fetch(`${sessionUrl}/archive`)).status).toBe(404)

    expect((await api.fetch(`${sessionUrl}/end`, json({}, key))).status).toBe(200)
    await waitFor(async () => (await api.fetch(`${sessionUrl}/archive`)).status === 200, 10_000, 'the archive record')
    expect((await api.fetch(`${base}/api/archive`)).status).toBe(200)
    expect((await api.fetch(`${base}/api/archive?q=ship`)).status).toBe(200)
    expect((await api.fetch(`${base}/api/archive/actions`)).status).toBe(200)
    expect((await api.fetch(`${base}/api/archive/actions?owner=ada&limit=5`)).status).toBe(200)
    expect((await api.fetch(`${base}/api/archive/actions?owner=ada&after=nonsense`)).status).toBe(400)
    expect((await api.fetch(`${base}/api/archive/export.zip`)).status).toBe(401)
    const zip = await api.fetch(`${base}/api/archive/export.zip`, { headers: organizerHeaders })
    expect(zip.contentType).toBe('application/zip')

    const csv = summitCsv(summitSessions().slice(0, 3))
    expect((await api.fetch(`${base}/api/schedule/import`, json({ event: 'OpenAPI', format: 'csv', content: csv, dryRun: true }))).status).toBe(401)
    expect((await api.fetch(`${base}/api/schedule/import`, json({ event: 'OpenAPI', format: 'csv', content: csv, dryRun: true }, organizerToken))).status).toBe(200)
    expect((await api.fetch(`${base}/api/schedule/import`, json({ event: 'OpenAPI', format: 'csv', content: csv }, organizerToken))).status).toBe(201)
    expect((await api.fetch(`${base}/api/schedule/import`, json({ event: 'OpenAPI', format: 'xls', content: csv }, organizerToken))).status).toBe(400)

    // A session from an Etherpad export (docs/etherpad-import.md): the file is the body.
    const etherpad = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'text/plain' }, body })
    expect((await api.fetch(`${base}/api/sessions/etherpad?title=From%20Etherpad&format=text`, etherpad('Notes\n\t* a list item\n'))).status).toBe(201)
    expect((await api.fetch(`${base}/api/sessions/etherpad?title=Broken&format=etherpad`, etherpad('{}'))).status).toBe(400)

    // Organizers: who is signed in, sign in and out with a token, the audit log.
    expect((await api.fetch(`${base}/api/organizer/me`)).status).toBe(200)
    expect((await api.fetch(`${base}/api/organizer/session`, json({ token: 'not-a-token' }))).status).toBe(403)
    expect((await api.fetch(`${base}/api/organizer/session`, json({ token: organizerToken }))).status).toBe(200)
    expect((await api.fetch(`${base}/api/organizer/session`, { method: 'DELETE' })).status).toBe(204)
    expect((await api.fetch(`${base}/api/audit`)).status).toBe(401)
    expect((await api.fetch(`${base}/api/audit?limit=5`, { headers: organizerHeaders })).status).toBe(200)
    // Deliveries (issue 20): organizers only; nothing is configured here, so there is none to resend.
    expect((await api.fetch(`${base}/api/organizer/deliveries`)).status).toBe(401)
    expect((await api.fetch(`${base}/api/organizer/deliveries?limit=5`, { headers: organizerHeaders })).status).toBe(200)
    expect((await api.fetch(`${base}/api/organizer/deliveries/nope/resend`, { method: 'POST', headers: organizerHeaders })).status).toBe(404)

    // Follow-ups and My summit (issue 20).
    const later = await api.fetch(`${base}/api/sessions`, json({ title: 'OpenAPI follow-up', follows: session.id }))
    expect(later.status).toBe(201)
    const laterBody = later.body as { session: { id: string }; links: { moderator: string } }
    const laterKey = /#key=([A-Za-z0-9_-]+)/.exec(laterBody.links.moderator)![1]!
    const follows = `${base}/api/sessions/${laterBody.session.id}/follows`
    expect((await api.fetch(follows)).status).toBe(200)
    expect((await api.fetch(follows, { ...json({ earlierId: session.id }, laterKey), method: 'PUT' })).status).toBe(200)
    expect((await api.fetch(follows, { ...json({ earlierId: session.id }), method: 'PUT' })).status).toBe(401)
    expect((await api.fetch(follows, { method: 'DELETE', headers: { authorization: `Bearer ${laterKey}` } })).status).toBe(204)
    const person = { authorization: 'Bearer u-openapi-check.openapi-person-key-0123456789' }
    expect((await api.fetch(`${base}/api/me`)).status).toBe(401)
    expect((await api.fetch(`${base}/api/me?timeZone=UTC`, { headers: person })).status).toBe(200)
    expect((await api.fetch(`${base}/api/me/listened/${session.id}`, { method: 'PUT', headers: person })).status).toBe(204)
    expect((await api.fetch(`${base}/api/me/report?format=md`, { headers: person })).status).toBe(200)
    expect((await api.fetch(`${base}/api/me/report?format=html`, { headers: person })).status).toBe(200)
    expect((await api.fetch(`${base}/api/me/listened/${session.id}`, { method: 'DELETE', headers: person })).status).toBe(204)
    const transfer = await api.fetch(`${base}/api/me/transfer`, { ...json({ name: 'Ada', color: '#1565c0' }), headers: { 'content-type': 'application/json', ...person } })
    expect(transfer.status).toBe(201)
    expect((await api.fetch(`${base}/api/me/transfer/redeem`, json({ code: (transfer.body as { code: string }).code }))).status).toBe(200)
    expect((await api.fetch(`${base}/api/me/transfer/redeem`, json({ code: 'AAAA-BBBB' }))).status).toBe(404)

    expect((await api.fetch(sessionUrl, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } })).status).toBe(204)

    // Every operation of the document was answered at least once.
    const answered = new Set([...api.seen].map((seen) => seen.replace(/ \d+$/, '')))
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
    expect(operations.filter((operation) => !answered.has(operation))).toEqual([])
  })
})
