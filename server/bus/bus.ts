/**
 * Bus: fan-out between server instances. Each instance that holds a live replica of a doc
 * subscribes to the doc's channel; an instance that stored an update from one of its clients
 * publishes it, the others apply it to their replica and send it to their own clients. Awareness
 * changes travel the same way. Session-level events (lock, end, ...) travel on one shared channel.
 *
 * Rules every implementation keeps (the contract suite in `test/helpers/contracts/bus.contract.ts`):
 * - [BUS1] `subscribe` resolves only once the subscription is active: a message published by any
 *   instance after it resolved is delivered to the handler.
 * - [BUS2] An instance never receives its own messages.
 * - [BUS3] Messages of one doc published by one instance arrive in the order they were published.
 * - [BUS4] Docs are independent: a doc's handler only sees that doc's messages.
 * - [BUS5] After the returned unsubscribe resolves, the handler is not called again.
 * - [BUS6] Payload bytes arrive exactly as published (binary-safe).
 * - [BUS7] When the service is unreachable `status()` says `down`, `publish` rejects, and the bus
 *   reconnects by itself; subscriptions made before are active again once it is back, and
 *   `onReconnect` handlers run so rooms can resync what they missed.
 */

/** What travels on a doc's channel. */
export interface DocMessage {
  kind: 'update' | 'awareness'
  /** A Yjs update (`update`) or an awareness update (`awareness`), as the y-protocols encode them. */
  payload: Uint8Array
}

/** What travels on the shared session channel. */
export interface SessionEvent {
  /** The session whose state (lock, phase, ...) changed; receivers re-read it from the MetaStore. */
  sessionId: string
}

export type BusStatus = 'up' | 'down'

export interface Bus {
  /** Identifies this instance (random, per process). */
  readonly instanceId: string
  /** True when other instances may share the docs (they write them too); false for the in-process bus. */
  readonly shared: boolean
  /** Subscribes `handler` to `docName`'s channel [BUS1]; resolves to the unsubscribe function [BUS5]. */
  subscribe(docName: string, handler: (message: DocMessage) => void): Promise<() => Promise<void>>
  /** Publishes to `docName`'s channel; rejects when the bus is down [BUS7]. */
  publish(docName: string, message: DocMessage): Promise<void>
  /** Subscribes to session events from other instances; returns the unsubscribe function. */
  onSessionEvent(handler: (event: SessionEvent) => void): () => void
  /** Tells the other instances that a session changed. Never rejects (best effort, logged). */
  publishSessionEvent(event: SessionEvent): Promise<void>
  /** Called after the bus came back from `down` (its subscriptions are active again). */
  onReconnect(handler: () => void): () => void
  status(): BusStatus
  /** Unsubscribes everything and disconnects. Idempotent. */
  close(): Promise<void>
}
