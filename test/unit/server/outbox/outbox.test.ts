/**
 * The outbox's pure parts (issue 20): the signature scheme a receiver verifies, the retry
 * schedule (backoff doubling, jitter, the retry window, resends), and the notification config.
 */
import { describe, expect, it } from 'vitest'
import { OutboxDispatcher } from '../../../../server/outbox/outbox-dispatcher.ts'
import { parseNotifyConfig, recapListFor } from '../../../../server/outbox/notify-config.ts'
import { signWebhook, verifyWebhook } from '../../../../server/outbox/signature.ts'
import type { MetaStore } from '../../../../server/storage/meta-store.ts'
import { testConfig } from '../../../../server/config.ts'

const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent } } as never

describe('webhook signature', () => {
  const body = '{"id":"d1","event":"session.ended","time":"2026-12-03T10:00:00.000Z","data":{}}'
  const secret = 'whsec-0123456789abcdef'

  it('verifies a signature made with the same secret within the tolerance, and nothing else', () => {
    const header = signWebhook(secret, body, 1_780_000_000)
    expect(header).toMatch(/^t=1780000000,v1=[0-9a-f]{64}$/)
    expect(verifyWebhook(secret, body, header, 1_780_000_000)).toBe(true)
    expect(verifyWebhook(secret, body, header, 1_780_000_300)).toBe(true)
    expect(verifyWebhook(secret, body, header, 1_780_000_301)).toBe(false)
    expect(verifyWebhook('another-secret-0123456789', body, header, 1_780_000_000)).toBe(false)
    expect(verifyWebhook(secret, `${body} `, header, 1_780_000_000)).toBe(false)
    expect(verifyWebhook(secret, body, header.replace('t=1780000000', 't=1780000001'), 1_780_000_000)).toBe(false)
    for (const junk of [undefined, '', 't=,v1=', 'v1=abc', `t=1780000000,v1=${'z'.repeat(64)}`, 't=1e9,v1=00']) expect(verifyWebhook(secret, body, junk, 1_780_000_000)).toBe(false)
  })
})

describe('OutboxDispatcher.retryAt', () => {
  const outbox = { ...testConfig().outbox, baseDelayMs: 1000, maxDelayMs: 60_000, retryHours: 24 }
  const dispatcher = (random: number) =>
    new OutboxDispatcher({ meta: {} as MetaStore, notify: { webhooks: [], mail: null }, outbox, logger: silent, random: () => random })
  const createdAt = '2026-12-03T00:00:00.000Z'
  const t0 = Date.parse(createdAt)

  it('doubles the delay per attempt up to the maximum, jittered into [half, whole)', () => {
    const low = dispatcher(0)
    const high = dispatcher(0.999999)
    const delays = [0, 1, 2, 3, 10].map((attempts) => low.retryAt({ attempts, createdAt, resentAt: null }, t0)! - t0)
    expect(delays).toEqual([500, 1000, 2000, 4000, 30_000])
    expect(high.retryAt({ attempts: 0, createdAt, resentAt: null }, t0)! - t0).toBe(1000)
    expect(high.retryAt({ attempts: 30, createdAt, resentAt: null }, t0)! - t0).toBe(60_000)
  })

  it('gives up (null: dead) past the retry window, counted from the resend when there was one', () => {
    const d = dispatcher(0.5)
    const late = t0 + 24 * 3_600_000 - 100
    expect(d.retryAt({ attempts: 20, createdAt, resentAt: null }, late)).toBeNull()
    expect(d.retryAt({ attempts: 20, createdAt, resentAt: new Date(late - 1000).toISOString() }, late)).not.toBeNull()
  })
})

describe('parseNotifyConfig', () => {
  const file = JSON.stringify({
    webhooks: [{ name: 'ci', url: 'https://hooks.example.org/x', secret: 'a-secret-of-16-chars', events: ['session.ended'] }],
    recapMail: { default: 'summit@lists.example.org', tracks: { Nova: 'nova@lists.example.org' } },
  })

  it('reads endpoints and lists from the file and the environment together', () => {
    const config = parseNotifyConfig(
      { WEBHOOK_URL: 'http://127.0.0.1:9/h', WEBHOOK_SECRET: 'another-16-char-secret', SMTP_URL: 'smtp://mail:25', MAIL_FROM: 'pads@summit.example', RECAP_TRACK_LISTS: 'Swift=swift@lists.example.org' },
      file,
    )
    if ('problems' in config) throw new Error(config.problems.join('; '))
    expect(config.webhooks.map((endpoint) => [endpoint.name, endpoint.events])).toEqual([
      ['ci', ['session.ended']],
      ['default', ['session.started', 'session.ended', 'session.updated', 'schedule.imported']],
    ])
    expect(recapListFor(config.mail!, 'nova')).toBe('nova@lists.example.org')
    expect(recapListFor(config.mail!, 'Swift')).toBe('swift@lists.example.org')
    expect(recapListFor(config.mail!, 'Heat')).toBe('summit@lists.example.org')
  })

  it('names every problem', () => {
    const result = parseNotifyConfig({ WEBHOOK_URL: 'https://x.example', WEBHOOK_SECRET: 'a-secret-of-16-chars', WEBHOOK_NAME: 'ci', SMTP_URL: 'http://mail', RECAP_TRACK_LISTS: 'Nova' }, file)
    expect(result).toEqual({
      problems: ['webhook endpoint name "ci" is used twice', 'RECAP_TRACK_LISTS: "Nova" is not Track=list@host', 'SMTP_URL: an smtp:// or smtps:// URL', 'MAIL_FROM: the From address (an e-mail address) is needed with SMTP_URL'],
    })
    expect(parseNotifyConfig({}, '{"webhooks":[{"name":"x","url":"https://a.example","secret":"s"}],"extra":1}')).toEqual({
      problems: expect.arrayContaining([expect.stringContaining('webhooks.0.secret'), expect.stringContaining('extra')]),
    })
    expect(parseNotifyConfig({}, '{')).toEqual({ problems: [expect.stringMatching(/^NOTIFY_FILE: not JSON/)] })
  })
})
