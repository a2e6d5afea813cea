/** The jittered backoff every page socket retries with. */
import { describe, expect, it } from 'vitest'
import { retryDelayMs } from '../../../client/sync/reconnect.ts'
import { retryAfterMs, retryReason } from '../../../shared/close-codes.ts'

describe('retryDelayMs', () => {
  it('waits a random 50-100 % of an exponential backoff capped at 10 s', () => {
    expect(retryDelayMs(0, '', () => 0)).toBe(125)
    expect(retryDelayMs(0, '', () => 0.999)).toBeLessThanOrEqual(250)
    expect(retryDelayMs(3, '', () => 0)).toBe(1000)
    expect(retryDelayMs(30, '', () => 0.999)).toBeLessThanOrEqual(10_000)
    expect(retryDelayMs(30, '', () => 0)).toBe(5000)
  })

  it('spreads a crowd: 1,000 clients at the same attempt do not retry at the same instant', () => {
    const delays = new Set(Array.from({ length: 1000 }, () => retryDelayMs(4, '')))
    expect(delays.size).toBeGreaterThan(500)
  })

  it('waits at least what a 1013 close asked for', () => {
    const reason = retryReason('too many connections from this address', 2400)
    expect(reason).toBe('too many connections from this address; retry in 3 s')
    expect(retryAfterMs(reason)).toBe(3000)
    expect(retryDelayMs(0, reason, () => 0)).toBe(3000)
    expect(retryDelayMs(0, reason, () => 0.999)).toBeLessThan(4500)
    expect(retryAfterMs('bad token')).toBeNull()
  })
})
