/**
 * OutboxDispatcher: sends the outbox's due deliveries (issue 20). Each instance polls every
 * `pollMs` (and at once when told a delivery was written), claims at most as many deliveries as
 * it has free slots (`concurrency`), sends each, and settles it: delivered, retried later
 * (exponential backoff with jitter), or dead once its retry window (`retryHours` from when it was
 * written or resent) is over. A claim is a lease in the store (MetaStore [MS17]): with several
 * instances on PostgreSQL each delivery is sent by one of them; an instance that dies mid-send
 * leaves its lease to run out, and another instance sends the delivery again later (so a receiver
 * may see an id twice in that case: it drops duplicates by id).
 *
 * Webhooks: POST with `AbortSignal.timeout`; redirects are followed only to the same origin and
 * only when they keep the method (307, 308), at most 3; the response body is read up to 2 KiB
 * and dropped. Any 2xx is delivered. Mail: nodemailer over SMTP_URL with the same timeout.
 */
import type { OutboxConfig } from '../config.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import type { Logger } from '../observability/log.ts'
import type { NotifyConfig, WebhookEndpoint } from './notify-config.ts'
import type { OutboxMessage, OutboxOutcome } from './outbox-message.ts'
import type { RecapMail } from './outcome-events.ts'
import { signatureHeader, signWebhook } from './signature.ts'

/** Most bytes of a receiver's answer read (then the rest is dropped). */
export const maxResponseBytes = 2048
/** Most redirects followed (same origin, 307/308 only). */
export const maxRedirects = 3

/** What one attempt gave. */
export interface AttemptResult {
  ok: boolean
  statusCode: number | null
  error: string
}

/** Sends one mail; resolves with the SMTP reply code, rejects with an error carrying `responseCode`. */
export type MailSender = (mail: RecapMail) => Promise<number | null>

export interface DispatcherOptions {
  meta: MetaStore
  notify: NotifyConfig
  outbox: OutboxConfig
  logger: Logger
  /** @default Date.now */
  now?: () => number
  /** @default Math.random */
  random?: () => number
  /** Told of every settled attempt (for metrics). */
  onAttempt?: (channel: OutboxMessage['channel'], result: 'delivered' | 'retry' | 'dead') => void
}

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private again = false
  private closed = false
  private readonly inFlight = new Set<Promise<void>>()
  private readonly endpoints: Map<string, WebhookEndpoint>
  private readonly sendMail: MailSender | null
  private readonly now: () => number
  private readonly random: () => number

  constructor(private readonly options: DispatcherOptions) {
    this.endpoints = new Map(options.notify.webhooks.map((endpoint) => [endpoint.name, endpoint]))
    this.now = options.now ?? Date.now
    this.random = options.random ?? Math.random
    this.sendMail = options.notify.mail ? smtpSender(options.notify.mail.smtpUrl, options.outbox.timeoutMs) : null
  }

  /** Starts polling. */
  start(): void {
    if (this.timer || this.closed) return
    this.timer = setInterval(() => this.kick(), this.options.outbox.pollMs)
    this.timer.unref()
    this.kick()
  }

  /** Looks for due deliveries now (after a change wrote some). Never throws. */
  kick(): void {
    if (this.closed) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.drain()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'reading the outbox failed'))
      .finally(() => {
        this.running = null
        if (this.again) {
          this.again = false
          this.kick()
        }
      })
  }

  /** Stops polling and waits for the attempts under way. Idempotent. */
  async close(): Promise<void> {
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.running
    await Promise.allSettled([...this.inFlight])
  }

  private async drain(): Promise<void> {
    const { concurrency, timeoutMs } = this.options.outbox
    // The lease outlasts the attempt (timeout plus settling) so no other instance takes it meanwhile.
    const leaseMs = timeoutMs * 2 + 30_000
    for (let round = 0; round < 1000 && !this.closed; round++) {
      const free = concurrency - this.inFlight.size
      if (free <= 0) return
      const claimed = await this.options.meta.claimOutbox(free, leaseMs, this.now())
      if (claimed.length === 0) return
      for (const message of claimed) {
        const attempt = this.attempt(message).finally(() => {
          this.inFlight.delete(attempt)
          this.kick()
        })
        this.inFlight.add(attempt)
      }
    }
  }

  private async attempt(message: OutboxMessage): Promise<void> {
    const result = await this.send(message).catch((error: unknown): AttemptResult => ({ ok: false, statusCode: null, error: describe(error) }))
    const at = this.now()
    const outcome: OutboxOutcome = result.ok
      ? { delivered: true, statusCode: result.statusCode, at }
      : { delivered: false, statusCode: result.statusCode, error: result.error, at, retryAt: this.retryAt(message, at) }
    try {
      await this.options.meta.settleOutbox(message.id, outcome)
    } catch (error) {
      // The lease runs out and the delivery is tried again: at least once, never lost.
      this.options.logger.error({ err: error, delivery: message.id }, 'recording a delivery attempt failed')
      return
    }
    this.options.onAttempt?.(message.channel, outcome.delivered ? 'delivered' : outcome.retryAt === null ? 'dead' : 'retry')
    const log = { delivery: message.id, channel: message.channel, target: message.target, event: message.event, statusCode: result.statusCode, attempt: message.attempts + 1 }
    if (result.ok) this.options.logger.info(log, 'delivered')
    else this.options.logger.warn({ ...log, error: result.error, dead: !outcome.delivered && outcome.retryAt === null }, 'delivery failed')
  }

  /**
   * When to try again after attempt number `attempts + 1` failed at `at`: base × 2^attempts
   * (at most maxDelayMs), times a random factor in [0.5, 1) so instances and receivers that
   * failed together do not retry together; null once past the retry window.
   */
  retryAt(message: Pick<OutboxMessage, 'attempts' | 'createdAt' | 'resentAt'>, at: number): number | null {
    const { baseDelayMs, maxDelayMs, retryHours } = this.options.outbox
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(message.attempts, 40)) * (0.5 + this.random() / 2)
    const windowStart = Date.parse(message.resentAt ?? message.createdAt)
    const next = Math.round(at + delay)
    return next > windowStart + retryHours * 3_600_000 ? null : next
  }

  private async send(message: OutboxMessage): Promise<AttemptResult> {
    if (message.channel === 'webhook') {
      const endpoint = this.endpoints.get(message.target)
      if (!endpoint) return { ok: false, statusCode: null, error: `no endpoint "${message.target}" is configured now` }
      return postWebhook(endpoint, message, this.options.outbox.timeoutMs, Math.floor(this.now() / 1000))
    }
    if (!this.sendMail) return { ok: false, statusCode: null, error: 'no SMTP server is configured now (SMTP_URL)' }
    try {
      const code = await this.sendMail(JSON.parse(message.body) as RecapMail)
      return { ok: true, statusCode: code, error: '' }
    } catch (error) {
      const code = (error as { responseCode?: unknown }).responseCode
      return { ok: false, statusCode: typeof code === 'number' ? code : null, error: describe(error) }
    }
  }
}

/** One signed POST of `message.body` to `endpoint` (see the module comment for redirects). */
export async function postWebhook(endpoint: WebhookEndpoint, message: Pick<OutboxMessage, 'id' | 'event' | 'body'>, timeoutMs: number, nowSeconds: number): Promise<AttemptResult> {
  const signal = AbortSignal.timeout(timeoutMs)
  let url = new URL(endpoint.url)
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'summitpad-webhooks',
        [signatureHeader]: signWebhook(endpoint.secret, message.body, nowSeconds),
        'Summitpad-Delivery': message.id,
        'Summitpad-Event': message.event,
      },
      body: message.body,
    })
    const text = await readBounded(response, maxResponseBytes)
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url)
      if (next.origin !== url.origin) return { ok: false, statusCode: response.status, error: `redirect to another origin (${next.origin}) not followed` }
      if (response.status !== 307 && response.status !== 308) return { ok: false, statusCode: response.status, error: `redirect ${response.status} would turn the POST into a GET; not followed` }
      url = next
      continue
    }
    if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status, error: '' }
    return { ok: false, statusCode: response.status, error: `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}` }
  }
  return { ok: false, statusCode: null, error: `more than ${maxRedirects} redirects` }
}

/** Reads at most `limit` bytes of the body as text and drops the rest. */
async function readBounded(response: Response, limit: number): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < limit) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8').replace(/\s+/g, ' ').trim()
}

function smtpSender(smtpUrl: string, timeoutMs: number): MailSender {
  // nodemailer is loaded with the first mail: a server that sends none never holds it in memory.
  let transport: Promise<import('nodemailer').Transporter> | null = null
  return async (mail) => {
    transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({ url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs }),
    )
    const info = await (await transport).sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      date: new Date(mail.date),
      headers: { 'X-Summitpad-Session': mail.sessionId },
    })
    const code = /^(\d{3})/.exec(String((info as { response?: unknown }).response ?? ''))
    return code ? Number(code[1]) : null
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message
  }
  return String(error)
}
