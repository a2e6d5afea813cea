/**
 * LocalBus: the embedded default, for a single server process. An instance never receives its own
 * messages [BUS2] and there is no other instance, so nothing is ever delivered: subscribing and
 * publishing resolve at once and the bus is always up. Rooms on one process share their Y.Doc
 * through the RoomRegistry, not through the bus.
 */
import { randomBytes } from 'node:crypto'
import type { Bus, BusStatus, DocMessage, SessionEvent } from './bus.ts'

export class LocalBus implements Bus {
  readonly instanceId = randomBytes(16).toString('hex')
  /** No other instance: this process is the only writer of its docs. */
  readonly shared = false

  /** Resolves at once to an unsubscribe that resolves at once; `handler` is never called. */
  async subscribe(_docName: string, _handler: (message: DocMessage) => void): Promise<() => Promise<void>> {
    return async () => {}
  }

  /** Resolves at once: no other instance exists to deliver to. */
  async publish(_docName: string, _message: DocMessage): Promise<void> {}

  onSessionEvent(_handler: (event: SessionEvent) => void): () => void {
    return () => {}
  }

  async publishSessionEvent(_event: SessionEvent): Promise<void> {}

  /** A local bus is never down, so `handler` never runs. */
  onReconnect(_handler: () => void): () => void {
    return () => {}
  }

  status(): BusStatus {
    return 'up'
  }

  async close(): Promise<void> {}
}
