/**
 * Wires one summitpad server from a Config: storage, sync core, HTTP app and WebSocket upgrade
 * on one port. `close()` shuts down gracefully: stop accepting, close every socket with 1001,
 * flush appends and compact, close the store.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import type { Config } from './config.ts'
import { Archiver } from './archive/archiver.ts'
import { openBus } from './bus/open-bus.ts'
import { formatDocName, parseDocName } from '../shared/doc-name.ts'
import { HistoryService } from './history/history-service.ts'
import { RevisionKeeper } from './history/revision-keeper.ts'
import { createApp } from './http/app.ts'
import { createMetrics } from './observability/metrics.ts'
import { IpRateLimit } from './http/ip-rate-limit.ts'
import { createUpgradeHandler } from './http/upgrade.ts'
import { SessionService } from './sessions/session-service.ts'
import { openStorage } from './storage/open-storage.ts'
import type { Logger } from './sync/logger.ts'
import { RoomRegistry } from './sync/room-registry.ts'
import { packageVersion } from './version.ts'

export interface RunningServer {
  /** `http://host:port` with the port actually bound. */
  url: string
  port: number
  /** Graceful shutdown; idempotent. */
  close(): Promise<void>
}

const pingIntervalMs = 30_000

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, sqliteSync: config.sqliteSync, commitWindowMs: config.storeCommitWindowMs })
  const bus = await openBus({ redisUrl: config.redisUrl, logger, prefix: config.redisPrefix })
  // The gauges read the registry when scraped, after it exists.
  const metrics = createMetrics({ connections: () => registry.connectionCount, rooms: () => registry.loadedDocNames.length, builtRooms: async () => (await registry.builtDocNames()).length })
  const registry = new RoomRegistry({
    store: storage.docs,
    logger: logger.child({ component: 'sync' }),
    compactAfterRows: config.compactAfterRows,
    unloadDelayMs: config.roomUnloadDelayMs,
    maxQueuedBytesPerConnection: config.maxQueuedBytesPerConnection,
    rateLimit: { perSecond: config.maxMessagesPerSecond, burst: config.messageBurst },
    maxSendBacklogBytes: config.maxSendBacklogBytes,
    metrics: metrics.sync,
    onPresence: (docName, names) => sessions.notePresence(docName, names),
    onStored: (docName) => keeper.noteChange(docName),
    limits: {
      maxUpdateBytes: config.maxUpdateBytes,
      maxDocBytes: config.maxDocBytes,
      maxPendingBytes: config.maxPendingBytes,
      maxStructs: config.maxUpdateStructs,
      maxDeleteRanges: config.maxUpdateStructs,
    },
    awarenessFlushMs: config.awarenessFlushMs,
    broadcastWindowMs: config.broadcastWindowMs,
    broadcastSendsPerSecond: config.broadcastSendsPerSecond,
    // Nobody deletes chat messages, their own or anyone else's.
    isAppendOnly: (docName) => parseDocName(docName)?.kind === 'chat',
    bus,
  })
  const keeper = new RevisionKeeper(storage.docs, registry, logger.child({ component: 'history' }), {
    quietMs: config.revisionQuietMs,
    maxIntervalMs: config.revisionMaxIntervalMs,
  })
  const archiver = new Archiver(storage.meta, registry)
  const sessions = new SessionService(storage.meta, storage.docs, registry, archiver, logger.child({ component: 'sessions' }))
  sessions.attachBus(bus)
  // A revision at the start and at the end of every session.
  sessions.onStateChange = async (session) => {
    await keeper.capture(formatDocName({ sessionId: session.id, kind: 'pad' }), session.state === 'live' ? 'start' : 'end', true).catch(() => null)
  }
  const history = new HistoryService(storage.docs, registry, sessions, keeper)
  const app = createApp({
    history,
    metrics: metrics.registry,
    sessions,
    archiver,
    meta: storage.meta,
    docs: storage.docs,
    logger,
    staticDir: config.staticDir,
    version: packageVersion(),
    health: async () => ({
      store: { kind: storage.kind, status: await storage.health() },
      bus: { kind: config.redisUrl ? 'redis' : 'local', status: bus.status() },
      rooms: registry.loadedDocNames.length,
      connections: registry.connectionCount,
    }),
  })
  // Connections that never finish their request headers (idle or half-open sockets) are dropped
  // after 10 s, checked every second.
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1000 }, app)
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes })
  server.on(
    'upgrade',
    createUpgradeHandler({
      wss,
      registry,
      sessions,
      logger,
      pingIntervalMs,
      allowedOrigins: config.publicUrl ? [new URL(config.publicUrl).origin] : [],
      ipRateLimit: new IpRateLimit({ perSecond: config.connectionsPerIpPerSecond, burst: config.connectionBurstPerIp }),
    }),
  )

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const displayHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  const url = `http://${displayHost}:${port}`
  logger.info({ port, url, store: storage.kind, ...(storage.kind === 'sqlite' ? { dataDir: config.dataDir } : {}), bus: config.redisUrl ? 'redis' : 'local' }, 'summitpad listening')

  let autoEnd: NodeJS.Timeout | null = null
  if (config.autoEndAfterMinutes > 0) {
    let running = false
    autoEnd = setInterval(() => {
      if (running) return
      running = true
      sessions
        .endOverdue(config.autoEndAfterMinutes)
        .catch((error: unknown) => logger.error({ err: error }, 'auto-end check failed'))
        .finally(() => (running = false))
    }, config.autoEndCheckSeconds * 1000)
    autoEnd.unref()
  }

  let closing: Promise<void> | null = null
  const close = () => {
    closing ??= (async () => {
      if (autoEnd) clearInterval(autoEnd)
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      await keeper.close()
      await registry.close()
      await bus.close()
      wss.close()
      server.closeAllConnections()
      await stopped
      await storage.close()
      logger.info({}, 'summitpad stopped')
    })()
    return closing
  }
  return { url, port, close }
}
