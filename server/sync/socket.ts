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
  /**
   * Stops reading from the client (TCP backpressure slows its sends) until `resume`. A frame
   * already read may still be delivered after it. Optional: a socket without it cannot be slowed,
   * so a client over its rate is closed instead.
   */
  pause?(): void
  /** Reads from the client again after `pause`. */
  resume?(): void
  /**
   * Drops the connection at once, without waiting for the client to read the close frame
   * (a client that stopped reading never would). Optional; called right after `close`.
   */
  terminate?(): void
}
