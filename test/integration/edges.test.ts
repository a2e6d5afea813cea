/** The edge of the server: WebSocket Origin checks and sockets that never send a request. */
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { CloseCode } from '../../shared/close-codes.ts'
import { createSession } from '../helpers/api.ts'
import { connectPad, rawClient, waitForSynced } from '../helpers/clients.ts'
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
    // Not before the 10 s headers timeout; after it, at the next check, however busy the machine.
    expect(closedAfter).toBeGreaterThan(8_000)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  }, 30_000)

  it('lets a real client join promptly while 2,000 idle sockets hang on the port', async () => {
    const session = await createSession(server.url)
    const idle: net.Socket[] = []
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        new Promise<void>((resolve) => {
          const socket = net.connect(server.port, '127.0.0.1', () => {
            // Half of them start a request and never finish it; the others say nothing at all.
            if (i % 2 === 0) socket.write('GET /sync/x HTTP/1.1\r\nHost: x\r\n')
            resolve()
          })
          socket.on('error', () => resolve())
          idle.push(socket)
        }),
      ),
    )
    try {
      const started = Date.now()
      const client = connectPad(server.wsUrl, session.id)
      await waitForSynced(client, 20_000)
      const joinedMs = Date.now() - started
      client.destroy()
      console.log(`joined in ${joinedMs} ms beside ${idle.filter((socket) => !socket.destroyed).length} idle sockets`)
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    } finally {
      for (const socket of idle) socket.destroy()
    }
  }, 30_000)
})

describe('connections per address', () => {
  it('closes connections over the per-IP rate with 1013 and lets others through once it refills', async () => {
    const limited = await startServerProcess({ env: { CONNECTIONS_PER_IP_PER_SECOND: '2', CONNECTION_BURST_PER_IP: '5' } })
    try {
      const session = await createSession(limited.url)
      const url = `${limited.wsUrl}/${session.id}`
      const clients = await Promise.all(Array.from({ length: 8 }, () => rawClient(url)))
      const outcomes = await Promise.all(
        clients.map((client) => Promise.race([client.closed.then((event) => event.code), new Promise((resolve) => setTimeout(() => resolve('open'), 1000))])),
      )
      expect(outcomes.filter((outcome) => outcome === 'open')).toHaveLength(5)
      expect(outcomes.filter((outcome) => outcome === CloseCode.rateLimited)).toHaveLength(3)
      for (const client of clients) client.ws.close()
      const later = connectPad(limited.wsUrl, session.id)
      await waitForSynced(later, 5000)
      later.destroy()
    } finally {
      await limited.dispose()
    }
  })
})
