/**
 * Chooses the Bus by configuration: RedisBus when a Redis URL is set (several instances share live
 * sessions), LocalBus otherwise (one process, nothing to fan out).
 */
import type { Logger } from '../observability/log.ts'
import type { Bus } from './bus.ts'
import { LocalBus } from './local-bus.ts'

export interface OpenBusOptions {
  /** `Config.redisUrl`: unset gives the LocalBus. */
  redisUrl: string | null | undefined
  logger: Logger
  /** Prefix of every Redis channel name (`Config.redisPrefix`). @default 'summitpad:' */
  prefix?: string
  /** How long startup waits for Redis before giving up, in ms. @default 5000 */
  connectTimeoutMs?: number
}

/**
 * Opens the configured Bus. With a Redis URL it resolves once Redis answered and the bus is
 * subscribed, and rejects (with the URL, password hidden, and the connection error) when Redis
 * cannot be reached within `connectTimeoutMs`.
 */
export async function openBus(options: OpenBusOptions): Promise<Bus> {
  if (!options.redisUrl) return new LocalBus()
  // Loaded only with a Redis URL: ioredis costs a one-instance server memory it never uses.
  const { createRedisBus } = await import('./redis-bus.ts')
  return createRedisBus({
    redisUrl: options.redisUrl,
    logger: options.logger,
    prefix: options.prefix,
    connectTimeoutMs: options.connectTimeoutMs,
  })
}
