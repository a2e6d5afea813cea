/** RefusalLog: one warn line per address per window, with the count and the reasons. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RefusalLog } from '../../../../server/http/refusal-log.ts'
import type { Logger } from '../../../../server/observability/log.ts'

function recordingLogger(): { logger: Logger; lines: { obj: object; msg?: string }[] } {
  const lines: { obj: object; msg?: string }[] = []
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (obj, msg) => void lines.push({ obj, msg }),
    error: () => {},
    child: () => logger,
  } as Logger
  return { logger, lines }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('RefusalLog', () => {
  it('aggregates refusals into one line per address per minute', () => {
    vi.useFakeTimers()
    const { logger, lines } = recordingLogger()
    const log = new RefusalLog(logger)
    for (let i = 0; i < 500; i++) log.note('192.0.2.1', 'too many connections')
    for (let i = 0; i < 3; i++) log.note('192.0.2.1', 'bad token')
    log.note('198.51.100.7', 'foreign origin')
    expect(lines).toHaveLength(0)
    vi.advanceTimersByTime(60_000)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({ msg: 'connections refused', obj: { address: '192.0.2.1', refused: 503, reasons: { 'too many connections': 500, 'bad token': 3 } } })
    expect(lines[1]).toMatchObject({ obj: { address: '198.51.100.7', refused: 1 } })
    // A quiet minute writes nothing; the next refusals make the next minute's line.
    vi.advanceTimersByTime(60_000)
    expect(lines).toHaveLength(2)
    for (let i = 0; i < 40; i++) log.note('192.0.2.1', 'too many connections')
    log.close()
    expect(lines).toHaveLength(3)
    expect(lines[2]).toMatchObject({ obj: { address: '192.0.2.1', refused: 40 } })
  })
})
