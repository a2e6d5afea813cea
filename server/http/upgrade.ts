/**
 * The HTTP `upgrade` handler for `/sync/<docName>`. It parses the doc name, checks the session and
 * turns the `token` query parameter into a Role before the room is touched. The WebSocket
 * handshake is completed even for a refused connection so the client receives a close code and
 * reason it can show (browsers hide HTTP upgrade statuses). The token is never logged.
 * Paths other than `/sync/...` are refused with 404.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocket, WebSocketServer } from 'ws'
import { CloseCode, closeReason, retryReason } from '../../shared/close-codes.ts'
import { formatDocName, parseDocName, type DocName } from '../../shared/doc-name.ts'
import { AppError, errorTable } from '../../shared/errors.ts'
import { ackQueryParam, schemaOutdatedReason, schemaQueryParam, tokenQueryParam, writePermissionDeniedFrame } from '../../shared/protocol.ts'
import { SCHEMA_VERSION } from '../../shared/schema.ts'
import { canWrite, type Role } from '../../shared/roles.ts'
import type { SessionService } from '../sessions/session-service.ts'
import type { Logger } from '../observability/log.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'
import type { IpRateLimit } from './ip-rate-limit.ts'
import type { SendPath } from '../observability/metrics.ts'
import { bindSocket, PingSweep, toSyncSocket } from './ws-socket.ts'
import { clientAddress, type TrustFn } from './client-address.ts'
import { isOriginAllowed } from './origin-check.ts'
import type { RefusalLog } from './refusal-log.ts'

const noProxy: TrustFn = () => false

/** y-protocols' permission-denied message (`messageAuth`) with `schemaOutdatedReason`. */
const schemaOutdatedFrame = writePermissionDeniedFrame(schemaOutdatedReason)

export interface UpgradeDeps {
  wss: WebSocketServer
  registry: RoomRegistry
  sessions: SessionService
  logger: Logger
  pingIntervalMs: number
  /**
   * Origins allowed to open WebSockets (from PUBLIC_URL); empty allows the server's own origin
   * (the Host the request was sent to). A request without an Origin header (not a browser) is
   * always allowed: Origin only stops other sites' pages. See `isOriginAllowed`.
   */
  allowedOrigins: string[]
  /** Which peers are trusted proxies (`TRUST_PROXY`): the per-address limit counts the client behind them. @default none */
  trustProxy?: TrustFn
  /** Where refused connections are counted and logged (one line per address per minute). */
  refusals?: RefusalLog
  /**
   * `read-only`: a pad connection naming no schema version (`schema=`) may read but not write;
   * `allow`: it may write (editors known to use the schema exactly). A connection naming another
   * version than `SCHEMA_VERSION` is read-only either way. @default 'read-only'
   */
  foreignEditors?: 'read-only' | 'allow'
  /** Counts each frame sent by the path it took (see ws-socket.ts). @default not counted */
  frameSentVia?: (path: SendPath) => void
  /** Connections per address; over it the socket is closed with 1013 ("retry in N s") right after the handshake. */
  ipRateLimit?: IpRateLimit
}

const syncPrefix = '/sync/'

export function createUpgradeHandler(deps: UpgradeDeps) {
  // One ping interval for every socket of this server (see PingSweep).
  const sweep = new PingSweep(deps.pingIntervalMs)
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith(syncPrefix)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    socket.on('error', destroyOnError)
    const trust = deps.trustProxy ?? noProxy
    const address = clientAddress(req, trust)
    if (!isOriginAllowed(req, deps.allowedOrigins, trust)) {
      deps.refusals?.note(address, 'foreign origin')
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const rawName = safeDecode(url.pathname.slice(syncPrefix.length))
    const docName = rawName === null ? null : parseDocName(rawName)
    const wantsAck = url.searchParams.get(ackQueryParam) === '1'
    const schemaParam = url.searchParams.get(schemaQueryParam)
    const schemaVersion = schemaParam !== null && /^\d{1,9}$/.test(schemaParam) ? Number(schemaParam) : schemaParam === null ? null : -1

    const token = url.searchParams.get(tokenQueryParam)

    if (deps.ipRateLimit && !deps.ipRateLimit.take(address)) {
      deps.refusals?.note(address, 'too many connections')
      const reason = retryReason('too many connections from this address', deps.ipRateLimit.retryInMs(address))
      deps.wss.handleUpgrade(req, socket, head, (ws) => ws.close(CloseCode.rateLimited, reason))
      return
    }

    // Nothing awaits between here and handleUpgrade's callback except the access check; the
    // 'message' listener is attached synchronously in that callback (see bindSocket).
    authorize(deps.sessions, docName, token).then(
      (verdict) => {
        deps.wss.handleUpgrade(req, socket, head, (ws) => {
          if (!verdict.ok) {
            // The token (in the query string) is never logged.
            deps.refusals?.note(address, closeReason[verdict.code])
            ws.close(verdict.code, closeReason[verdict.code])
            return
          }
          openConnection(deps, sweep, ws, verdict.docName, verdict.role, wantsAck, schemaVersion)
        })
      },
      (error: unknown) => {
        deps.logger.error({ err: error }, 'session lookup failed during upgrade')
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      },
    )
  }
}

/**
 * Joins an accepted WebSocket to its room. Kept apart from the upgrade handler so the closures a
 * connection keeps for its lifetime hold only what they use, not the upgrade request.
 */
function openConnection(deps: UpgradeDeps, sweep: PingSweep, ws: WebSocket, docName: DocName, role: Role, wantsAck: boolean, schemaVersion: number | null): void {
  const { sessionId, kind } = docName
  const name = formatDocName(docName)
  const { sessions, registry, logger } = deps
  // The pad is ProseMirror content of one schema: an editor of another version (or of unknown
  // version) would delete what it does not know, so it reads only (see docs/connections.md).
  const schemaOk = kind !== 'pad' || schemaVersion === SCHEMA_VERSION || (schemaVersion === null && deps.foreignEditors === 'allow')
  const connection = registry.connect(name, toSyncSocket(ws, deps.frameSentVia), {
    wantsAck,
    // Read at every update, so lock, unlock and end apply to open connections at once.
    canWrite: () => {
      const state = sessions.cachedWriteState(sessionId)
      return schemaOk && state !== undefined && canWrite(role, kind, state)
    },
    ...(schemaOk ? {} : { writeRefusal: { code: CloseCode.schemaMismatch, reason: closeReason[CloseCode.schemaMismatch] } }),
    // Presence names become participants only from those who may edit, and never after the end.
    mayParticipate: () => role !== 'viewer' && sessions.cachedWriteState(sessionId)?.state !== 'ended',
  })
  // A client that named another version is a summitpad page from before an update: tell it now,
  // so it stops editing and asks its person to reload, rather than at its first keystroke.
  if (!schemaOk && schemaVersion !== null) connection.send(schemaOutdatedFrame)
  logger.debug({ docName: name, role, ack: wantsAck }, 'connection opened')
  bindSocket(ws, connection, sweep, (code) => {
    logger.debug({ docName: name, role, code }, 'connection closed')
    registry.disconnected(name, connection)
  })
}

type Verdict = { ok: true; docName: DocName; role: Role } | { ok: false; code: CloseCode }

/** Decides who may connect: unknown docs get 4404, a secret that matches no key 4401. */
async function authorize(sessions: SessionService, docName: DocName | null, token: string | null): Promise<Verdict> {
  if (!docName) return { ok: false, code: errorTable.session_not_found.close }
  try {
    const role = await sessions.roleFor(docName.sessionId, token)
    await sessions.writeState(docName.sessionId)
    return { ok: true, docName, role }
  } catch (error) {
    // The error table names each code's close code (4404 unknown session, 4401 bad token).
    if (error instanceof AppError && (error.code === 'session_not_found' || error.code === 'unauthorized')) return { ok: false, code: errorTable[error.code].close }
    throw error
  }
}

/** A socket error during or after the upgrade drops the socket (a module-level listener: it holds nothing). */
function destroyOnError(this: Duplex): void {
  this.destroy()
}

function safeDecode(value: string): string | null {
  try {
    return decodeURIComponent(value)
  } catch {
    return null
  }
}
