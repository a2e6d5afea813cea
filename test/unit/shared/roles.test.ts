import { describe, expect, it } from 'vitest'
import { canWrite, readOnlyReason, roles } from '../../../shared/roles.ts'
import { formatCountdown, sessionPhase } from '../../../shared/session-phase.ts'

describe('canWrite', () => {
  const live = { state: 'live', locked: false } as const
  it('lets moderators and editors write an open pad, never viewers', () => {
    expect(canWrite('moderator', 'pad', live)).toBe(true)
    expect(canWrite('editor', 'pad', live)).toBe(true)
    expect(canWrite('viewer', 'pad', live)).toBe(false)
    expect(canWrite('editor', 'pad', { state: 'scheduled', locked: false })).toBe(true)
  })
  it('lets only the moderator write a locked pad', () => {
    const locked = { state: 'live', locked: true } as const
    expect(roles.filter((role) => canWrite(role, 'pad', locked))).toEqual(['moderator'])
  })
  it('lets nobody write an ended session or any control doc', () => {
    for (const role of roles) {
      expect(canWrite(role, 'pad', { state: 'ended', locked: false })).toBe(false)
      expect(canWrite(role, 'control', live)).toBe(false)
    }
  })
  it('explains read-only states', () => {
    expect(readOnlyReason('viewer', live)).toMatch(/read-only/)
    expect(readOnlyReason('editor', { state: 'live', locked: true })).toMatch(/locked/)
    expect(readOnlyReason('moderator', { state: 'live', locked: true })).toBeNull()
    expect(readOnlyReason('moderator', { state: 'ended', locked: false })).toMatch(/ended/)
  })
})

describe('sessionPhase and formatCountdown', () => {
  const end = Date.parse('2026-11-24T12:00:00Z')
  it('enters wrap-up in the last ten minutes and stays there when over time', () => {
    expect(sessionPhase('live', end, end - 11 * 60_000)).toBe('live')
    expect(sessionPhase('live', end, end - 10 * 60_000)).toBe('wrap-up')
    expect(sessionPhase('live', end, end + 60_000)).toBe('wrap-up')
    expect(sessionPhase('scheduled', null, end)).toBe('scheduled')
    expect(sessionPhase('ended', end, end - 20 * 60_000)).toBe('ended')
  })
  it('formats remaining and overtime durations', () => {
    expect(formatCountdown(40 * 60_000)).toBe('40:00')
    expect(formatCountdown(65_500)).toBe('1:05')
    expect(formatCountdown(-61_000)).toBe('-1:01')
    expect(formatCountdown(2 * 3600_000 + 5_000)).toBe('2:00:05')
  })
})
