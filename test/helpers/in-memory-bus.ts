/**
 * An in-process stand-in for a shared bus service, for unit tests of rooms on several "instances":
 * every Bus from one `InMemoryBusHub.connect()` delivers to the others. It keeps every BUS rule of
 * `server/bus/bus.ts` (it passes the same contract suite as RedisBus), including [BUS7]: `interrupt()`
 * makes the service unreachable and `restore()` brings it back.
 *
 * Delivery is asynchronous like a network's (one microtask per message, FIFO, so [BUS3] holds) and
 * each receiver gets its own copy of the bytes as they were when published [BUS6].
 */
import { randomBytes } from 'node:crypto'
import type { Bus, BusStatus, DocMessage, SessionEvent } from '../../server/bus/bus.ts'

type DocHandler = (message: DocMessage) => void

/** The shared service: connect one Bus per simulated server instance. */
export class InMemoryBusHub {
  private readonly buses = new Set<InMemoryBus>()
  private reachable = true
  private readonly restored: (() => void)[] = []

  /** A new instance on this hub; up at once unless the hub is interrupted. */
  connect(): Bus {
    const bus = new InMemoryBus(this)
    this.buses.add(bus)
    return bus
  }

  /** Makes the service unreachable: every bus goes `down`, publishes reject, nothing is delivered. */
  interrupt(): void {
    this.reachable = false
  }

  /**
   * Brings the service back: subscriptions are active again, subscribes made meanwhile resolve, and
   * then every bus runs its `onReconnect` handlers [BUS7].
   */
  restore(): void {
    if (this.reachable) return
    this.reachable = true
    for (const resolve of this.restored.splice(0)) resolve()
    for (const bus of this.buses) bus.reconnected()
  }

  get isReachable(): boolean {
    return this.reachable
  }

  /** @internal Resolves once the hub is reachable. */
  whenReachable(): Promise<void> {
    return this.reachable ? Promise.resolve() : new Promise((resolve) => this.restored.push(resolve))
  }

  /** @internal Queues `deliver` on every other open bus (a copy of the bytes each). */
  fanOut(from: InMemoryBus, deliver: (to: InMemoryBus) => void): void {
    for (const bus of this.buses) if (bus !== from) queueMicrotask(() => this.reachable && deliver(bus))
  }

  /** @internal */
  detach(bus: InMemoryBus): void {
    this.buses.delete(bus)
  }
}

class InMemoryBus implements Bus {
  readonly shared = true
  readonly instanceId = randomBytes(16).toString('hex')
  private readonly docHandlers = new Map<string, Set<{ handler: DocHandler }>>()
  private readonly sessionHandlers = new Set<{ handler: (event: SessionEvent) => void }>()
  private readonly reconnectHandlers = new Set<{ handler: () => void }>()
  private closed = false

  constructor(private readonly hub: InMemoryBusHub) {}

  async subscribe(docName: string, handler: DocHandler): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('bus closed')
    const entry = { handler }
    let handlers = this.docHandlers.get(docName)
    if (!handlers) this.docHandlers.set(docName, (handlers = new Set()))
    handlers.add(entry)
    // Like a real service, a subscription made while it is unreachable becomes active when it is back.
    await this.hub.whenReachable()
    if (this.closed) throw new Error('bus closed')
    return async () => {
      const current = this.docHandlers.get(docName)
      current?.delete(entry)
      if (current?.size === 0) this.docHandlers.delete(docName)
    }
  }

  async publish(docName: string, message: DocMessage): Promise<void> {
    if (this.closed) throw new Error('bus closed')
    if (!this.hub.isReachable) throw new Error('bus down: the in-memory hub is interrupted')
    const kind = message.kind
    const bytes = message.payload.slice()
    this.hub.fanOut(this, (to) => to.deliver(docName, { kind, payload: bytes.slice() }))
  }

  onSessionEvent(handler: (event: SessionEvent) => void): () => void {
    const entry = { handler }
    this.sessionHandlers.add(entry)
    return () => this.sessionHandlers.delete(entry)
  }

  async publishSessionEvent(event: SessionEvent): Promise<void> {
    if (this.closed || !this.hub.isReachable) return
    const sessionId = event.sessionId
    this.hub.fanOut(this, (to) => to.deliverSessionEvent({ sessionId }))
  }

  onReconnect(handler: () => void): () => void {
    const entry = { handler }
    this.reconnectHandlers.add(entry)
    return () => this.reconnectHandlers.delete(entry)
  }

  status(): BusStatus {
    return !this.closed && this.hub.isReachable ? 'up' : 'down'
  }

  async close(): Promise<void> {
    this.closed = true
    this.docHandlers.clear()
    this.sessionHandlers.clear()
    this.reconnectHandlers.clear()
    this.hub.detach(this)
  }

  /** @internal */
  deliver(docName: string, message: DocMessage): void {
    for (const entry of [...(this.docHandlers.get(docName) ?? [])]) {
      // [BUS5]: a handler removed while this message was queued is not called.
      if (this.docHandlers.get(docName)?.has(entry)) entry.handler(message)
    }
  }

  /** @internal */
  deliverSessionEvent(event: SessionEvent): void {
    for (const entry of [...this.sessionHandlers]) if (this.sessionHandlers.has(entry)) entry.handler({ ...event })
  }

  /** @internal */
  reconnected(): void {
    if (this.closed) return
    for (const entry of [...this.reconnectHandlers]) entry.handler()
  }
}
