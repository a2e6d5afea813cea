/**
 * RoomBus: a room's link to other server instances (the Bus). The room subscribes to its doc's
 * channel before it loads, so nothing published in between is missed (messages that arrive
 * before the room is made are kept and handed to it once it is); it publishes what this instance
 * stored; a failing bus is logged once per outage and never holds the room up.
 */
import type { Logger } from '../../shared/logger.ts'
import type { Bus, DocMessage } from '../bus/bus.ts'

/** Longest a load waits for the subscription, in ms: a bus that is down would hold it. */
const subscribeWaitMs = 2000

type Unsubscribe = () => Promise<void>

export class RoomBus {
  private receive: ((message: DocMessage) => void) | null = null
  private readonly early: DocMessage[] = []
  private unsubscribeFn: Unsubscribe | null = null
  private closed = false
  private failureLogged = false

  private constructor(
    private readonly docName: string,
    private readonly bus: Bus | undefined,
    private readonly logger: Logger,
  ) {}

  /**
   * Subscribes to `docName`'s channel on `bus` (none: a room alone), waiting at most
   * `subscribeWaitMs`: past that, local clients are served now and the subscription completes
   * later (the bus catches up).
   */
  static async subscribe(docName: string, bus: Bus | undefined, logger: Logger): Promise<RoomBus> {
    const link = new RoomBus(docName, bus, logger)
    if (!bus) return link
    const subscription = bus.subscribe(docName, (message) => (link.receive ? link.receive(message) : link.early.push(message)))
    const subscribed = await settleWithin(subscription, subscribeWaitMs)
    if (subscribed) link.unsubscribeFn = subscribed
    else {
      subscription.then(
        (unsubscribe) => {
          if (link.closed) void link.drop(unsubscribe)
          else link.unsubscribeFn = unsubscribe
        },
        (error: unknown) => logger.warn({ err: error, docName }, 'bus subscription failed'),
      )
    }
    return link
  }

  /** Hands every message (those that arrived early first) to `receive` from now on. */
  attach(receive: (message: DocMessage) => void): void {
    this.receive = receive
    for (const message of this.early.splice(0)) receive(message)
  }

  /** Publishes `message` for other instances; a failure is logged (once per outage). */
  publish(message: DocMessage): void {
    if (!this.bus) return
    this.bus.publish(this.docName, message).then(
      () => {
        this.failureLogged = false
      },
      (error: unknown) => {
        // Other instances catch up from the store when the bus is back (see Room.resync).
        if (this.failureLogged) return
        this.failureLogged = true
        this.logger.warn({ err: error, docName: this.docName }, 'publishing to the bus failed')
      },
    )
  }

  /** Unsubscribes (now, or once a late subscription completes). Idempotent. */
  async close(): Promise<void> {
    this.closed = true
    const unsubscribe = this.unsubscribeFn
    this.unsubscribeFn = null
    if (unsubscribe) await this.drop(unsubscribe)
  }

  private async drop(unsubscribe: Unsubscribe): Promise<void> {
    try {
      await unsubscribe()
    } catch (error) {
      // The bus is down: its subscriptions went with it, and it resubscribes nothing of ours.
      this.logger.warn({ err: error, docName: this.docName }, 'unsubscribing from the bus failed')
    }
  }
}

/** Resolves to the promise's value if it settles within `ms`, else to null (it keeps running). */
async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms)
  })
  try {
    // A rejection is reported where the caller handles the promise itself (see `subscribe`).
    return await Promise.race([promise.catch(() => null), timeout])
  } finally {
    clearTimeout(timer)
  }
}
