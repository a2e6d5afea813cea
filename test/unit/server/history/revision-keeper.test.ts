import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RevisionKeeper } from '../../../../server/history/revision-keeper.ts'
import type { RoomRegistry } from '../../../../server/sync/room-registry.ts'
import { silentLogger } from '../../../../server/sync/logger.ts'
import { formatDocName } from '../../../../shared/doc-name.ts'
import { MemoryDocStore } from '../../../helpers/memory-doc-store.ts'

const pad = formatDocName({ sessionId: 'abc123defg', kind: 'pad' })
let keeper: RevisionKeeper
let capture: ReturnType<typeof vi.spyOn>

beforeEach(() => {
  vi.useFakeTimers()
  keeper = new RevisionKeeper(new MemoryDocStore(), {} as RoomRegistry, silentLogger, { quietMs: 3000, maxIntervalMs: 60_000 })
  capture = vi.spyOn(keeper, 'capture').mockResolvedValue(null)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('RevisionKeeper timing', () => {
  it('saves a revision once a pad has been quiet for quietMs after its last change', () => {
    keeper.noteChange(pad)
    vi.advanceTimersByTime(2000)
    keeper.noteChange(pad)
    vi.advanceTimersByTime(2999)
    expect(capture).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(capture).toHaveBeenCalledTimes(1)
    expect(capture).toHaveBeenCalledWith(pad, 'quiet')
  })

  it('keeps one timer per pad however many changes arrive', () => {
    for (let i = 0; i < 1000; i++) keeper.noteChange(pad)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(3000)
    expect(capture).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('saves at least every maxIntervalMs while people keep typing', () => {
    for (let second = 0; second < 59; second++) {
      keeper.noteChange(pad)
      vi.advanceTimersByTime(1000)
    }
    expect(capture).not.toHaveBeenCalled()
    keeper.noteChange(pad)
    vi.advanceTimersByTime(1000)
    expect(capture).toHaveBeenCalledTimes(1)
    expect(capture).toHaveBeenCalledWith(pad, 'interval')
  })

  it('ignores docs that are not pads', () => {
    keeper.noteChange(formatDocName({ sessionId: 'abc123defg', kind: 'chat' }))
    expect(vi.getTimerCount()).toBe(0)
  })
})
