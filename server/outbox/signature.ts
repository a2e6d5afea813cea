/**
 * Webhook signatures (issue 20), the scheme Stripe and GitHub use: the header
 * `Summitpad-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint's secret>`.
 * A receiver recomputes the HMAC over the raw body it received, compares in constant time, and
 * refuses a timestamp further than its tolerance from its own clock (we suggest 5 minutes), so a
 * captured request cannot be replayed later. A retry is signed afresh with a new timestamp; the
 * body (and its `id`) stay the same.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** The header that carries the signature. */
export const signatureHeader = 'Summitpad-Signature'

/** The tolerance we document for receivers, in seconds. */
export const suggestedToleranceSeconds = 300

/** The header value for `body` sent at `timestampSeconds`. */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')
  return `t=${timestampSeconds},v1=${mac}`
}

/**
 * Whether `header` is a valid signature of `body` under `secret`, made within `toleranceSeconds`
 * of `nowSeconds`. Any malformed header is simply not valid.
 */
export function verifyWebhook(secret: string, body: string, header: string | undefined, nowSeconds: number, toleranceSeconds = suggestedToleranceSeconds): boolean {
  if (!header) return false
  const parts = new Map(header.split(',').map((part) => [part.slice(0, part.indexOf('=')).trim(), part.slice(part.indexOf('=') + 1).trim()]))
  const t = Number(parts.get('t'))
  const v1 = parts.get('v1') ?? ''
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || !/^[0-9a-f]{64}$/.test(v1)) return false
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest()
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'))
}
