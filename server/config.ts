/**
 * Configuration: parsed once from the environment by `loadConfig`, validated field by field
 * (env-fields.ts), frozen.
 * Every default sits in `defaults`. Nothing below `main.ts` reads `process.env`.
 */
import fs from 'node:fs'
import path from 'node:path'
import { custom, int, number, oneOf, readFields, string, url, withDefault, type FieldValue } from './env-fields.ts'
import { parseTrustProxy, type TrustProxy } from './http/client-address.ts'
import { isTimeZone } from '../shared/time-zone.ts'
import { parseNotifyConfig, type NotifyConfig } from './outbox/notify-config.ts'

const defaults = {
  port: 3000,
  host: '0.0.0.0',
  dataDir: './data',
  logLevel: 'info',
  maxFrameBytes: 5 * 1024 * 1024,
  maxQueuedBytesPerConnection: 8 * 1024 * 1024,
  compactAfterRows: 500,
  roomUnloadDelayMs: 2000,
  shutdownTimeoutMs: 10_000,
  staticDir: './dist/client',
  autoEndAfterMinutes: 30,
  autoEndCheckSeconds: 30,
  eventTimeZone: 'UTC',
  maxMessagesPerSecond: 200,
  messageBurst: 500,
  maxSendBacklogBytes: 4 * 1024 * 1024,
  revisionQuietMs: 3000,
  revisionMaxIntervalMs: 60_000,
  maxUpdateBytes: 4 * 1024 * 1024,
  maxDocBytes: 32 * 1024 * 1024,
  maxPendingBytes: 1024 * 1024,
  maxUpdateStructs: 200_000,
  maxUpdateClients: 4096,
  maxRoomAwarenessChars: 2 * 1024 * 1024,
  awarenessFlushMs: 50,
  broadcastWindowMs: 30,
  broadcastSendsPerSecond: 25_000,
  storeCommitWindowMs: 0,
  connectionsPerIpPerSecond: 50,
  connectionBurstPerIp: 3000,
  redisPrefix: 'summitpad:',
  organizerSessionHours: 12,
  sessionCreation: 'anyone',
  sessionCreatePerIpPerMinute: 10,
  sessionCreateBurstPerIp: 20,
  sessionCreatePerMinute: 120,
  oidcOrganizerClaim: 'groups',
  oidcScopes: 'openid profile email',
  outboxBaseDelayMs: 10_000,
  outboxMaxDelayMs: 60 * 60_000,
  outboxRetryHours: 24,
  outboxConcurrency: 4,
  outboxPollMs: 2000,
  outboxTimeoutMs: 10_000,
} as const

const d = withDefault
const scopeList = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/

/** Every variable the server reads, with its kind and default (see env-fields.ts). */
const envFields = {
  PORT: d(int(0, 65535), defaults.port),
  HOST: d(string({ min: 1 }), defaults.host),
  DATA_DIR: d(string({ min: 1 }), defaults.dataDir),
  LOG_LEVEL: d(oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), defaults.logLevel),
  MAX_FRAME_BYTES: d(int(1024, 64 * 1024 * 1024), defaults.maxFrameBytes),
  MAX_QUEUED_BYTES_PER_CONNECTION: d(int(1024, 256 * 1024 * 1024), defaults.maxQueuedBytesPerConnection),
  COMPACT_AFTER_ROWS: d(int(2, 1_000_000), defaults.compactAfterRows),
  ROOM_UNLOAD_DELAY_MS: d(int(0, 3_600_000), defaults.roomUnloadDelayMs),
  SHUTDOWN_TIMEOUT_MS: d(int(100, 600_000), defaults.shutdownTimeoutMs),
  STATIC_DIR: d(string({ min: 1 }), defaults.staticDir),
  AUTO_END_AFTER_MINUTES: d(int(0, 7 * 24 * 60), defaults.autoEndAfterMinutes),
  AUTO_END_CHECK_SECONDS: d(int(1, 3600), defaults.autoEndCheckSeconds),
  PUBLIC_URL: url(['http', 'https']),
  EVENT_TIME_ZONE: d(string({ test: isTimeZone, message: 'must be an IANA time zone name such as Asia/Hong_Kong or Europe/Berlin' }), defaults.eventTimeZone),
  MAX_MESSAGES_PER_SECOND: d(int(1, 1_000_000), defaults.maxMessagesPerSecond),
  MESSAGE_BURST: d(int(1, 1_000_000), defaults.messageBurst),
  MAX_SEND_BACKLOG_BYTES: d(int(64 * 1024, 1024 * 1024 * 1024), defaults.maxSendBacklogBytes),
  REVISION_QUIET_MS: d(int(100, 600_000), defaults.revisionQuietMs),
  REVISION_MAX_INTERVAL_MS: d(int(1000, 3_600_000), defaults.revisionMaxIntervalMs),
  MAX_UPDATE_BYTES: d(int(1024, 64 * 1024 * 1024), defaults.maxUpdateBytes),
  MAX_DOC_BYTES: d(int(64 * 1024, 1024 * 1024 * 1024), defaults.maxDocBytes),
  MAX_PENDING_BYTES: d(int(0, 256 * 1024 * 1024), defaults.maxPendingBytes),
  MAX_UPDATE_STRUCTS: d(int(100, 10_000_000), defaults.maxUpdateStructs),
  MAX_UPDATE_CLIENTS: d(int(16, 10_000_000), defaults.maxUpdateClients),
  MAX_ROOM_AWARENESS_CHARS: d(int(64 * 1024, 1024 * 1024 * 1024), defaults.maxRoomAwarenessChars),
  AWARENESS_FLUSH_MS: d(int(0, 10_000), defaults.awarenessFlushMs),
  BROADCAST_WINDOW_MS: d(int(0, 1000), defaults.broadcastWindowMs),
  BROADCAST_SENDS_PER_SECOND: d(int(0, 10_000_000), defaults.broadcastSendsPerSecond),
  CONNECTIONS_PER_IP_PER_SECOND: d(int(0, 1_000_000), defaults.connectionsPerIpPerSecond),
  CONNECTION_BURST_PER_IP: d(int(1, 1_000_000), defaults.connectionBurstPerIp),
  REDIS_URL: url(['redis', 'rediss']),
  DATABASE_URL: url(['postgres', 'postgresql']),
  SQLITE_SYNC: d(oneOf(['full', 'normal']), 'full'),
  STORE_COMMIT_WINDOW_MS: d(int(0, 1000), defaults.storeCommitWindowMs),
  REDIS_PREFIX: d(string({ min: 1, max: 200 }), defaults.redisPrefix),
  TRUST_PROXY: custom((text) => {
    try {
      return parseTrustProxy(text)
    } catch (error) {
      throw new Error(`not a hop count, true, or a list of addresses/subnets: ${(error as Error).message}`)
    }
  }),
  FOREIGN_EDITORS: d(oneOf(['read-only', 'allow']), 'read-only'),
  ORGANIZER_TOKEN_HASHES: string({ max: 100_000 }),
  ORGANIZER_TOKENS_FILE: string({ min: 1 }),
  ORGANIZER_SESSION_HOURS: d(int(1, 24 * 30), defaults.organizerSessionHours),
  SESSION_CREATION: d(oneOf(['anyone', 'organizers']), defaults.sessionCreation),
  SESSION_CREATE_PER_IP_PER_MINUTE: d(int(0, 1_000_000), defaults.sessionCreatePerIpPerMinute),
  SESSION_CREATE_BURST_PER_IP: d(int(1, 1_000_000), defaults.sessionCreateBurstPerIp),
  SESSION_CREATE_PER_MINUTE: d(int(0, 1_000_000), defaults.sessionCreatePerMinute),
  METRICS_TOKEN: string({ min: 16, minMessage: 'METRICS_TOKEN must be at least 16 characters', max: 200, pattern: /^[A-Za-z0-9_-]+$/, message: 'METRICS_TOKEN may hold letters, digits, - and _ only' }),
  METRICS_PORT: int(1, 65535),
  OIDC_ISSUER: url(['http', 'https']),
  OIDC_CLIENT_ID: string({ min: 1, max: 500 }),
  OIDC_CLIENT_SECRET: string({ min: 1, max: 2000 }),
  OIDC_ORGANIZER_CLAIM: d(string({ min: 1, max: 200 }), defaults.oidcOrganizerClaim),
  OIDC_ORGANIZER_VALUE: string({ min: 1, max: 500 }),
  OIDC_PROVIDER_NAME: string({ min: 1, max: 60 }),
  NOTIFY_FILE: string({ min: 1 }),
  WEBHOOK_URL: string(),
  WEBHOOK_SECRET: string(),
  WEBHOOK_EVENTS: string(),
  WEBHOOK_NAME: string(),
  SMTP_URL: string(),
  MAIL_FROM: string(),
  RECAP_LIST: string(),
  RECAP_TRACK_LISTS: string({ max: 100_000 }),
  OUTBOX_BASE_DELAY_MS: d(int(1, 3_600_000), defaults.outboxBaseDelayMs),
  OUTBOX_MAX_DELAY_MS: d(int(1, 24 * 3_600_000), defaults.outboxMaxDelayMs),
  OUTBOX_RETRY_HOURS: d(number(0.0001, 24 * 30), defaults.outboxRetryHours),
  OUTBOX_CONCURRENCY: d(int(1, 64), defaults.outboxConcurrency),
  OUTBOX_POLL_MS: d(int(10, 600_000), defaults.outboxPollMs),
  OUTBOX_TIMEOUT_MS: d(int(100, 120_000), defaults.outboxTimeoutMs),
  OIDC_SCOPES: d(string({ pattern: scopeList, message: 'OIDC_SCOPES is a space-separated list of scopes' }), defaults.oidcScopes),
}

/** The parsed variables. */
type Env = { [K in keyof typeof envFields]: FieldValue<(typeof envFields)[K]> }

export interface Config {
  /** TCP port; 0 picks a free one (the chosen port is logged). @default 3000 */
  readonly port: number
  /** @default '0.0.0.0' */
  readonly host: string
  /** Directory of the embedded SQLite file `summitpad.db`. @default './data' */
  readonly dataDir: string
  readonly logLevel: Env['LOG_LEVEL']
  /** Largest WebSocket frame accepted; larger ones close the socket with 1009. Holds the largest update. @default 5 MiB */
  readonly maxFrameBytes: number
  /**
   * Bytes of frames a connection may have waiting: past half of it the server stops reading from
   * the client until they are handled; past all of it the connection is closed (1013). @default 8 MiB
   */
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
   * The event's time zone (IANA name) until a schedule import sets one: schedule times without an
   * offset are read in it and every page shows times in it. @default 'UTC'
   */
  readonly eventTimeZone: string
  /**
   * The URL people open summitpad at (e.g. https://pads.summit.example). When set, browsers on
   * other origins cannot open WebSockets to this server. @default unset (any origin)
   */
  readonly publicUrl: string | null
  /** Messages a connection may send per second (sustained); over it the server reads from it more slowly (TCP backpressure), never closes it. @default 200 */
  readonly maxMessagesPerSecond: number
  /** Messages a connection may send at once before the rate applies. @default 500 */
  readonly messageBurst: number
  /** A client whose unsent backlog passes this is closed with 1013 ("slow consumer; retry in 1 s"). @default 4 MiB */
  readonly maxSendBacklogBytes: number
  /** A pad revision is saved once the pad has been quiet this long after a change. @default 3000 */
  readonly revisionQuietMs: number
  /** ...and at least this often while people keep typing. @default 60000 */
  readonly revisionMaxIntervalMs: number
  /**
   * Largest single Yjs update a client may send; over it: 4413. Large enough for a client's
   * catch-up after a whole session of notes taken offline (issue 16). @default 4 MiB
   */
  readonly maxUpdateBytes: number
  /** Largest document (bytes of its stored updates); an update that would pass it: 4413. @default 32 MiB */
  readonly maxDocBytes: number
  /** Bytes of not-yet-integrable (pending) updates a room may hold; over it: 4413. @default 1 MiB */
  readonly maxPendingBytes: number
  /**
   * Most structs, and most deleted ranges, one update may claim (counted before decoding); over
   * it: 4413. An update over 1,000 is cut into slices checked, stored and applied one per turn of
   * the event loop (sync/update-slices.ts), so this bounds a catch-up's total work, not the
   * time of one turn (issue 16, part 6). @default 200000
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
   * Least time between two update frames of a pad, in ms, while the pad is over its sends budget
   * (below): then the edits of people typing at once go out merged, at most one frame per window
   * (fewer, larger frames). Below the budget every edit goes out as soon as it is stored. @default 30
   */
  readonly broadcastWindowMs: number
  /**
   * The sends budget of one pad: frames per second over all its clients. While sending each edit
   * as it comes stays within it (edits per second × clients), nothing waits for a window (issue
   * 21: a summit room, 60 clients and 30 edits/s, 1,800 sends/s, goes at once); past it the pad
   * merges by its window (from 125 clients at 200 edits/s), and a pad with more than budget ×
   * window clients widens its window to stay within it (1,000 clients: 40 ms), so one huge room
   * cannot take the whole CPU. 75,000 would send 250 clients at 200 edits/s at once, at about the
   * reference server's CPU, which breaks the 200-client CPU row (bench/README.md). 0: no budget (the window
   * always merges the edits of people typing at once). @default 25000
   */
  readonly broadcastSendsPerSecond: number
  /**
   * WebSocket connections one IP address may open per second (sustained); over it: 1013 ("retry
   * in N s"), which every client retries; 0: no limit. @default 50
   */
  readonly connectionsPerIpPerSecond: number
  /**
   * ...and at once before that rate applies: a conference behind one NAT, 1,000 attendees each
   * opening the pad, control and chat sockets together. @default 3000
   */
  readonly connectionBurstPerIp: number
  /**
   * Which peers are reverse proxies whose `X-Forwarded-For` names the client, as express's
   * `trust proxy` takes it: a hop count (`1`), `true` (any), or a comma-separated list of
   * addresses, subnets and `loopback`/`linklocal`/`uniquelocal`. Every per-address limit (HTTP and
   * WebSocket) then counts the client's address, not the proxy's. @default unset (no proxy)
   */
  readonly trustProxy: TrustProxy
  /**
   * `read-only`: a connection that names no schema version (`schema=` query parameter), such as
   * another ProseMirror editor or a stock y-websocket client, may read the pad but not write it.
   * `allow`: it may write, for operators who connect editors that use summitpad's schema exactly.
   * A connection naming an older version than the server's is read-only either way. @default 'read-only'
   */
  readonly foreignEditors: 'read-only' | 'allow'
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
  /**
   * SHA-256 hex hashes of the organizer tokens (comma-separated `ORGANIZER_TOKEN_HASHES`); the
   * tokens themselves are never configured. @default none
   */
  readonly organizerTokenHashes: string | null
  /** A file of organizer token hashes, one per line with an optional label. @default unset */
  readonly organizerTokensFile: string | null
  /** How long an organizer's sign-in (the web page's cookie) lasts, in hours. @default 12 */
  readonly organizerSessionHours: number
  /** Who may create sessions: `anyone` (rate limited) or `organizers`. @default 'anyone' */
  readonly sessionCreation: 'anyone' | 'organizers'
  /** Sessions one address may create per minute (sustained) when anyone may; 0: no per-address limit. @default 10 */
  readonly sessionCreatePerIpPerMinute: number
  /** ...and at once before that rate applies. @default 20 */
  readonly sessionCreateBurstPerIp: number
  /** Sessions everyone together may create per minute (also the burst); 0: no total limit. @default 120 */
  readonly sessionCreatePerMinute: number
  /** Bearer token that `/metrics` requires. @default unset */
  readonly metricsToken: string | null
  /** Serve `/metrics` on this port instead of the main one (bound to HOST). @default unset */
  readonly metricsPort: number | null
  /**
   * OpenID Connect sign-in for organizers: on when issuer, client id and secret are all set.
   * A person is an organizer when claim `oidcOrganizerClaim` of their ID token or userinfo equals
   * (or, for a list, contains) `oidcOrganizerValue`.
   */
  readonly oidc: OidcConfig | null
  /** Webhook endpoints and recap-mail lists (`NOTIFY_FILE`, `WEBHOOK_*`, `SMTP_URL`, ...; docs/webhooks.md). */
  readonly notify: NotifyConfig
  /** How the outbox sends and retries (docs/webhooks.md). */
  readonly outbox: OutboxConfig
}

/** The outbox's timing and limits. */
export interface OutboxConfig {
  /** First retry after about this long; each further one doubles it, with jitter. @default 10000 */
  readonly baseDelayMs: number
  /** Longest wait between two attempts. @default 3600000 (1 h) */
  readonly maxDelayMs: number
  /** A delivery still failing this long after it was written (or resent) is marked dead. @default 24 */
  readonly retryHours: number
  /** Deliveries one instance sends at the same time. @default 4 */
  readonly concurrency: number
  /** How often the outbox is looked at for due deliveries (a new one is sent at once anyway). @default 2000 */
  readonly pollMs: number
  /** Longest one webhook request or SMTP conversation may take. @default 10000 */
  readonly timeoutMs: number
}

/** The OpenID Connect settings, present only when sign-in with a provider is on. */
export interface OidcConfig {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** @default 'groups' */
  readonly organizerClaim: string
  /** The value of the claim that makes an organizer; unset: nobody signed in this way is one. */
  readonly organizerValue: string | null
  /** Shown on the button ("Sign in with <name>"). @default the issuer's host name */
  readonly providerName: string
  /** Scopes asked for (add e.g. `groups` when the provider only sends the claim for it). @default 'openid profile email' */
  readonly scopes: string
}

/** Thrown by `loadConfig` with one line per bad variable. */
export class ConfigError extends Error {}

/**
 * Parses `env` into a frozen Config; throws ConfigError naming every bad variable. Reads the
 * file NOTIFY_FILE names (with `readFile`), the one file the configuration consists of.
 */
export function loadConfig(env: Record<string, string | undefined>, readFile: (file: string) => string = (file) => fs.readFileSync(file, 'utf8')): Config {
  const parsed = readFields(envFields, env)
  if ('problems' in parsed) throw new ConfigError(`invalid configuration:\n  ${parsed.problems.join('\n  ')}`)
  const e: Env = parsed.values
  let notifyText: string | null = null
  if (e.NOTIFY_FILE !== undefined) {
    try {
      notifyText = readFile(e.NOTIFY_FILE)
    } catch (error) {
      throw new ConfigError(`invalid configuration:\n  NOTIFY_FILE: cannot read ${e.NOTIFY_FILE} (${(error as Error).message})`)
    }
  }
  const notify = parseNotifyConfig(e, notifyText)
  if ('problems' in notify) throw new ConfigError(`invalid configuration:\n  ${notify.problems.join('\n  ')}`)
  if (e.OUTBOX_MAX_DELAY_MS < e.OUTBOX_BASE_DELAY_MS) throw new ConfigError('invalid configuration:\n  OUTBOX_MAX_DELAY_MS: must not be below OUTBOX_BASE_DELAY_MS')
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
    eventTimeZone: e.EVENT_TIME_ZONE,
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
    trustProxy: e.TRUST_PROXY,
    foreignEditors: e.FOREIGN_EDITORS,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.REDIS_PREFIX,
    databaseUrl: e.DATABASE_URL ?? null,
    sqliteSync: e.SQLITE_SYNC,
    storeCommitWindowMs: e.STORE_COMMIT_WINDOW_MS,
    organizerTokenHashes: e.ORGANIZER_TOKEN_HASHES ?? null,
    organizerTokensFile: e.ORGANIZER_TOKENS_FILE ?? null,
    organizerSessionHours: e.ORGANIZER_SESSION_HOURS,
    sessionCreation: e.SESSION_CREATION,
    sessionCreatePerIpPerMinute: e.SESSION_CREATE_PER_IP_PER_MINUTE,
    sessionCreateBurstPerIp: e.SESSION_CREATE_BURST_PER_IP,
    sessionCreatePerMinute: e.SESSION_CREATE_PER_MINUTE,
    metricsToken: e.METRICS_TOKEN ?? null,
    metricsPort: e.METRICS_PORT ?? null,
    oidc: oidcConfig(e),
    notify,
    outbox: Object.freeze({
      baseDelayMs: e.OUTBOX_BASE_DELAY_MS,
      maxDelayMs: e.OUTBOX_MAX_DELAY_MS,
      retryHours: e.OUTBOX_RETRY_HOURS,
      concurrency: e.OUTBOX_CONCURRENCY,
      pollMs: e.OUTBOX_POLL_MS,
      timeoutMs: e.OUTBOX_TIMEOUT_MS,
    }),
  })
}

function oidcConfig(e: Env): OidcConfig | null {
  const set = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET].filter((value) => value !== undefined).length
  if (set === 0) return null
  if (set < 3) throw new ConfigError('invalid configuration:\n  OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together')
  const issuer = new URL(e.OIDC_ISSUER!)
  if (issuer.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname)) {
    throw new ConfigError('invalid configuration:\n  OIDC_ISSUER must be https:// (plain http only for a provider on this machine)')
  }
  return {
    issuer: e.OIDC_ISSUER!,
    clientId: e.OIDC_CLIENT_ID!,
    clientSecret: e.OIDC_CLIENT_SECRET!,
    organizerClaim: e.OIDC_ORGANIZER_CLAIM,
    organizerValue: e.OIDC_ORGANIZER_VALUE ?? null,
    providerName: e.OIDC_PROVIDER_NAME ?? new URL(e.OIDC_ISSUER!).hostname,
    scopes: e.OIDC_SCOPES.split(' ').includes('openid') ? e.OIDC_SCOPES : `openid ${e.OIDC_SCOPES}`,
  }
}

/** A Config for tests: the defaults with `overrides` applied. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({ ...loadConfig({}), logLevel: 'silent', ...overrides })
}
