/** TimeWindow: the one owner of a room's time window (issue 18): the intake and the fan-out wait on it together. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RateMeter, TimeWindow } from '../../../../server/sync/time-window.ts'

afterEach(() => {
  vi.useRealTimers()
})

describe('TimeWindow', () => {
  it('runs at once after a quiet spell, then holds everything asked within the width for one close', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] })
    const window = new TimeWindow(() => 50)
    const runs: string[] = []
    const append = () => runs.push('append')
    const broadcast = () => runs.push('broadcast')
    window.schedule(append, 'now')
    expect(runs).toEqual(['append'])
    // Within the width: both wait for the same close, each once however often asked.
    window.schedule(broadcast, 'next-turn')
    window.schedule(append, 'now')
    window.schedule(append, 'now')
    expect(window.isWaiting).toBe(true)
    await vi.advanceTimersByTimeAsync(49)
    expect(runs).toEqual(['append'])
    await vi.advanceTimersByTimeAsync(1)
    expect(runs).toEqual(['append', 'broadcast', 'append'])
    expect(window.isWaiting).toBe(false)
  })

  it('after a quiet spell, `next-turn` merges what is asked in the same turn', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] })
    const window = new TimeWindow(() => 0)
    let flushes = 0
    const flush = () => flushes++
    for (let i = 0; i < 10; i++) window.schedule(flush, 'next-turn')
    expect(flushes).toBe(0)
    await vi.advanceTimersByTimeAsync(0)
    expect(flushes).toBe(1)
  })

  it('closes early on `close` (a room that is closing)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] })
    const window = new TimeWindow(() => 1000)
    let flushes = 0
    window.schedule(() => flushes++, 'now')
    window.schedule(() => flushes++, 'now')
    expect(flushes).toBe(1)
    window.close()
    expect(flushes).toBe(2)
    expect(window.isWaiting).toBe(false)
  })
})

describe('RateMeter', () => {
  it('follows a steady pace within a few time constants, and falls back after a quiet spell', () => {
    const meter = new RateMeter(100)
    expect(meter.read(0)).toBe(0)
    // 200 events per second (one per 5 ms) for one second.
    for (let t = 0; t <= 1000; t += 5) meter.note(t)
    expect(meter.read(1000)).toBeGreaterThan(190)
    expect(meter.read(1000)).toBeLessThan(215)
    // Half a second later (five time constants) it is near 0.
    expect(meter.read(1500)).toBeLessThan(2)
  })
})
