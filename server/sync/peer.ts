/**
 * Peer: what a Room and its parts need of one connected client. `Connection` (connection.ts) is
 * the one implementation; the room's parts take this interface, so the room never imports the
 * connection that calls it (no import cycle) and tests can hand them a fake.
 */
import type { CloseCode } from '../../shared/close-codes.ts'
import type { SyncMetrics } from './sync-metrics.ts'

export interface Peer {
  /** Sends one frame unless the peer is closed. Never throws. */
  send(frame: Uint8Array): void
  /** Closes the peer with `code` (and the table's reason unless one is given). Idempotent. */
  close(code: CloseCode, reason?: string): void
  /** Sends an acknowledgement carrying the state vector `stateVector()` gives, if the client asked for them. */
  acknowledge(stateVector: () => Uint8Array): void
  /** True once the peer was closed by either side. */
  readonly isClosed: boolean
  /** Awareness client ids this peer's client announced (the room's presence keeps it up to date). */
  readonly awarenessClients: Set<number>
  /** True when this peer's presence names count as participants of the session. */
  readonly mayParticipate: boolean
  /** Where the room reports this peer's store latency. */
  readonly metrics: SyncMetrics
}
