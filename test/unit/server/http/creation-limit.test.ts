import { describe, expect, it } from 'vitest'
import { CreationLimit } from '../../../../server/http/creation-limit.ts'

describe('CreationLimit', () => {
  it('allows a burst per address, then the rate, and says when to retry', () => {
    let now = 0
    const limit = new CreationLimit({ perMinute: 10, burst: 20, totalPerMinute: 0, now: () => now })
    for (let i = 0; i < 20; i++) expect(limit.take('a').ok).toBe(true)
    const refused = limit.take('a')
    expect(refused).toMatchObject({ ok: false, limit: 'address', retryAfterSeconds: 6 })
    expect(limit.take('b').ok).toBe(true)
    now += 5_999
    expect(limit.take('a').ok).toBe(false)
    now += 1
    expect(limit.take('a').ok).toBe(true)
    expect(limit.take('a').ok).toBe(false)
  })

  it('limits everyone together, without taking from an address that was refused', () => {
    let now = 0
    const limit = new CreationLimit({ perMinute: 10, burst: 2, totalPerMinute: 3, now: () => now })
    expect(limit.take('a').ok).toBe(true)
    expect(limit.take('b').ok).toBe(true)
    expect(limit.take('c').ok).toBe(true)
    const refused = limit.take('d')
    expect(refused).toMatchObject({ ok: false, limit: 'total', retryAfterSeconds: 20 })
    // d's own bucket was not charged: once the total refills, d still has its whole burst.
    now += 40_000
    expect(limit.take('d').ok).toBe(true)
    expect(limit.take('d').ok).toBe(true)
  })

  it('turns off with 0', () => {
    const limit = new CreationLimit({ perMinute: 0, burst: 1, totalPerMinute: 0 })
    for (let i = 0; i < 1000; i++) expect(limit.take('a').ok).toBe(true)
    expect(limit.size).toBe(0)
  })
})
