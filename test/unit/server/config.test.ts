/**
 * loadConfig reads the environment field by field (server/env-fields.ts, no zod: issue 21's lean
 * process): defaults, ranges, kinds and URLs, and one line naming each bad variable.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../server/config.ts'
import { int, oneOf, readFields, string, url, withDefault } from '../../../server/env-fields.ts'

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message.split('\n').slice(1).map((line) => line.trim())
  }
  throw new Error('loadConfig accepted the environment')
}

describe('loadConfig', () => {
  it('takes the defaults when nothing is set', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', logLevel: 'info', sqliteSync: 'full', broadcastWindowMs: 30, publicUrl: null, redisUrl: null, metricsPort: null, foreignEditors: 'read-only' })
    expect(config.outbox).toEqual({ baseDelayMs: 10_000, maxDelayMs: 3_600_000, retryHours: 24, concurrency: 4, pollMs: 2000, timeoutMs: 10_000 })
    expect(config.notify).toEqual({ webhooks: [], mail: null })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads numbers, kinds, strings and URLs', () => {
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      SQLITE_SYNC: 'normal',
      OUTBOX_RETRY_HOURS: '0.5',
      PUBLIC_URL: 'https://pads.summit.example',
      DATABASE_URL: 'postgresql://u@db:5432/summit',
      METRICS_TOKEN: 'a-metrics-token-of-24-ch',
      EVENT_TIME_ZONE: 'Asia/Hong_Kong',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
    })
    expect(config).toMatchObject({ port: 0, logLevel: 'silent', sqliteSync: 'normal', publicUrl: 'https://pads.summit.example', databaseUrl: 'postgresql://u@db:5432/summit', metricsToken: 'a-metrics-token-of-24-ch', eventTimeZone: 'Asia/Hong_Kong' })
    expect(config.outbox.retryHours).toBe(0.5)
    expect(config.trustProxy).toEqual(['loopback', '10.0.0.0/8'])
  })

  it('names every bad variable on a line of its own', () => {
    expect(
      problemsOf({
        PORT: '70000',
        MAX_FRAME_BYTES: 'lots',
        COMPACT_AFTER_ROWS: '2.5',
        LOG_LEVEL: 'loud',
        PUBLIC_URL: 'ftp://pads.example',
        REDIS_URL: 'not a url',
        METRICS_TOKEN: 'short',
        EVENT_TIME_ZONE: 'Mars/Olympus',
        OIDC_SCOPES: 'openid  profile',
        HOST: '',
      }),
    ).toEqual([
      'PORT: must be at most 65535',
      'HOST: must have at least 1 character',
      'LOG_LEVEL: expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "loud"',
      'MAX_FRAME_BYTES: expected a number, got "lots"',
      'COMPACT_AFTER_ROWS: expected a whole number',
      'PUBLIC_URL: expected a URL starting with http:// or https://',
      'EVENT_TIME_ZONE: must be an IANA time zone name such as Asia/Hong_Kong or Europe/Berlin',
      'REDIS_URL: expected a URL',
      'METRICS_TOKEN: METRICS_TOKEN must be at least 16 characters',
      'OIDC_SCOPES: OIDC_SCOPES is a space-separated list of scopes',
    ])
    expect(problemsOf({ METRICS_TOKEN: 'sixteen-or-more-but-with spaces' })).toEqual(['METRICS_TOKEN: METRICS_TOKEN may hold letters, digits, - and _ only'])
    expect(problemsOf({ MAX_PENDING_BYTES: '-1' })).toEqual(['MAX_PENDING_BYTES: must be at least 0'])
    expect(problemsOf({ PORT: '' })).toEqual(['PORT: expected a number, got ""'])
    expect(problemsOf({ OUTBOX_BASE_DELAY_MS: '5000', OUTBOX_MAX_DELAY_MS: '1000' })).toEqual(['OUTBOX_MAX_DELAY_MS: must not be below OUTBOX_BASE_DELAY_MS'])
  })

  it('reports webhook settings with the rest', () => {
    expect(problemsOf({ WEBHOOK_URL: 'https://hooks.example.org/x', WEBHOOK_SECRET: 'short' })).toEqual(['WEBHOOK_SECRET: a secret has at least 16 characters'])
    expect(problemsOf({ WEBHOOK_URL: 'mailto:x@example.org', WEBHOOK_SECRET: 'a-secret-of-16-chars', WEBHOOK_EVENTS: 'session.ended,session.exploded' })).toEqual([
      'WEBHOOK_URL: an http:// or https:// URL',
      'WEBHOOK_EVENTS: "session.exploded" is not one of session.started, session.ended, session.updated, schedule.imported',
    ])
    const config = loadConfig({ WEBHOOK_URL: 'https://hooks.example.org/x', WEBHOOK_SECRET: 'a-secret-of-16-chars', WEBHOOK_EVENTS: 'session.ended' })
    expect(config.notify.webhooks).toEqual([{ name: 'default', url: 'https://hooks.example.org/x', secret: 'a-secret-of-16-chars', events: ['session.ended'] }])
  })
})

describe('env fields', () => {
  it('leave an unset variable unset, or take its default', () => {
    expect(int(0, 10)(undefined)).toEqual({ value: undefined })
    expect(withDefault(int(0, 10), 7)(undefined)).toEqual({ value: 7 })
    expect(withDefault(int(0, 10), 7)('11')).toEqual({ problem: 'must be at most 10' })
    expect(oneOf(['a', 'b'])('b')).toEqual({ value: 'b' })
    expect(string({ max: 3 })('abcd')).toEqual({ problem: 'must have at most 3 characters' })
    expect(url(['redis', 'rediss'])('rediss://h:6380/2')).toEqual({ value: 'rediss://h:6380/2' })
  })

  it('clip a long bad value in the problem', () => {
    const result = int(0, 1)('x'.repeat(10_000))
    expect('problem' in result && result.problem.length).toBeLessThan(100)
  })

  it('read every field of a set, or every problem', () => {
    const fields = { A: withDefault(int(1, 2), 1), B: oneOf(['x']) }
    expect(readFields(fields, {})).toEqual({ values: { A: 1, B: undefined } })
    expect(readFields(fields, { A: '3', B: 'y' })).toEqual({ problems: ['A: must be at most 2', 'B: expected one of "x", got "y"'] })
  })
})
