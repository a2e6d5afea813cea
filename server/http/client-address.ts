/**
 * Who a request comes from, the same way for HTTP routes and WebSocket upgrades. Behind a reverse
 * proxy every request comes from the proxy, so per-address limits would lump all attendees
 * together (or a client could dodge them with a forged header): `TRUST_PROXY` says which peers are
 * proxies whose `X-Forwarded-For` is believed, with the values express's `trust proxy` takes.
 */
import type { IncomingMessage } from 'node:http'
import proxyAddr from 'proxy-addr'

/** Which peers are trusted proxies: none, all, a hop count, or addresses/subnets/names. */
export type TrustProxy = boolean | number | string[]

/** `(address, hop) => trusted`, as express's compiled `trust proxy` setting. */
export type TrustFn = (address: string, hop: number) => boolean

/**
 * Parses a `TRUST_PROXY` value: unset or empty or `false` → false; `true` → true (every hop, only
 * safe when the server cannot be reached but through the proxy); a whole number → that many hops;
 * otherwise a comma-separated list of addresses, CIDR subnets or the names `loopback`,
 * `linklocal`, `uniquelocal`. Throws a TypeError on an entry proxy-addr cannot read.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? ''
  if (text === '' || text === 'false') return false
  if (text === 'true') return true
  if (/^\d+$/.test(text)) return Number(text)
  const list = text.split(',').map((entry) => entry.trim()).filter(Boolean)
  proxyAddr.compile(list)
  return list
}

/** Compiles `setting` into the function express (`app.set('trust proxy', fn)`) and `clientAddress` use. */
export function compileTrust(setting: TrustProxy): TrustFn {
  if (setting === true) return () => true
  if (setting === false) return () => false
  if (typeof setting === 'number') return (_address, hop) => hop < setting
  return proxyAddr.compile(setting)
}

/**
 * The client's address: the peer's, or with trusted proxies the nearest `X-Forwarded-For` entry
 * not added by a trusted proxy (exactly what express's `req.ip` gives under the same setting).
 */
export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  const peer = req.socket.remoteAddress
  if (!peer) return 'unknown'
  // A peer that is not a trusted proxy is the client: what proxy-addr answers too, without
  // parsing X-Forwarded-For on every request and connect (issue 21).
  if (!trust(peer, 0)) return peer
  return proxyAddr(req, trust)
}
