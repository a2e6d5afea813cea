/**
 * RedisBus: the scale-out Bus on Redis pub/sub (ioredis), keeping the rules of `bus.ts`.
 *
 * Two connections: a publisher, and a subscriber (a connection in subscribe mode takes no other
 * commands). Channels: `<prefix>doc:<docName>` per doc and `<prefix>sessions` for session events
 * (pub/sub ignores Redis's database number, so the prefix alone keeps deployments on one Redis
 * apart). Every message is one binary frame:
 *
 *   byte 0      frame format version (1)
 *   byte 1      kind: 0 Yjs update, 1 awareness update, 2 session event
 *   bytes 2-17  the sender's instance id (16 random bytes; receivers drop their own [BUS2])
 *   bytes 18-   payload: the y-protocols bytes as published [BUS6], or the session id in UTF-8
 *
 * Subscriptions are reference-counted per channel: the first handler of a doc sends SUBSCRIBE and
 * its `subscribe` resolves once Redis confirmed it [BUS1]; the last unsubscribe sends UNSUBSCRIBE.
 * Handlers are removed synchronously, so none runs after its unsubscribe resolved [BUS5]. Redis
 * keeps the order of one connection's publishes [BUS3].
 *
 * Outages [BUS7]: the bus is `down` while either connection is not ready (or the subscriber has
 * not yet re-subscribed). The publisher has no offline queue, so `publish` rejects at once instead
 * of piling up; both connections reconnect by themselves with capped backoff. This class, not
 * ioredis, re-subscribes every wanted channel once the subscriber is back (so it knows when that is
 * confirmed), then runs the `onReconnect` handlers so rooms reload what they missed.
 */
import { randomBytes } from 'node:crypto'
import { Redis, type RedisOptions } from 'ioredis'
import { unexpectedCase } from '../../shared/errors.ts'
import type { Logger } from '../observability/log.ts'
import { redactUrl } from '../observability/redact-url.ts'
import type { Bus, BusStatus, DocMessage, SessionEvent } from './bus.ts'

const formatVersion = 1
const headerBytes = 18
const kindCodes = { update: 0, awareness: 1, session: 2 } as const
const kindNames = ['update', 'awareness'] as const

export interface RedisBusOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` (TLS). */
  redisUrl: string
  logger: Logger
  /** Prefix of every channel name. @default 'summitpad:' */
  prefix?: string
  /** Longest wait between two reconnection attempts, in ms (the backoff doubles up to it). @default 2000 */
  maxReconnectDelayMs?: number
  /** A publish Redis has not answered within this is rejected, in ms. @default 5000 */
  publishTimeoutMs?: number
}

/** One doc channel: the handlers on this instance and whether Redis confirmed the SUBSCRIBE. */
class Channel {
  readonly handlers = new Set<{ handler: (message: DocMessage) => void }>()
  confirmed = false
  readonly active: Promise<void>
  private settle!: { resolve: () => void; reject: (error: Error) => void }

  constructor() {
    this.active = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }))
    // reason: a subscribe whose caller gave up (bus closed) must not surface as an unhandled rejection.
    this.active.catch(() => {})
  }

  confirm(): void {
    this.confirmed = true
    this.settle.resolve()
  }

  fail(error: Error): void {
    this.settle.reject(error)
  }
}

/** The Redis pub/sub Bus. Connects in the constructor; `createRedisBus` waits until it is up. */
export class RedisBus implements Bus {
  readonly instanceId: string
  /** Other instances write the same docs. */
  readonly shared = true
  private readonly idBytes: Buffer
  private readonly prefix: string
  private readonly sessionsChannel: string
  private readonly publisher: Redis
  private readonly subscriber: Redis
  private readonly logger: Logger
  private readonly channels = new Map<string, Channel>()
  private readonly sessionHandlers = new Set<{ handler: (event: SessionEvent) => void }>()
  private readonly reconnectHandlers = new Set<{ handler: () => void }>()
  /** The subscriber re-subscribed every wanted channel since it last connected. */
  private resubscribed = false
  private lastStatus: BusStatus = 'down'
  private hasBeenUp = false
  private lastError: Error | null = null
  private errorLogged = false
  private badFrameLogged = false
  private closing: Promise<void> | null = null
  private readonly statusWaiters = new Set<() => void>()

  constructor(options: RedisBusOptions) {
    this.idBytes = randomBytes(16)
    this.instanceId = this.idBytes.toString('hex')
    this.prefix = options.prefix ?? 'summitpad:'
    this.sessionsChannel = `${this.prefix}sessions`
    this.logger = options.logger.child({ component: 'bus', redis: redactUrl(options.redisUrl) })
    const maxDelay = options.maxReconnectDelayMs ?? 2000
    const common: RedisOptions = {
      // Reconnect forever, 50 ms after the first failure, doubling up to `maxDelay`.
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt - 1, 16), maxDelay),
      // Commands are never queued while disconnected: publish fails fast, and subscriptions are
      // re-sent by `resubscribe` on every reconnect.
      enableOfflineQueue: false,
      connectionName: `summitpad-${this.instanceId.slice(0, 8)}`,
    }
    this.publisher = new Redis(options.redisUrl, {
      ...common,
      // A publish in flight when the connection drops is resent once after a quick reconnect,
      // and rejected if that fails too.
      maxRetriesPerRequest: 1,
      commandTimeout: options.publishTimeoutMs ?? 5000,
    })
    this.subscriber = new Redis(options.redisUrl, {
      ...common,
      // A SUBSCRIBE in flight when the connection drops fails at once; `resubscribe` sends it again.
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
    })
    for (const [role, client] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      client.on('error', (error: Error) => this.onError(role, error))
      client.on('close', () => this.updateStatus())
      client.on('end', () => this.updateStatus())
    }
    this.publisher.on('ready', () => this.updateStatus())
    this.subscriber.on('close', () => (this.resubscribed = false))
    this.subscriber.on('ready', () => void this.resubscribe())
    this.subscriber.on('messageBuffer', (channel: Buffer, frame: Buffer) => this.receive(channel.toString(), frame))
  }

  async subscribe(docName: string, handler: (message: DocMessage) => void): Promise<() => Promise<void>> {
    if (this.closing) throw new Error('bus closed')
    const name = this.docChannel(docName)
    let channel = this.channels.get(name)
    if (!channel) {
      const created = new Channel()
      this.channels.set(name, created)
      channel = created
      // While the subscriber is away, `resubscribe` sends it once it is back.
      if (this.subscriber.status === 'ready') this.sendSubscribe(name, created)
    }
    const entry = { handler }
    channel.handlers.add(entry)
    try {
      await channel.active
    } catch (error) {
      channel.handlers.delete(entry)
      throw error
    }
    let unsubscribing: Promise<void> | null = null
    return () => (unsubscribing ??= this.unsubscribe(name, channel, entry))
  }

  async publish(docName: string, message: DocMessage): Promise<void> {
    if (this.closing) throw new Error('bus closed')
    if (this.status() === 'down') throw new Error(`bus down: ${this.lastError?.message ?? 'Redis is not connected'}`)
    const kind = message.kind === 'update' ? kindCodes.update : message.kind === 'awareness' ? kindCodes.awareness : unexpectedCase(message.kind)
    await this.publisher.publish(this.docChannel(docName), this.frame(kind, message.payload))
  }

  onSessionEvent(handler: (event: SessionEvent) => void): () => void {
    const entry = { handler }
    this.sessionHandlers.add(entry)
    return () => this.sessionHandlers.delete(entry)
  }

  async publishSessionEvent(event: SessionEvent): Promise<void> {
    const payload = Buffer.from(event.sessionId, 'utf8')
    try {
      if (this.closing) throw new Error('bus closed')
      if (this.status() === 'down') throw new Error('bus down')
      await this.publisher.publish(this.sessionsChannel, this.frame(kindCodes.session, payload))
    } catch (error) {
      this.logger.warn({ err: error, sessionId: event.sessionId }, 'session event not published')
    }
  }

  onReconnect(handler: () => void): () => void {
    const entry = { handler }
    this.reconnectHandlers.add(entry)
    return () => this.reconnectHandlers.delete(entry)
  }

  status(): BusStatus {
    const up = !this.closing && this.publisher.status === 'ready' && this.subscriber.status === 'ready' && this.resubscribed
    return up ? 'up' : 'down'
  }

  /**
   * Resolves once the bus is up; rejects after `timeoutMs` with the last connection error. For
   * startup (`createRedisBus`): later outages are reported by `status()`.
   */
  whenUp(timeoutMs: number): Promise<void> {
    if (this.status() === 'up') return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const waiter = () => {
        if (this.status() !== 'up') return
        clearTimeout(timer)
        this.statusWaiters.delete(waiter)
        resolve()
      }
      const timer = setTimeout(() => {
        this.statusWaiters.delete(waiter)
        reject(new Error(`Redis not reachable within ${timeoutMs} ms: ${this.lastError?.message ?? 'no answer'}`))
      }, timeoutMs)
      this.statusWaiters.add(waiter)
    })
  }

  /** Drops every handler and disconnects both connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new Error('bus closed')
      for (const channel of this.channels.values()) if (!channel.confirmed) channel.fail(closed)
      this.channels.clear()
      this.sessionHandlers.clear()
      this.reconnectHandlers.clear()
      await Promise.all([quit(this.publisher), quit(this.subscriber)])
      this.updateStatus()
    })()
    return this.closing
  }

  private docChannel(docName: string): string {
    return `${this.prefix}doc:${docName}`
  }

  private frame(kind: number, payload: Uint8Array): Buffer {
    const frame = Buffer.allocUnsafe(headerBytes + payload.length)
    frame[0] = formatVersion
    frame[1] = kind
    this.idBytes.copy(frame, 2)
    frame.set(payload, headerBytes)
    return frame
  }

  private sendSubscribe(name: string, channel: Channel): void {
    this.subscriber.subscribe(name).then(
      () => channel.confirm(),
      // The connection dropped meanwhile: `resubscribe` sends it again once it is back.
      (error: unknown) => this.logger.debug({ err: error, channel: name }, 'subscribe interrupted'),
    )
  }

  private async unsubscribe(name: string, channel: Channel, entry: { handler: (message: DocMessage) => void }): Promise<void> {
    channel.handlers.delete(entry)
    if (channel.handlers.size > 0 || this.channels.get(name) !== channel) return
    this.channels.delete(name)
    if (this.subscriber.status !== 'ready') return
    try {
      await this.subscriber.unsubscribe(name)
    } catch (error) {
      // The connection dropped: a reconnected subscriber only re-subscribes wanted channels.
      this.logger.debug({ err: error, channel: name }, 'unsubscribe interrupted')
    }
  }

  /** Runs on every subscriber 'ready': subscribes every wanted channel in one command. */
  private async resubscribe(): Promise<void> {
    const wanted = [...this.channels.entries()]
    try {
      await this.subscriber.subscribe(this.sessionsChannel, ...wanted.map(([name]) => name))
    } catch (error) {
      // Lost the connection again (the next 'ready' retries), or the bus is closing.
      this.logger.debug({ err: error }, 'resubscribe interrupted')
      return
    }
    if (this.subscriber.status !== 'ready') return
    // Only the Channel objects this SUBSCRIBE was sent for: one re-created meanwhile has its own.
    for (const [, channel] of wanted) channel.confirm()
    this.resubscribed = true
    this.updateStatus()
  }

  private receive(channelName: string, frame: Buffer): void {
    if (frame.length < headerBytes || frame[0] !== formatVersion) return this.badFrame(channelName, frame)
    // [BUS2] our own message, echoed back by Redis.
    if (frame.compare(this.idBytes, 0, 16, 2, headerBytes) === 0) return
    const kind = frame[1]!
    if (channelName === this.sessionsChannel) {
      if (kind !== kindCodes.session) return this.badFrame(channelName, frame)
      const event: SessionEvent = { sessionId: frame.toString('utf8', headerBytes) }
      for (const entry of [...this.sessionHandlers]) {
        if (this.sessionHandlers.has(entry)) this.call(() => entry.handler(event), channelName)
      }
      return
    }
    const channel = this.channels.get(channelName)
    if (!channel) return
    const kindName = kindNames[kind]
    if (kindName === undefined) return this.badFrame(channelName, frame)
    // A copy: the frame's buffer may be a slice of ioredis's read buffer.
    const message: DocMessage = { kind: kindName, payload: new Uint8Array(frame.subarray(headerBytes)) }
    for (const entry of [...channel.handlers]) {
      // [BUS5] a handler removed by an earlier handler of this same message is not called.
      if (channel.handlers.has(entry)) this.call(() => entry.handler(message), channelName)
    }
  }

  /** Runs a handler; one that throws is logged and must not break ioredis's reply parsing. */
  private call(run: () => void, channelName: string): void {
    try {
      run()
    } catch (error) {
      this.logger.error({ err: error, channel: channelName }, 'bus handler threw')
    }
  }

  private badFrame(channelName: string, frame: Buffer): void {
    if (this.badFrameLogged) return
    this.badFrameLogged = true
    this.logger.warn({ channel: channelName, bytes: frame.length, version: frame[0], kind: frame[1] }, 'ignoring malformed bus frames')
  }

  private onError(role: 'publisher' | 'subscriber', error: Error): void {
    this.lastError = error
    // ioredis reports every failed reconnection attempt: log the first of each outage.
    if (this.errorLogged) return this.logger.debug({ err: error, role }, 'Redis connection error')
    this.errorLogged = true
    this.logger.warn({ err: error, role }, 'Redis connection error')
  }

  private updateStatus(): void {
    const status = this.status()
    if (status === this.lastStatus) return
    this.lastStatus = status
    if (status === 'down') {
      if (!this.closing) this.logger.warn({ publisher: this.publisher.status, subscriber: this.subscriber.status }, 'bus down')
      return
    }
    const reconnected = this.hasBeenUp
    this.hasBeenUp = true
    this.errorLogged = false
    this.lastError = null
    this.logger.info({ instanceId: this.instanceId }, reconnected ? 'bus up again' : 'bus up')
    for (const waiter of [...this.statusWaiters]) waiter()
    if (!reconnected) return
    for (const entry of [...this.reconnectHandlers]) {
      if (this.reconnectHandlers.has(entry)) this.call(entry.handler, 'reconnect')
    }
  }
}

/**
 * A RedisBus that is up: resolves once both connections are ready and subscribed, or closes it and
 * rejects after `connectTimeoutMs` (@default 5000) with a message naming the URL (password hidden).
 */
export async function createRedisBus(options: RedisBusOptions & { connectTimeoutMs?: number }): Promise<RedisBus> {
  const bus = new RedisBus(options)
  try {
    await bus.whenUp(options.connectTimeoutMs ?? 5000)
  } catch (error) {
    await bus.close()
    throw new Error(`cannot connect to the bus at ${redactUrl(options.redisUrl)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  return bus
}


/** Closes `client` gracefully when it is connected (in-flight commands finish), at once otherwise. */
async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit()
      return
    } catch {
      // reason: the connection dropped during QUIT; disconnect below stops reconnection attempts.
    }
  }
  client.disconnect()
}
