/**
 * Adapts a `ws` WebSocket to the sync core: wraps it as a SyncSocket, feeds its frames to the
 * Connection, and keeps it alive with ping/pong (a socket that misses a pong is terminated, so
 * a vanished laptop's cursor disappears instead of lingering).
 */
import type { WebSocket } from 'ws'
import { CloseCode, closeReason } from '../../shared/close-codes.ts'
import type { Connection } from '../sync/connection.ts'
import type { SyncSocket } from '../sync/socket.ts'

/** Wraps `ws` as a SyncSocket. */
export function toSyncSocket(ws: WebSocket): SyncSocket {
  return new WsSyncSocket(ws)
}

/** (A class, not an object of closures: one per connection, so its methods are shared.) */
class WsSyncSocket implements SyncSocket {
  constructor(private readonly ws: WebSocket) {}

  send(frame: Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame, { binary: true })
  }

  close(code: number, reason: string): void {
    const ws = this.ws
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason)
    // A slow consumer would read the close frame only after the backlog it is not reading, and
    // the backlog would stay in memory until the 30 s close timeout: drop the socket now.
    if (code === CloseCode.slowConsumer) ws.terminate()
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount
  }
}

/**
 * Routes `ws` events to `connection`. Call synchronously in the upgrade callback so no frame is
 * missed while the room loads. `onClosed` runs once, after the socket closed for any reason.
 */
export function bindSocket(ws: WebSocket, connection: Connection, pingIntervalMs: number, onClosed: () => void): void {
  let alive = true
  const ping = setInterval(() => {
    if (!alive) {
      ws.terminate()
      return
    }
    alive = false
    ws.ping()
  }, pingIntervalMs)
  ping.unref()

  ws.on('pong', () => {
    alive = true
  })
  ws.on('message', (data, isBinary) => {
    alive = true
    if (!isBinary) {
      connection.close(CloseCode.unsupportedData, closeReason[CloseCode.unsupportedData])
      return
    }
    connection.receive(toBytes(data))
  })
  ws.on('error', () => {
    // ws emits 'error' for protocol violations (e.g. a frame over maxPayload, closed with 1009);
    // the socket then closes and 'close' does the cleanup.
  })
  ws.on('close', () => {
    clearInterval(ping)
    onClosed()
  })
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
