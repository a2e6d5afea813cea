/**
 * RedisBus against real Redis: the Bus contract on the shared server at 127.0.0.1:6379 (a random
 * channel prefix per run keeps parallel runs apart), and [BUS7] on a test-owned redis-server that
 * the test kills and starts again on the same port.
 */
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import type { Bus } from '../../../server/bus/bus.ts'
import { LocalBus } from '../../../server/bus/local-bus.ts'
import { openBus } from '../../../server/bus/open-bus.ts'
import { createRedisBus } from '../../../server/bus/redis-bus.ts'
import type { Logger } from '../../../server/observability/log.ts'
import { silentLogger } from '../../../server/observability/log.ts'
import { registerBusContract } from '../../helpers/contracts/bus.contract.ts'
import { freePort, OwnedRedis } from '../../helpers/owned-redis.ts'
import { waitFor } from '../../helpers/wait-for.ts'

const sharedRedisUrl = 'redis://127.0.0.1:6379'
const prefix = `summitpad-test-${randomBytes(6).toString('hex')}:`

async function twoBuses(redisUrl: string) {
  const options = { redisUrl, logger: silentLogger, prefix, maxReconnectDelayMs: 200 }
  const [a, b] = await Promise.all([createRedisBus(options), createRedisBus(options)])
  return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()])) }
}

const owned: OwnedRedis[] = []
afterAll(async () => {
  await Promise.all(owned.map((redis) => redis.kill()))
})

registerBusContract(
  'RedisBus',
  () => twoBuses(sharedRedisUrl),
  async () => {
    const redis = new OwnedRedis(await freePort())
    owned.push(redis)
    await redis.start()
    const buses = await twoBuses(redis.url)
    return {
      ...buses,
      interrupt: () => redis.kill(),
      restore: () => redis.start(),
      async cleanup() {
        await buses.cleanup()
        await redis.kill()
      },
    }
  },
)

/** A Logger that keeps every line, to check what an outage logs. */
function recordingLogger() {
  const lines: { level: string; msg: string | undefined; obj: object }[] = []
  const logger: Logger = {
    debug: (obj, msg) => void lines.push({ level: 'debug', msg, obj }),
    info: (obj, msg) => void lines.push({ level: 'info', msg, obj }),
    warn: (obj, msg) => void lines.push({ level: 'warn', msg, obj }),
    error: (obj, msg) => void lines.push({ level: 'error', msg, obj }),
    child: () => logger,
  }
  return { logger, lines }
}

describe('openBus', () => {
  it('gives the LocalBus without a Redis URL', async () => {
    const bus = await openBus({ redisUrl: undefined, logger: silentLogger })
    expect(bus).toBeInstanceOf(LocalBus)
    await bus.close()
  })

  it('gives a RedisBus that is up and delivers to another instance', async () => {
    const { logger, lines } = recordingLogger()
    const buses: Bus[] = []
    try {
      const a = await openBus({ redisUrl: sharedRedisUrl, logger, prefix })
      buses.push(a)
      const b = await openBus({ redisUrl: sharedRedisUrl, logger: silentLogger, prefix })
      buses.push(b)
      expect(a.status()).toBe('up')
      expect(lines.some((line) => line.level === 'info' && line.msg === 'bus up')).toBe(true)
      const received: Uint8Array[] = []
      await a.subscribe('open-bus', (message) => received.push(message.payload))
      await b.publish('open-bus', { kind: 'update', payload: Uint8Array.of(7, 8, 9) })
      await waitFor(() => received.length === 1, 5000, 'the message')
      expect([...received[0]!]).toEqual([7, 8, 9])
    } finally {
      await Promise.all(buses.map((bus) => bus.close()))
    }
  })

  it('keeps instances with different prefixes apart', async () => {
    const options = { redisUrl: sharedRedisUrl, logger: silentLogger }
    const a = await openBus({ ...options, prefix })
    const b = await openBus({ ...options, prefix: `${prefix}other:` })
    const c = await openBus({ ...options, prefix })
    try {
      const received: string[] = []
      await a.subscribe('pad', () => received.push('wrong prefix'))
      await a.subscribe('marker', () => received.push('marker'))
      await b.publish('pad', { kind: 'update', payload: Uint8Array.of(1) })
      await b.publish('marker', { kind: 'update', payload: Uint8Array.of(1) })
      await c.publish('marker', { kind: 'update', payload: Uint8Array.of(2) })
      await waitFor(() => received.length >= 1, 5000, 'the marker of the same prefix')
      expect(received).toEqual(['marker'])
    } finally {
      await Promise.all([a.close(), b.close(), c.close()])
    }
  })

  it('rejects with a clear message, password hidden, when Redis cannot be reached at start', async () => {
    const port = await freePort()
    const started = Date.now()
    const opening = openBus({ redisUrl: `redis://:hunter2@127.0.0.1:${port}`, logger: silentLogger, connectTimeoutMs: 1000 })
    await expect(opening).rejects.toThrow(`cannot connect to the bus at redis://:***@127.0.0.1:${port}`)
    await expect(opening).rejects.toThrow(/ECONNREFUSED/)
    await expect(opening).rejects.not.toThrow(/hunter2/)
    // Refused at once, or at the latest at the connect timeout: never a retry loop (10x bound).
    expect(Date.now() - started).toBeLessThan(10 * 1000)
  })

  it('logs an outage once as down and once as up again', async () => {
    const redis = new OwnedRedis(await freePort())
    owned.push(redis)
    await redis.start()
    const { logger, lines } = recordingLogger()
    const bus = await createRedisBus({ redisUrl: redis.url, logger, maxReconnectDelayMs: 100 })
    try {
      await redis.kill()
      await waitFor(() => bus.status() === 'down', 10_000, 'down')
      // Several reconnection attempts fail while it is away.
      await waitFor(() => lines.filter((line) => line.msg === 'Redis connection error').length >= 3, 10_000, 'failed attempts')
      await redis.start()
      await waitFor(() => bus.status() === 'up', 10_000, 'up again')
      const notable = lines.filter((line) => line.level !== 'debug').map((line) => `${line.level} ${line.msg}`)
      // The repeated connection errors of one outage are logged once; the rest go to debug.
      expect([...notable].sort()).toEqual(['info bus up', 'info bus up again', 'warn Redis connection error', 'warn bus down'])
      expect(notable[0]).toBe('info bus up')
      expect(notable.at(-1)).toBe('info bus up again')
    } finally {
      await bus.close()
      await redis.kill()
    }
  })

  it('[BUS7] runs onReconnect only once Redis has the subscriptions again', async () => {
    const redis = new OwnedRedis(await freePort())
    owned.push(redis)
    await redis.start()
    const bus = await createRedisBus({ redisUrl: redis.url, logger: silentLogger, prefix, maxReconnectDelayMs: 100 })
    // Reconnects faster than the bus, so it is ready to ask when the handler runs.
    const probe = new Redis(redis.url, { retryStrategy: () => 10, maxRetriesPerRequest: 0, lazyConnect: true })
    probe.on('error', () => {})
    try {
      await probe.connect()
      await bus.subscribe('pad', () => {})
      const counts: Promise<unknown>[] = []
      // Asked synchronously from the handler: Redis answers before anything the bus sends later.
      bus.onReconnect(() => counts.push(probe.pubsub('NUMSUB', `${prefix}doc:pad`, `${prefix}sessions`)))
      await redis.kill()
      await waitFor(() => bus.status() === 'down', 10_000, 'down')
      await redis.start()
      await waitFor(() => counts.length === 1, 10_000, 'onReconnect')
      expect(await counts[0]).toEqual([`${prefix}doc:pad`, 1, `${prefix}sessions`, 1])
    } finally {
      probe.disconnect()
      await bus.close()
      await redis.kill()
    }
  })
})
