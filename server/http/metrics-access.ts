/**
 * Who may read `/metrics` (issue 15: it was public). `METRICS_TOKEN` requires
 * `Authorization: Bearer <token>`; `METRICS_PORT` serves it on a listener of its own (and the main
 * port answers 404); with neither, only direct requests from the server's own machine get it:
 * from a loopback address and without forwarding headers, since a reverse proxy on the same
 * machine would otherwise make every outside request look local. Anyone else gets 404, so the
 * route's existence is not advertised.
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** How `/metrics` is guarded on one listener. */
export type MetricsAccess = { kind: 'token'; token: string } | { kind: 'loopback' } | { kind: 'elsewhere' } | { kind: 'open' }

/** The access rule of the main port for the configured token and port. */
export function mainPortMetricsAccess(token: string | null, port: number | null): MetricsAccess {
  if (port !== null) return { kind: 'elsewhere' }
  return token ? { kind: 'token', token } : { kind: 'loopback' }
}

const forwardingHeaders = ['forwarded', 'x-forwarded-for', 'x-real-ip']

/** True when `req` may read the metrics under `access`. */
export function canReadMetrics(req: IncomingMessage, access: MetricsAccess): boolean {
  switch (access.kind) {
    case 'open':
      return true
    case 'elsewhere':
      return false
    case 'token': {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
      if (!match) return false
      const given = Buffer.from(match[1]!)
      const wanted = Buffer.from(access.token)
      return given.length === wanted.length && timingSafeEqual(given, wanted)
    }
    case 'loopback': {
      const address = req.socket.remoteAddress ?? ''
      const local = address === '127.0.0.1' || address === '::1' || address.startsWith('::ffff:127.') || address.startsWith('127.')
      return local && forwardingHeaders.every((header) => req.headers[header] === undefined)
    }
  }
}
