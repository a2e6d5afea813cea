/**
 * Configuration: parsed once from the environment by `loadConfig`, validated with zod, frozen.
 * Every default sits in `defaults`. Nothing below `main.ts` reads `process.env`.
 */
import path from 'node:path'
import { z } from 'zod'

const defaults = {
  port: 3000,
  host: '0.0.0.0',
  dataDir: './data',
  logLevel: 'info',
  maxFrameBytes: 1024 * 1024,
  maxQueuedBytesPerConnection: 4 * 1024 * 1024,
  compactAfterRows: 500,
  roomUnloadDelayMs: 2000,
  shutdownTimeoutMs: 10_000,
  staticDir: './dist/client',
  autoEndAfterMinutes: 30,
  autoEndCheckSeconds: 30,
  maxMessagesPerSecond: 200,
  messageBurst: 500,
  maxSendBacklogBytes: 4 * 1024 * 1024,
  revisionQuietMs: 3000,
  revisionMaxIntervalMs: 60_000,
  maxUpdateBytes: 512 * 1024,
  maxDocBytes: 32 * 1024 * 1024,
  maxPendingBytes: 1024 * 1024,
  maxUpdateStructs: 10_000,
  maxUpdateClients: 4096,
  maxRoomAwarenessChars: 2 * 1024 * 1024,
  awarenessFlushMs: 50,
  broadcastWindowMs: 30,
  broadcastSendsPerSecond: 25_000,
  storeCommitWindowMs: 0,
  connectionsPerIpPerSecond: 20,
  connectionBurstPerIp: 400,
  redisPrefix: 'summitpad:',
} as const

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

const envSchema = z.object({
  PORT: int(0, 65535).default(defaults.port),
  HOST: z.string().min(1).default(defaults.host),
  DATA_DIR: z.string().min(1).default(defaults.dataDir),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(defaults.logLevel),
  MAX_FRAME_BYTES: int(1024, 64 * 1024 * 1024).default(defaults.maxFrameBytes),
  MAX_QUEUED_BYTES_PER_CONNECTION: int(1024, 256 * 1024 * 1024).default(defaults.maxQueuedBytesPerConnection),
  COMPACT_AFTER_ROWS: int(2, 1_000_000).default(defaults.compactAfterRows),
  ROOM_UNLOAD_DELAY_MS: int(0, 3_600_000).default(defaults.roomUnloadDelayMs),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(defaults.shutdownTimeoutMs),
  STATIC_DIR: z.string().min(1).default(defaults.staticDir),
  AUTO_END_AFTER_MINUTES: int(0, 7 * 24 * 60).default(defaults.autoEndAfterMinutes),
  AUTO_END_CHECK_SECONDS: int(1, 3600).default(defaults.autoEndCheckSeconds),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  MAX_MESSAGES_PER_SECOND: int(1, 1_000_000).default(defaults.maxMessagesPerSecond),
  MESSAGE_BURST: int(1, 1_000_000).default(defaults.messageBurst),
  MAX_SEND_BACKLOG_BYTES: int(64 * 1024, 1024 * 1024 * 1024).default(defaults.maxSendBacklogBytes),
  REVISION_QUIET_MS: int(100, 600_000).default(defaults.revisionQuietMs),
  REVISION_MAX_INTERVAL_MS: int(1000, 3_600_000).default(defaults.revisionMaxIntervalMs),
  MAX_UPDATE_BYTES: int(1024, 64 * 1024 * 1024).default(defaults.maxUpdateBytes),
  MAX_DOC_BYTES: int(64 * 1024, 1024 * 1024 * 1024).default(defaults.maxDocBytes),
  MAX_PENDING_BYTES: int(0, 256 * 1024 * 1024).default(defaults.maxPendingBytes),
  MAX_UPDATE_STRUCTS: int(100, 10_000_000).default(defaults.maxUpdateStructs),
  MAX_UPDATE_CLIENTS: int(16, 10_000_000).default(defaults.maxUpdateClients),
  MAX_ROOM_AWARENESS_CHARS: int(64 * 1024, 1024 * 1024 * 1024).default(defaults.maxRoomAwarenessChars),
  AWARENESS_FLUSH_MS: int(0, 10_000).default(defaults.awarenessFlushMs),
  BROADCAST_WINDOW_MS: int(0, 1000).default(defaults.broadcastWindowMs),
  BROADCAST_SENDS_PER_SECOND: int(0, 10_000_000).default(defaults.broadcastSendsPerSecond),
  CONNECTIONS_PER_IP_PER_SECOND: int(0, 1_000_000).default(defaults.connectionsPerIpPerSecond),
  CONNECTION_BURST_PER_IP: int(1, 1_000_000).default(defaults.connectionBurstPerIp),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  SQLITE_SYNC: z.enum(['full', 'normal']).default('full'),
  STORE_COMMIT_WINDOW_MS: int(0, 1000).default(defaults.storeCommitWindowMs),
  REDIS_PREFIX: z.string().min(1).max(200).default(defaults.redisPrefix),
})

export interface Config {
  /** TCP port; 0 picks a free one (the chosen port is logged). @default 3000 */
  readonly port: number
  /** @default '0.0.0.0' */
  readonly host: string
  /** Directory of the embedded SQLite file `summitpad.db`. @default './data' */
  readonly dataDir: string
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL']
  /** Largest WebSocket frame accepted; larger ones close the socket with 1009. @default 1 MiB */
  readonly maxFrameBytes: number
  /** Frames a connection may have waiting before it is closed with 4429. @default 4 MiB */
  readonly maxQueuedBytesPerConnection: number
  /** The stored update log of a doc is merged into one row once it has this many rows. @default 500 */
  readonly compactAfterRows: number
  /** How long an empty room stays in memory. @default 2000 */
  readonly roomUnloadDelayMs: number
  /** Longest a graceful shutdown waits before exiting anyway. @default 10000 */
  readonly shutdownTimeoutMs: number
  /** The built client (`npm run build`). @default './dist/client' */
  readonly staticDir: string
  /**
   * Sessions still open this many minutes after their slot ended are ended and archived
   * automatically; 0 turns that off. @default 30
   */
  readonly autoEndAfterMinutes: number
  /** How often overdue sessions are looked for. @default 30 */
  readonly autoEndCheckSeconds: number
  /**
   * The URL people open summitpad at (e.g. https://pads.summit.example). When set, browsers on
   * other origins cannot open WebSockets to this server. @default unset (any origin)
   */
  readonly publicUrl: string | null
  /** Messages a connection may send per second (sustained); over it: 4429. @default 200 */
  readonly maxMessagesPerSecond: number
  /** Messages a connection may send at once before the rate applies. @default 500 */
  readonly messageBurst: number
  /** A client whose unsent backlog passes this is closed with 4408. @default 4 MiB */
  readonly maxSendBacklogBytes: number
  /** A pad revision is saved once the pad has been quiet this long after a change. @default 3000 */
  readonly revisionQuietMs: number
  /** ...and at least this often while people keep typing. @default 60000 */
  readonly revisionMaxIntervalMs: number
  /** Largest single Yjs update a client may send; over it: 4413. @default 512 KiB */
  readonly maxUpdateBytes: number
  /** Largest document (bytes of its stored updates); an update that would pass it: 4413. @default 32 MiB */
  readonly maxDocBytes: number
  /** Bytes of not-yet-integrable (pending) updates a room may hold; over it: 4413. @default 1 MiB */
  readonly maxPendingBytes: number
  /**
   * Most structs, and most deleted ranges, one update may claim (checked before decoding); over
   * it: 4413. The costliest update still accepted, a flood at this limit, took 3 to 24 ms to
   * handle on a slow machine; at 20,000 it came near the 50 ms a message may take. @default 10000
   */
  readonly maxUpdateStructs: number
  /**
   * Most distinct client ids one update may name (structs or delete set); past it the sender is
   * closed with 4422. 100,000 ids without a struct cost 250 ms before the limit. @default 4096
   */
  readonly maxUpdateClients: number
  /**
   * Characters of awareness state JSON one room holds over all its clients; a state past it is
   * dropped. @default 2097152 (250 states of 8 KiB)
   */
  readonly maxRoomAwarenessChars: number
  /** Least time between two awareness (cursor, presence) frames of a room, in ms. @default 50 */
  readonly awarenessFlushMs: number
  /**
   * Least time between two update frames of a pad, in ms: a lone edit goes out at once, but while
   * many type together their edits go out merged, at most one frame per window (fewer, larger
   * frames); 0 merges only those of one event-loop turn. @default 20
   */
  readonly broadcastWindowMs: number
  /**
   * Most update frames per second one busy pad sends over all its clients: a pad with more than
   * rate × window clients widens its window to stay within it (1,000 clients: 40 ms), so one
   * huge room cannot take the whole CPU. 0: no bound. @default 25000
   */
  readonly broadcastSendsPerSecond: number
  /** WebSocket connections one IP address may open per second (sustained); over it: 4429; 0: no limit. @default 20 */
  readonly connectionsPerIpPerSecond: number
  /** ...and at once before that rate applies (a room behind one NAT joining together). @default 400 */
  readonly connectionBurstPerIp: number
  /**
   * Redis (`redis://[user:password@]host:port[/db]`, or `rediss://` for TLS) to fan out live
   * sessions between several server instances; unset: one process, nothing to fan out (LocalBus).
   * The server refuses to start when it is set and Redis cannot be reached. @default unset
   */
  readonly redisUrl: string | null
  /** Prefix of every Redis channel, to keep deployments sharing one Redis apart. @default 'summitpad:' */
  readonly redisPrefix: string
  /**
   * PostgreSQL (`postgres://user@host:port/db`, optional `?schema=name`): store docs, sessions and
   * the archive there instead of the SQLite file, for several instances. @default unset (SQLite)
   */
  readonly databaseUrl: string | null
  /**
   * `full`: every acknowledged edit is on disk (fsync per commit) and survives a power loss;
   * `normal`: it survives any process crash, but an OS crash or power loss may lose the last
   * moments, for a fraction of the cost per commit. @default 'full'
   */
  readonly sqliteSync: 'full' | 'normal'
  /**
   * Least time between two commits of edits to the SQLite file, in ms: the first edit after a
   * quiet spell commits at once; while edits keep coming, each commit (one fsync) holds everything
   * that arrived since the last, so a busy server makes at most 1000 / window commits per second.
   * Edits are still stored before anyone is shown them. 0 commits every event-loop turn. @default 0
   * (measured: 20 saved little CPU on a 200-client pad and added about 15 ms to the p99 latency)
   */
  readonly storeCommitWindowMs: number
}

/** Thrown by `loadConfig` with one line per bad variable. */
export class ConfigError extends Error {}

/** Parses `env` into a frozen Config; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  const e = parsed.data
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    maxFrameBytes: e.MAX_FRAME_BYTES,
    maxQueuedBytesPerConnection: e.MAX_QUEUED_BYTES_PER_CONNECTION,
    compactAfterRows: e.COMPACT_AFTER_ROWS,
    roomUnloadDelayMs: e.ROOM_UNLOAD_DELAY_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    staticDir: path.resolve(e.STATIC_DIR),
    autoEndAfterMinutes: e.AUTO_END_AFTER_MINUTES,
    autoEndCheckSeconds: e.AUTO_END_CHECK_SECONDS,
    publicUrl: e.PUBLIC_URL ?? null,
    maxMessagesPerSecond: e.MAX_MESSAGES_PER_SECOND,
    messageBurst: e.MESSAGE_BURST,
    maxSendBacklogBytes: e.MAX_SEND_BACKLOG_BYTES,
    revisionQuietMs: e.REVISION_QUIET_MS,
    revisionMaxIntervalMs: e.REVISION_MAX_INTERVAL_MS,
    maxUpdateBytes: e.MAX_UPDATE_BYTES,
    maxDocBytes: e.MAX_DOC_BYTES,
    maxPendingBytes: e.MAX_PENDING_BYTES,
    maxUpdateStructs: e.MAX_UPDATE_STRUCTS,
    maxUpdateClients: e.MAX_UPDATE_CLIENTS,
    maxRoomAwarenessChars: e.MAX_ROOM_AWARENESS_CHARS,
    awarenessFlushMs: e.AWARENESS_FLUSH_MS,
    broadcastWindowMs: e.BROADCAST_WINDOW_MS,
    broadcastSendsPerSecond: e.BROADCAST_SENDS_PER_SECOND,
    connectionsPerIpPerSecond: e.CONNECTIONS_PER_IP_PER_SECOND,
    connectionBurstPerIp: e.CONNECTION_BURST_PER_IP,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.REDIS_PREFIX,
    databaseUrl: e.DATABASE_URL ?? null,
    sqliteSync: e.SQLITE_SYNC,
    storeCommitWindowMs: e.STORE_COMMIT_WINDOW_MS,
  })
}

/** A Config for tests: the defaults with `overrides` applied. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({ ...loadConfig({}), logLevel: 'silent', ...overrides })
}
