/** The frame counters: counted in plain numbers, handed to prom-client when /metrics is read. */
import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../../../server/observability/metrics.ts'

/** The value of `name` (with `labels`, if any) in the registry's text output. */
async function value(metrics: ReturnType<typeof createMetrics>, name: string, labels = ''): Promise<number> {
  const text = await metrics.registry.metrics()
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `))
  return line === undefined ? Number.NaN : Number(line.split(' ')[1])
}

describe('createMetrics frame counters', () => {
  it('count every frame and byte without a prom-client call per frame, and report the totals at each read', async () => {
    const metrics = createMetrics({ connections: () => 0, rooms: () => 0, builtRooms: async () => 0 })
    // reason: prom-client keeps a counter's series in `hashMap`; an `inc` per frame would fill it.
    const stored = (name: string) => (metrics.registry.getSingleMetric(name) as unknown as { hashMap: Record<string, { value: number }> }).hashMap['']?.value ?? 0
    for (let i = 0; i < 1000; i++) {
      metrics.sync.frameIn(10)
      metrics.sync.frameOut(20)
      metrics.frameSentVia(i % 4 === 0 ? 'fallback' : 'fast')
    }
    expect(stored('summitpad_frames_in_total')).toBe(0)
    expect(stored('summitpad_bytes_out_total')).toBe(0)
    expect(await value(metrics, 'summitpad_frames_in_total')).toBe(1000)
    expect(await value(metrics, 'summitpad_bytes_in_total')).toBe(10_000)
    expect(await value(metrics, 'summitpad_frames_out_total')).toBe(1000)
    expect(await value(metrics, 'summitpad_bytes_out_total')).toBe(20_000)
    expect(await value(metrics, 'summitpad_ws_frames_sent_total', '{path="fast"}')).toBe(750)
    expect(await value(metrics, 'summitpad_ws_frames_sent_total', '{path="fallback"}')).toBe(250)
    // A second read adds only what came since the first.
    metrics.sync.frameOut(5)
    expect(await value(metrics, 'summitpad_frames_out_total')).toBe(1001)
    expect(await value(metrics, 'summitpad_bytes_out_total')).toBe(20_005)
    expect(await value(metrics, 'summitpad_frames_in_total')).toBe(1000)
  })
})
