/**
 * The HTTP `upgrade` handler for `/sync/<docName>`. It parses the doc name and checks the session
 * before the room is touched; the WebSocket handshake is completed even for an unknown session so
 * the client receives a close code and reason it can show (browsers hide HTTP upgrade statuses).
 * Paths other than `/sync/...` are refused with 404.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocketServer } from 'ws'
import { CloseCode, closeReason } from '../../shared/close-codes.ts'
import { parseDocName } from '../../shared/doc-name.ts'
import { ackQueryParam } from '../../shared/protocol.ts'
import type { SessionService } from '../sessions/session-service.ts'
import type { Logger } from '../sync/logger.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'
import { bindSocket, toSyncSocket } from './ws-socket.ts'

export interface UpgradeDeps {
  wss: WebSocketServer
  registry: RoomRegistry
  sessions: SessionService
  logger: Logger
  pingIntervalMs: number
}

const syncPrefix = '/sync/'

export function createUpgradeHandler(deps: UpgradeDeps) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith(syncPrefix)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    socket.on('error', () => socket.destroy())
    const rawName = safeDecode(url.pathname.slice(syncPrefix.length))
    const docName = rawName === null ? null : parseDocName(rawName)
    const wantsAck = url.searchParams.get(ackQueryParam) === '1'

    // Nothing awaits between here and handleUpgrade's callback except the session lookup; the
    // 'message' listener is attached synchronously in that callback (see bindSocket).
    const lookup = docName && docName.kind === 'pad' ? deps.sessions.get(docName.sessionId) : Promise.resolve(null)
    lookup.then(
      (session) => {
        deps.wss.handleUpgrade(req, socket, head, (ws) => {
          if (!session || !docName) {
            ws.close(CloseCode.unknownSession, closeReason[CloseCode.unknownSession])
            return
          }
          const name = rawName!
          const connection = deps.registry.connect(name, toSyncSocket(ws), { wantsAck })
          bindSocket(ws, connection, deps.pingIntervalMs, () => deps.registry.disconnected(name, connection))
        })
      },
      (error: unknown) => {
        deps.logger.error({ err: error }, 'session lookup failed during upgrade')
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      },
    )
  }
}

function safeDecode(value: string): string | null {
  try {
    return decodeURIComponent(value)
  } catch {
    return null
  }
}
