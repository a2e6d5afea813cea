/**
 * Which browser pages may open WebSockets to this server. A page's WebSocket carries its Origin
 * and the user's cookies-free capability token, so the check only stops other sites' pages from
 * acting with a visitor's link key; clients without an Origin (not browsers) are always allowed.
 */
import type { IncomingMessage } from 'node:http'
import type { TrustFn } from './client-address.ts'

/**
 * True when the upgrade `req` may proceed: no Origin header; or an Origin in `allowedOrigins`
 * (from `PUBLIC_URL`); or, when `allowedOrigins` is empty, an Origin naming the host the request
 * was sent to (its `Host` header, or the `X-Forwarded-Host` a trusted proxy set), i.e. the
 * server's own pages.
 */
export function isOriginAllowed(req: IncomingMessage, allowedOrigins: readonly string[], trust: TrustFn): boolean {
  const origin = req.headers.origin
  if (!origin) return true
  if (allowedOrigins.length > 0) return allowedOrigins.includes(origin)
  let originHost: string
  try {
    originHost = new URL(origin).host.toLowerCase()
  } catch {
    return false
  }
  const hosts = [req.headers.host]
  const forwarded = req.headers['x-forwarded-host']
  if (forwarded && req.socket.remoteAddress && trust(req.socket.remoteAddress, 0)) {
    hosts.push((Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim())
  }
  return hosts.some((host) => host !== undefined && host.toLowerCase() === originHost)
}
