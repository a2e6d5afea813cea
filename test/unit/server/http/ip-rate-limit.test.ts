/** IpRateLimit: a token bucket per address, with bursts, refills and forgotten idle addresses. */
import { describe, expect, it } from 'vitest'
import { IpRateLimit } from '../../../../server/http/ip-rate-limit.ts'

describe('IpRateLimit', () => {
  it('lets a burst through, then the sustained rate, per address', () => {
    let now = 0
    const limit = new IpRateLimit({ perSecond: 10, burst: 50, now: () => now })
    const taken = Array.from({ length: 60 }, () => limit.take('10.0.0.1')).filter(Boolean).length
    expect(taken).toBe(50)
    expect(limit.take('10.0.0.2')).toBe(true)
    now += 1000
    expect(Array.from({ length: 20 }, () => limit.take('10.0.0.1')).filter(Boolean).length).toBe(10)
  })

  it('is off with a rate of 0', () => {
    const limit = new IpRateLimit({ perSecond: 0, burst: 1 })
    expect(Array.from({ length: 100 }, () => limit.take('a')).every(Boolean)).toBe(true)
  })

  it('forgets addresses whose bucket has refilled once many are tracked', () => {
    let now = 0
    const limit = new IpRateLimit({ perSecond: 1, burst: 2, now: () => now })
    for (let i = 0; i < 10_000; i++) limit.take(`a${i}`)
    expect(limit.size).toBe(10_000)
    now += 5000
    limit.take('fresh')
    expect(limit.size).toBe(1)
  })
})
