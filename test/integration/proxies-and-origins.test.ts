/**
 * The WebSocket edge behind a reverse proxy and without PUBLIC_URL: TRUST_PROXY makes the
 * per-address limit count the client named by X-Forwarded-For (and only then), the Origin check
 * allows the server's own pages and refuses other sites', and refusals are logged as one line per
 * address per minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createSession } from '../helpers/api.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'

let server: ServerProcess
let sessionUrl: string
beforeAll(async () => {
  server = await startServerProcess({ env: { TRUST_PROXY: 'loopback', CONNECTION_BURST_PER_IP: '3', CONNECTIONS_PER_IP_PER_SECOND: '1' } })
  sessionUrl = `${server.wsUrl}/${(await createSession(server.url)).id}`
})
afterAll(async () => {
  await server?.dispose()
})

/** Opens a ws; resolves 'open', the close code it got within 1 s of opening, or the HTTP status it was refused with. */
function tryOpen(url: string, headers: { origin?: string; forwardedFor?: string } = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { ...(headers.origin ? { origin: headers.origin } : {}), headers: headers.forwardedFor ? { 'x-forwarded-for': headers.forwardedFor } : {} })
    let timer: NodeJS.Timeout | null = null
    ws.once('open', () => {
      timer = setTimeout(() => {
        ws.close()
        resolve('open')
      }, 1000)
    })
    ws.once('close', (code) => {
      if (timer) clearTimeout(timer)
      resolve(String(code))
    })
    ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
    ws.once('error', () => {})
  })
}

describe('the Origin check without PUBLIC_URL', () => {
  it("allows the server's own origin and clients without one, and refuses other sites' pages", async () => {
    const forwardedFor = '10.0.1.1'
    expect(await tryOpen(sessionUrl, { origin: server.url, forwardedFor })).toBe('open')
    expect(await tryOpen(sessionUrl, { forwardedFor })).toBe('open')
    expect(await tryOpen(sessionUrl, { origin: 'https://evil.example', forwardedFor })).toBe('403')
    expect(await tryOpen(sessionUrl, { origin: `http://evil.example:${server.port}`, forwardedFor })).toBe('403')
  })
})

describe('TRUST_PROXY', () => {
  it('counts each client behind a trusted proxy on its own', async () => {
    const a = await Promise.all(Array.from({ length: 4 }, () => tryOpen(sessionUrl, { forwardedFor: '10.0.2.1' })))
    const b = await Promise.all(Array.from({ length: 3 }, () => tryOpen(sessionUrl, { forwardedFor: '203.0.113.9, 10.0.2.2' })))
    expect(a.filter((outcome) => outcome === 'open')).toHaveLength(3)
    expect(a.filter((outcome) => outcome === '1013')).toHaveLength(1)
    expect(b).toEqual(['open', 'open', 'open'])
  })

  it('ignores X-Forwarded-For when no proxy is trusted, so a forged header dodges nothing', async () => {
    const direct = await startServerProcess({ env: { CONNECTION_BURST_PER_IP: '3', CONNECTIONS_PER_IP_PER_SECOND: '1' } })
    try {
      const url = `${direct.wsUrl}/${(await createSession(direct.url)).id}`
      const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) => tryOpen(url, { forwardedFor: `10.9.9.${i}` })))
      expect(outcomes.filter((outcome) => outcome === 'open')).toHaveLength(3)
      expect(outcomes.filter((outcome) => outcome === '1013')).toHaveLength(2)
    } finally {
      await direct.dispose()
    }
  })
})

describe('refusal logging', () => {
  it('writes one warn line per address per minute, however many connections it refused', async () => {
    const forwardedFor = '10.0.3.3'
    const outcomes = await Promise.all([
      ...Array.from({ length: 12 }, () => tryOpen(sessionUrl, { forwardedFor })),
      ...Array.from({ length: 3 }, () => tryOpen(sessionUrl, { forwardedFor, origin: 'https://evil.example' })),
    ])
    expect(outcomes.filter((outcome) => outcome === '1013').length).toBeGreaterThanOrEqual(9)
    // A graceful stop writes what was counted in the current minute.
    await server.kill('SIGTERM')
    const lines = server.logs.filter((entry) => entry.address === forwardedFor || JSON.stringify(entry).includes(forwardedFor))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ msg: 'connections refused', level: 40, address: forwardedFor, refused: outcomes.filter((outcome) => outcome !== 'open').length })
    expect(server.logs.filter((entry) => entry.level === 40 && entry.msg !== 'connections refused' && /refused/.test(String(entry.msg)))).toEqual([])
  })
})
