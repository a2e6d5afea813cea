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
import { controlMapName, quarantinedUpdatesKey } from '../shared/control-state.ts'
import { formatDocName, parseDocName } from '../shared/doc-name.ts'
import { HistoryService } from './history/history-service.ts'
import { RevisionKeeper } from './history/revision-keeper.ts'
import { CurrentItemKeeper } from './sessions/current-item-keeper.ts'
import { lazyApp } from './http/lazy-app.ts'
import { createMetrics } from './observability/metrics.ts'
import { IpRateLimit } from './http/ip-rate-limit.ts'
import { createUpgradeHandler } from './http/upgrade.ts'
import { compileTrust } from './http/client-address.ts'
import { RefusalLog } from './http/refusal-log.ts'
import { SessionService } from './sessions/session-service.ts'
import { closeHeavyWork } from './workers/heavy-work.ts'
import { openStorage } from './storage/open-storage.ts'
import type { Logger } from './observability/log.ts'
import { RoomRegistry } from './sync/room-registry.ts'
import { loadOrganizerTokens, OrganizerTokens } from './auth/organizers.ts'
import { CreationLimit } from './http/creation-limit.ts'
import { mainPortMetricsAccess } from './http/metrics-access.ts'
import { OrganizerAuth } from './http/organizer-auth.ts'
import { OidcSignIn } from './auth/oidc.ts'
import { defaultRoomLimits } from './sync/room.ts'
import { packageVersion } from './version.ts'
import { Counter } from 'prom-client'
import { OutboxDispatcher } from './outbox/outbox-dispatcher.ts'
import { OutcomeEvents } from './outbox/outcome-events.ts'

export interface RunningServer {
  /** `http://host:port` with the port actually bound. */
  url: string
  port: number
  /** Graceful shutdown; idempotent. */
  close(): Promise<void>
}

const pingIntervalMs = 30_000

/** What the entry point hears of the running server. */
export interface ServerHooks {
  /**
   * Called once, at the first WebSocket or the first request the web app answers (not a health
   * check or a metrics scrape): the server is in use from then on (main.ts lets V8's young
   * generation grow again then, see startup-heap.ts).
   */
  onFirstUse?: () => void
}

export async function startServer(config: Config, logger: Logger, hooks: ServerHooks = {}): Promise<RunningServer> {
  // Read before anything opens: a malformed hash stops the start instead of locking organizers out.
  const organizerTokens = new OrganizerTokens(loadOrganizerTokens(config.organizerTokenHashes, config.organizerTokensFile))
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, sqliteSync: config.sqliteSync, commitWindowMs: config.storeCommitWindowMs })
  const bus = await openBus({ redisUrl: config.redisUrl, logger, prefix: config.redisPrefix })
  const countQuarantined = async (sessionId: string) => {
    const lists = await Promise.all((['pad', 'chat', 'control'] as const).map((kind) => storage.docs.listQuarantined(formatDocName({ sessionId, kind }))))
    return lists.reduce((sum, list) => sum + list.length, 0)
  }
  // Built in dependency order. Two links point back, as callbacks that run only once the server
  // serves (never during this function): the gauges read the registry when scraped, and the
  // registry's hooks (presence, stored updates, new docs) reach the session service and the
  // revision keeper, which are built on the registry.
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
    onPresence: (docName, people) => sessions.notePresence(docName, people),
    onStored: (docName) => keeper.noteChange(docName),
    onDocCreated: (docName, ydoc) => {
      keeper.watch(docName, ydoc)
      currentItems.watch(docName, ydoc)
    },
    // Tell the moderator (a control doc field the pad page shows) that stored edits were set aside.
    onQuarantine: (docName, rows) => {
      const parsed = parseDocName(docName)
      if (!parsed) return
      const control = formatDocName({ sessionId: parsed.sessionId, kind: 'control' })
      void countQuarantined(parsed.sessionId)
        .then((total) => registry.change(control, (ydoc) => ydoc.getMap(controlMapName).set(quarantinedUpdatesKey, total)))
        .catch((error: unknown) => logger.error({ err: error, docName, rows }, 'telling the moderator about quarantined updates failed'))
    },
    limits: {
      ...defaultRoomLimits,
      maxUpdateBytes: config.maxUpdateBytes,
      maxDocBytes: config.maxDocBytes,
      maxPendingBytes: config.maxPendingBytes,
      maxStructs: config.maxUpdateStructs,
      maxDeleteRanges: config.maxUpdateStructs,
      maxClients: config.maxUpdateClients,
    },
    maxAwarenessChars: config.maxRoomAwarenessChars,
    awarenessFlushMs: config.awarenessFlushMs,
    broadcastWindowMs: config.broadcastWindowMs,
    broadcastSendsPerSecond: config.broadcastSendsPerSecond,
    // Nobody deletes chat messages, their own or anyone else's.
    isAppendOnly: (docName) => parseDocName(docName)?.kind === 'chat',
    // Each kind of doc takes the content its clients write, nothing else (update-checks.ts).
    docShape: (docName) => parseDocName(docName)?.kind ?? 'free',
    bus,
  })
  const keeper = new RevisionKeeper(storage.docs, registry, logger.child({ component: 'history' }), {
    quietMs: config.revisionQuietMs,
    maxIntervalMs: config.revisionMaxIntervalMs,
  })
  const archiver = new Archiver(storage.meta, registry, { publicUrl: config.publicUrl })
  // The session's current item follows the pad's "Now" mark after any change (issue 19, bug 6).
  const currentItems = new CurrentItemKeeper(storage.meta, registry, logger.child({ component: 'agenda' }))
  const eventTimeZone = async () => (await storage.meta.getEventTimeZone()) ?? config.eventTimeZone
  const sessions = new SessionService({
    meta: storage.meta,
    docs: storage.docs,
    rooms: registry,
    archiver,
    bus,
    eventTimeZone,
    logger: logger.child({ component: 'sessions' }),
    // A revision at the start and at the end of every session.
    onStateChange: async (session) => {
      // reason: capture logs its own failures; a missing revision must not fail the start or end.
      await keeper.capture(formatDocName({ sessionId: session.id, kind: 'pad' }), session.state === 'live' ? 'start' : 'end', true).catch(() => null)
    },
  })
  // Issue 20: webhooks and recap mail, through the outbox in the same store.
  const outboxAttempts = new Counter({
    name: 'summitpad_outbox_attempts_total',
    help: 'Webhook and recap-mail delivery attempts, by channel and result (delivered, retry, dead)',
    labelNames: ['channel', 'result'],
    registers: [metrics.registry],
  })
  const dispatcher = new OutboxDispatcher({
    meta: storage.meta,
    notify: config.notify,
    outbox: config.outbox,
    logger: logger.child({ component: 'outbox' }),
    onAttempt: (channel, result) => outboxAttempts.inc({ channel, result }),
  })
  const outcomes = { events: new OutcomeEvents(config.notify, config.publicUrl), written: () => dispatcher.kick() }
  sessions.outcomes = outcomes
  const history = new HistoryService(storage.docs, registry, sessions, keeper)
  const trustProxy = compileTrust(config.trustProxy)
  const refusals = new RefusalLog(logger.child({ component: 'upgrade' }))
  const organizers = new OrganizerAuth({
    tokens: organizerTokens,
    meta: storage.meta,
    logger: logger.child({ component: 'organizers' }),
    sessionHours: config.organizerSessionHours,
    secureCookie: config.publicUrl?.startsWith('https:') ?? false,
  })
  let used = false
  const firstUse = () => {
    if (used) return
    used = true
    hooks.onFirstUse?.()
  }
  const app = lazyApp({
    onFirstUse: firstUse,
    trustProxy,
    organizers,
    organizerTokens,
    creation: {
      who: config.sessionCreation,
      limit: new CreationLimit({ perMinute: config.sessionCreatePerIpPerMinute, burst: config.sessionCreateBurstPerIp, totalPerMinute: config.sessionCreatePerMinute }),
    },
    importOptions: { autoEndAfterMinutes: config.autoEndAfterMinutes, defaultTimeZone: config.eventTimeZone, outcomes },
    eventTimeZone,
    outboxWritten: outcomes.written,
    recap: { notify: config.notify, publicUrl: config.publicUrl },
    metricsAccess: mainPortMetricsAccess(config.metricsToken, config.metricsPort),
    oidc: config.oidc
      ? {
          // Its routes bring express, which a server without OIDC loads on its first page request.
          router: (await import('./http/routes/oidc.ts')).oidcRouter({
            oidc: new OidcSignIn(config.oidc),
            auth: organizers,
            logger: logger.child({ component: 'oidc' }),
            publicUrl: config.publicUrl,
            secureCookie: config.publicUrl?.startsWith('https:') ?? false,
          }),
          providerName: config.oidc.providerName,
          signInUrl: '/auth/oidc/login',
        }
      : null,
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
      failedPads: registry.failedPads,
    }),
  })
  // Connections that never finish their request headers (idle or half-open sockets) are dropped
  // after 10 s, checked every second.
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1000 }, app)
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes })
  server.once('upgrade', firstUse)
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
      trustProxy,
      refusals,
      foreignEditors: config.foreignEditors,
      frameSentVia: metrics.frameSentVia,
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
  let metricsServer: http.Server | null = null
  if (config.metricsPort !== null) {
    const { createMetricsApp } = await import('./http/metrics-app.ts')
    const listener = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, createMetricsApp(metrics.registry, config.metricsToken))
    metricsServer = listener
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject)
      listener.listen(config.metricsPort!, config.host, () => {
        listener.off('error', reject)
        resolve()
      })
    })
    logger.info({ metricsPort: (listener.address() as AddressInfo).port }, 'metrics listening')
  }
  const displayHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  const url = `http://${displayHost}:${port}`
  logger.info(
    {
      port,
      url,
      store: storage.kind,
      ...(storage.kind === 'sqlite' ? { dataDir: config.dataDir } : {}),
      bus: config.redisUrl ? 'redis' : 'local',
      organizerTokens: organizerTokens.configured,
      sessionCreation: config.sessionCreation,
    },
    'summitpad listening',
  )

  // Deliveries left by an earlier run (a crash, a restart) go out from here on, and a session
  // that ended just before a crash is archived (and reported) now.
  dispatcher.start()
  void sessions.archiveMissing().catch((error: unknown) => logger.error({ err: error }, 'looking for unarchived sessions failed'))

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
      refusals.close()
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      currentItems.close()
      await keeper.close()
      await registry.close()
      await dispatcher.close()
      await bus.close()
      wss.close()
      server.closeAllConnections()
      if (metricsServer) {
        const metricsStopped = new Promise<void>((resolve) => metricsServer!.close(() => resolve()))
        metricsServer.closeAllConnections()
        await metricsStopped
      }
      await stopped
      await closeHeavyWork()
      await storage.close()
      logger.info({}, 'summitpad stopped')
    })()
    return closing
  }
  return { url, port, close }
}
