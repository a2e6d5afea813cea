/**
 * SyncSocket: the minimal socket the sync core talks to. The transport adapter
 * (`server/http/ws-socket.ts`) wraps a real WebSocket and calls `Connection.receive` and
 * `Connection.handleSocketClosed`; the core never attaches listeners. Tests use a fake.
 */
export interface SyncSocket {
  /** Queues one binary frame. Must not throw when the socket is already closing. */
  send(frame: Uint8Array): void
  /** Starts the closing handshake with `code` and `reason`. Idempotent. */
  close(code: number, reason: string): void
  /** Bytes queued but not yet handed to the network. */
  readonly bufferedAmount: number
}
