/** The edge of the server: WebSocket Origin checks and sockets that never send a request. */
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createSession } from '../helpers/api.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess({ env: { PUBLIC_URL: 'https://pads.summit.example' } })
})
afterAll(async () => {
  await server?.dispose()
})

/** Opens a ws with `origin` (or none); resolves 'open' or the HTTP status it was refused with. */
function tryOpen(url: string, origin?: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {})
    ws.once('open', () => {
      ws.close()
      resolve('open')
    })
    ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
    ws.once('error', () => {})
  })
}

describe('the edge', () => {
  it('refuses WebSockets from pages of other origins when PUBLIC_URL is set', async () => {
    const session = await createSession(server.url)
    const url = `${server.wsUrl}/${session.id}`
    expect(await tryOpen(url, 'https://evil.example')).toBe('403')
    expect(await tryOpen(url, 'https://pads.summit.example')).toBe('open')
    expect(await tryOpen(url)).toBe('open')
  })

  it('drops a socket that never sends its request within about 10 seconds, and keeps serving', async () => {
    const socket = net.connect(server.port, '127.0.0.1')
    const started = Date.now()
    const closedAfter = await new Promise<number>((resolve) => {
      socket.on('close', () => resolve(Date.now() - started))
      socket.on('error', () => {})
      // Read whatever the server answers (a 408), so the socket can reach its end.
      socket.resume()
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n') // headers never finished
    })
    expect(closedAfter).toBeGreaterThan(8_000)
    expect(closedAfter).toBeLessThan(15_000)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  }, 30_000)
})
