/**
 * One webhook request against real HTTP servers (issue 20): a redirect to another origin is not
 * followed, a 307 on the same origin is, a 302 (which would turn the POST into a GET) is not;
 * a receiver that never answers fails at the timeout; a huge answer is read only in part.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maxResponseBytes, postWebhook } from '../../server/outbox/outbox-dispatcher.ts'
import { verifyWebhook } from '../../server/outbox/signature.ts'

const secret = 'whsec-requests-0123456789'
const hits: { server: 'main' | 'other'; path: string; method: string; signed: boolean }[] = []
const servers: http.Server[] = []
let main = ''
let other = ''
let bytesSent = 0

function listen(name: 'main' | 'other'): Promise<string> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      hits.push({ server: name, path: req.url!, method: req.method!, signed: verifyWebhook(secret, body, req.headers['summitpad-signature'] as string, Math.floor(Date.now() / 1000)) })
      if (req.url === '/away') res.writeHead(307, { location: `${other}/stolen` }).end()
      else if (req.url === '/moved') res.writeHead(307, { location: '/final' }).end()
      else if (req.url === '/found') res.writeHead(302, { location: '/final' }).end()
      else if (req.url === '/silent') return // never answers
      else if (req.url === '/huge') {
        res.writeHead(500, { 'content-type': 'text/plain' })
        const chunk = 'x'.repeat(64 * 1024)
        const write = () => {
          while (bytesSent < 64 * 1024 * 1024) {
            bytesSent += chunk.length
            if (!res.write(chunk)) return void res.once('drain', write)
          }
          res.end()
        }
        write()
      } else res.writeHead(204).end()
    })
  })
  servers.push(server)
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)))
}

beforeAll(async () => {
  main = await listen('main')
  other = await listen('other')
})
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

const endpoint = (path: string) => ({ name: 'ep', url: `${main}${path}`, secret, events: ['session.started' as const] })
const message = { id: 'd-1', event: 'session.started', body: '{"id":"d-1"}' }
const now = () => Math.floor(Date.now() / 1000)

describe('postWebhook', () => {
  it('does not follow a redirect to another origin', async () => {
    const result = await postWebhook(endpoint('/away'), message, 5000, now())
    expect(result).toMatchObject({ ok: false, statusCode: 307 })
    expect(result.error).toContain('another origin')
    expect(hits.filter((hit) => hit.server === 'other')).toEqual([])
  })

  it('follows a 307 on the same origin, signed again, and refuses a 302', async () => {
    expect(await postWebhook(endpoint('/moved'), message, 5000, now())).toEqual({ ok: true, statusCode: 204, error: '' })
    expect(hits.find((hit) => hit.path === '/final')).toMatchObject({ method: 'POST', signed: true })
    const found = await postWebhook(endpoint('/found'), message, 5000, now())
    expect(found).toMatchObject({ ok: false, statusCode: 302 })
  })

  it('gives up on a receiver that never answers at the timeout', async () => {
    const result = await postWebhook(endpoint('/silent'), message, 300, now()).catch((error: unknown) => ({ ok: false, statusCode: null, error: String(error) }))
    expect(result.ok).toBe(false)
    expect(result.error).toMatch(/timeout|abort/i)
  })

  it('reads a huge answer only in part', async () => {
    const result = await postWebhook(endpoint('/huge'), message, 10_000, now())
    expect(result).toMatchObject({ ok: false, statusCode: 500 })
    expect(result.error.length).toBeLessThanOrEqual(maxResponseBytes + 20)
    expect(bytesSent).toBeLessThan(64 * 1024 * 1024)
  })
})
