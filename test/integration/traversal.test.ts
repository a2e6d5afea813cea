/**
 * Export, import and static routes cannot be steered outside their data: traversal paths,
 * hostile ids, formats and titles; and every JSON route has a body size limit.
 */
import { unzipSync } from 'fflate'
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { startServerProcess, type ServerProcess, organizerHeaders } from '../helpers/start-server.ts'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess()
})
afterAll(async () => {
  await server?.dispose()
})

/** GET with the path sent exactly as written (fetch would normalise the dots away). */
function rawGet(path: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method: 'GET' }, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Text that only a file outside the served data could contain. */
const leaked = /root:x:0|DATABASE_URL|import \{|"devDependencies"|loadConfig|SQLite format/

describe('traversal', () => {
  it('serves no file outside the built client, whatever the path', async () => {
    const paths = [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e%2f%2e%2e%2fserver%2fconfig.ts',
      '/s/x/../../../package.json',
      '/..%5c..%5cpackage.json',
      '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
      '/data/summitpad.db',
      '/summitpad.db',
      '/api/../package.json',
      '/api/sessions/..%2f..%2fpackage.json',
    ]
    for (const path of paths) {
      const res = await rawGet(path)
      expect(res.body, path).not.toMatch(leaked)
      expect([200, 400, 404], path).toContain(res.status)
      // A 200 can only be the client's own index page (the SPA fallback).
      if (res.status === 200) expect(res.body, path).toMatch(/<!doctype html>/i)
    }
  })

  it('refuses hostile session ids and export formats on export routes', async () => {
    const { session } = await createSessionWithKeys(server.url, { title: 'Exported' })
    const cases: [string, number][] = [
      [`/api/sessions/..%2F..%2Fetc%2Fpasswd/export`, 404],
      [`/api/sessions/%2e%2e/export?format=md`, 404],
      [`/api/sessions/${session.id}/export?format=..%2F..%2Fetc%2Fpasswd`, 400],
      [`/api/sessions/${session.id}/export?format=md%00.html`, 400],
      [`/api/sessions/${session.id}/export?format=md&format=html`, 400],
      [`/api/sessions/${session.id}%2F..%2F..%2Fx/export`, 404],
      [`/api/sessions/${session.id}/history/..%2F..%2Fexport?rev=1`, 404],
      [`/api/sessions/${session.id}/export?format=md&rev=..%2F1`, 400],
    ]
    for (const [path, status] of cases) {
      const res = await rawGet(path)
      expect(res.status, path).toBe(status)
      expect(res.headers['content-type'], path).toMatch(/application\/json/)
      expect(res.body, path).not.toMatch(leaked)
    }
  })

  it('names export files and zip entries from hostile titles and tracks without any path in them', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url, {
      title: '../../../etc/passwd',
      track: '..\\..\\windows\\system32',
    })
    for (const format of ['md', 'html', 'txt', 'json']) {
      const res = await rawGet(`/api/sessions/${session.id}/export?format=${format}`)
      expect(res.status).toBe(200)
      const disposition = String(res.headers['content-disposition'])
      const fileName = /filename="([^"]*)"/.exec(disposition)?.[1] ?? ''
      expect(fileName, disposition).not.toMatch(/[/\\]|\.\./)
    }
    expect((await act(server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const zip = await fetch(`${server.url}/api/archive/export.zip`, { headers: organizerHeaders })
    expect(zip.status).toBe(200)
    const entries = Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer())))
    expect(entries.length).toBeGreaterThan(1)
    for (const entry of entries) {
      expect(entry).toMatch(/^(index\.md|sessions\/[^/\\]+\/[^/\\]+\.md)$/)
      expect(entry.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')).toBe(false)
    }
  })

  it('imports an agenda as text only: nothing is read from a path it names', async () => {
    const res = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Imported', content: '# Agenda\n\n- [x](file:///etc/passwd)\n- ![y](../../package.json)\n', contentFormat: 'markdown' }),
    })
    expect(res.status).toBe(201)
    const { session } = (await res.json()) as { session: { id: string } }
    const md = await rawGet(`/api/sessions/${session.id}/export?format=md`)
    expect(md.body).not.toMatch(leaked)
    const badFormat = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Imported', content: 'x', contentFormat: '../../etc/passwd' }),
    })
    expect(badFormat.status).toBe(400)
  })
})

describe('request body limits', () => {
  async function post(path: string, bytes: number, secret?: string): Promise<{ status: number; body: { error?: { code: string } } }> {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
      body: JSON.stringify({ title: 'x', pad: 'y'.repeat(bytes) }),
    })
    return { status: res.status, body: (await res.json()) as never }
  }

  it('answers 413 with the error envelope past the limit of every JSON route, and 400 for broken JSON', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url)
    const routes: [string, number][] = [
      ['/api/sessions', 1536 * 1024],
      [`/api/sessions/${session.id}/extend`, 256 * 1024],
      [`/api/sessions/${session.id}/restore`, 256 * 1024],
      [`/api/sessions/${session.id}/lock`, 256 * 1024],
    ]
    for (const [path, limit] of routes) {
      const over = await post(path, limit + 1024, moderatorKey)
      expect(over.status, path).toBe(413)
      expect(over.body.error?.code, path).toBe('payload_too_large')
      const broken = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${moderatorKey}` }, body: '{"title": ' })
      expect(broken.status, path).toBe(400)
    }
  })
})
