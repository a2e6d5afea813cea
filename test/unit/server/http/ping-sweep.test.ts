import { EventEmitter } from 'node:events'
import type { WebSocket } from 'ws'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Connection } from '../../../../server/sync/connection.ts'
import { bindSocket, PingSweep } from '../../../../server/http/ws-socket.ts'

/** A socket as bindSocket uses it: events, ping and terminate (which closes it). */
class FakeSocket extends EventEmitter {
  pings = 0
  terminated = false
  ping(): void {
    this.pings++
  }
  terminate(): void {
    this.terminated = true
    this.emit('close', 1006)
  }
}

function fakeConnection() {
  const received: Uint8Array[] = []
  return { received, connection: { receive: (bytes: Uint8Array) => received.push(bytes), close: () => {} } as unknown as Connection }
}

describe('PingSweep and bindSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('keeps one timer for every socket, and none once they closed', () => {
    const sweep = new PingSweep(1000)
    const sockets = [new FakeSocket(), new FakeSocket(), new FakeSocket()]
    const closed: number[] = []
    for (const socket of sockets) bindSocket(socket as unknown as WebSocket, fakeConnection().connection, sweep, (code) => closed.push(code))
    expect(vi.getTimerCount()).toBe(1)
    for (const socket of sockets) socket.emit('close', 1000)
    expect(closed).toEqual([1000, 1000, 1000])
    expect(sweep.size).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('pings every interval and terminates a socket silent for a whole interval after a ping', () => {
    const sweep = new PingSweep(1000)
    const answering = new FakeSocket()
    const silent = new FakeSocket()
    const talking = new FakeSocket()
    const closed: string[] = []
    const { connection, received } = fakeConnection()
    bindSocket(answering as unknown as WebSocket, connection, sweep, () => closed.push('answering'))
    bindSocket(silent as unknown as WebSocket, connection, sweep, () => closed.push('silent'))
    bindSocket(talking as unknown as WebSocket, connection, sweep, () => closed.push('talking'))
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(1000)
      answering.emit('pong')
      talking.emit('message', Buffer.from([0, 0, 1, 0]), true)
    }
    expect(silent.terminated).toBe(true)
    expect(closed).toEqual(['silent'])
    expect(answering.terminated || talking.terminated).toBe(false)
    expect(answering.pings).toBe(3)
    expect(silent.pings).toBe(1)
    expect(received).toHaveLength(3)
  })

  it('spreads the pings over the interval, each socket pinged once per interval', () => {
    const sweep = new PingSweep(1600, 16)
    const sockets = Array.from({ length: 64 }, () => new FakeSocket())
    for (const socket of sockets) bindSocket(socket as unknown as WebSocket, fakeConnection().connection, sweep, () => {})
    const pinged = () => sockets.reduce((sum, socket) => sum + socket.pings, 0)
    vi.advanceTimersByTime(100)
    // One slot of the 16: 4 of the 64 sockets.
    expect(pinged()).toBe(4)
    for (const socket of sockets) socket.emit('pong')
    vi.advanceTimersByTime(1500)
    expect(pinged()).toBe(64)
    expect(sockets.every((socket) => socket.pings === 1)).toBe(true)
  })
})
