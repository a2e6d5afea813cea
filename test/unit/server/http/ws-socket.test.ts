/** The ws adapter's send path: small frames framed once and written straight to the socket, large ones through ws. */
import { once } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { toSyncSocket } from '../../../../server/http/ws-socket.ts'

let server: WebSocketServer | null = null

afterEach(async () => {
  for (const client of server?.clients ?? []) client.terminate()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = null
})

/** A server on a loopback port and `count` clients connected to it, each collecting what it receives. */
async function connectPairs(count: number, serverOptions: { perMessageDeflate?: boolean } = {}) {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1', ...serverOptions })
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const accepted: WebSocket[] = []
  server.on('connection', (ws) => accepted.push(ws))
  const clients = await Promise.all(
    Array.from({ length: count }, async () => {
      const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: serverOptions.perMessageDeflate ?? false })
      const received: Uint8Array[] = []
      client.on('message', (data: Buffer) => received.push(new Uint8Array(data)))
      await once(client, 'open')
      return { client, received }
    }),
  )
  while (accepted.length < count) await new Promise((resolve) => setTimeout(resolve, 5))
  const sent = { fast: 0, fallback: 0 }
  return { sockets: accepted.map((ws) => ({ ws, sync: toSyncSocket(ws, (path) => sent[path]++) })), clients, sent }
}

function hex(frame: Uint8Array): string {
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('hex')
}

function payload(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff)
}

describe('WsSyncSocket.send', () => {
  it('delivers frames of every length class, in order, to each socket, the same payload to several sockets', async () => {
    const { sockets, clients } = await connectPairs(3)
    // 7-bit, 16-bit and 64-bit payload lengths; the small ones take the direct path, the large through ws.
    const lengths = [0, 1, 125, 126, 127, 1000, 16 * 1024, 16 * 1024 + 1, 65_535, 65_536, 200_000]
    const sent: Uint8Array[] = []
    for (const [i, length] of lengths.entries()) {
      const shared = payload(length, i)
      sent.push(shared)
      for (const { sync, ws } of sockets) {
        sync.send(shared)
        // ws's own frames (here a ping) go to the same socket in between and keep their place.
        ws.ping()
      }
    }
    // A view into a larger buffer is sent as its own bytes only.
    const backing = payload(300, 9)
    const view = backing.subarray(100, 150)
    sent.push(view.slice())
    for (const { sync } of sockets) sync.send(view)
    await Promise.all(clients.map(({ received }) => waitFor(() => received.length === sent.length)))
    for (const { received } of clients) {
      expect(received.map((frame) => frame.length)).toEqual(sent.map((frame) => frame.length))
      // As hex: a deep compare of 200,000 array elements takes seconds on a busy machine.
      expect(received.map(hex)).toEqual(sent.map(hex))
    }
  })

  it('goes through ws when compression was negotiated', async () => {
    const { sockets, clients } = await connectPairs(1, { perMessageDeflate: true })
    expect(sockets[0]!.ws.extensions).toContain('permessage-deflate')
    const sent = [payload(10, 1), payload(2000, 2), payload(10, 3)]
    for (const frame of sent) sockets[0]!.sync.send(frame)
    await waitFor(() => clients[0]!.received.length === sent.length)
    expect(clients[0]!.received).toEqual(sent)
  })

  it('takes the fast path for small frames with the pinned ws, and counts each frame by its path', async () => {
    const pinned = (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../../../package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies.ws
    expect(pinned, 'ws is pinned to one version').toMatch(/^\d+\.\d+\.\d+$/)
    const { sockets, clients, sent } = await connectPairs(1)
    const frames = [payload(10, 1), payload(1000, 2), payload(16 * 1024, 3), payload(16 * 1024 + 1, 4)]
    for (const frame of frames) sockets[0]!.sync.send(frame)
    await waitFor(() => clients[0]!.received.length === frames.length)
    expect(clients[0]!.received).toEqual(frames)
    // If ws renames its internals, every frame silently takes the fallback: this fails.
    expect(sent).toEqual({ fast: 3, fallback: 1 })
  })

  it('counts the fallback when compression was negotiated', async () => {
    const { sockets, clients, sent } = await connectPairs(1, { perMessageDeflate: true })
    sockets[0]!.sync.send(payload(10, 1))
    await waitFor(() => clients[0]!.received.length === 1)
    expect(sent).toEqual({ fast: 0, fallback: 1 })
  })

  it('writes the small frames of one tick to the socket at once (one system call), a large one at once too', async () => {
    const { sockets, clients } = await connectPairs(1)
    // reason: counting the raw socket's writes, which ws keeps in a private field.
    const raw = (sockets[0]!.ws as unknown as { _socket: { _write: () => void; _writev: () => void; writableLength: number } })._socket
    const write = vi.spyOn(raw, '_write')
    const writev = vi.spyOn(raw, '_writev')
    const small = [payload(10, 1), payload(300, 2), payload(20, 3)]
    for (const frame of small) sockets[0]!.sync.send(frame)
    expect(write).not.toHaveBeenCalled()
    expect(writev).not.toHaveBeenCalled()
    await waitFor(() => clients[0]!.received.length === small.length)
    expect(write).toHaveBeenCalledTimes(0)
    expect(writev).toHaveBeenCalledTimes(1)
    expect(clients[0]!.received).toEqual(small)
    // A whole pad is not held back until the tick ends: it flushes the small frame before it and
    // is handed to the socket at once, so the next send's backlog check sees only what is unread.
    const large = payload(64 * 1024, 4)
    const writes = () => write.mock.calls.length + writev.mock.calls.length
    const before = writes()
    sockets[0]!.sync.send(payload(10, 5))
    expect(writes()).toBe(before)
    sockets[0]!.sync.send(large)
    expect(writes()).toBeGreaterThan(before)
    await waitFor(() => clients[0]!.received.length === small.length + 2)
    expect(clients[0]!.received.slice(-2)).toEqual([payload(10, 5), large])
  })

  it('sends nothing once the socket is closing', async () => {
    const { sockets, clients } = await connectPairs(1)
    sockets[0]!.sync.send(payload(5, 1))
    sockets[0]!.sync.close(1000, 'bye')
    sockets[0]!.sync.send(payload(5, 2))
    await once(clients[0]!.client, 'close')
    expect(clients[0]!.received).toEqual([payload(5, 1)])
  })
})

async function waitFor(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now()
  while (!done()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for frames')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
