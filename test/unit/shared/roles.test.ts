import { describe, expect, it } from 'vitest'
import { canWrite, chatReadOnlyReason, readOnlyReason, roles } from '../../../shared/roles.ts'
import { countdownText, formatCountdown, phaseOf, sessionPhase, timeLeftText } from '../../../shared/session-phase.ts'

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
      for (const kind of ['pad', 'control', 'chat'] as const) {
        expect(canWrite(role, kind, { state: 'ended', locked: false }), `${role} ${kind}`).toBe(false)
        expect(canWrite(role, kind, { state: 'ended', locked: true }), `${role} ${kind} locked`).toBe(false)
      }
      expect(canWrite(role, 'control', live)).toBe(false)
      expect(canWrite(role, 'control', { state: 'live', locked: true })).toBe(false)
    }
  })
  it('lets moderators and editors chat, locked pad or not, until the end; never viewers', () => {
    for (const state of ['scheduled', 'live'] as const) {
      for (const locked of [false, true]) {
        expect(roles.filter((role) => canWrite(role, 'chat', { state, locked })), `${state} locked=${locked}`).toEqual(['moderator', 'editor'])
      }
    }
  })
  it('says which kinds each role may write in a live, unlocked session', () => {
    const kinds = ['pad', 'control', 'chat'] as const
    const writable = Object.fromEntries(roles.map((role) => [role, kinds.filter((kind) => canWrite(role, kind, live))]))
    expect(writable).toEqual({ moderator: ['pad', 'chat'], editor: ['pad', 'chat'], viewer: [] })
  })
  it('explains read-only states', () => {
    expect(readOnlyReason('viewer', live)).toMatch(/read-only/)
    expect(readOnlyReason('editor', { state: 'live', locked: true })).toMatch(/locked/)
    expect(readOnlyReason('moderator', { state: 'live', locked: true })).toBeNull()
    expect(readOnlyReason('moderator', { state: 'ended', locked: false })).toMatch(/ended/)
  })
  it('explains why the chat form is disabled, and only when it is', () => {
    expect(chatReadOnlyReason('viewer', live)).toMatch(/read-only/i)
    expect(chatReadOnlyReason('editor', { state: 'live', locked: true })).toBeNull()
    expect(chatReadOnlyReason('moderator', live)).toBeNull()
    for (const role of roles) expect(chatReadOnlyReason(role, { state: 'ended', locked: false })).toMatch(/ended/)
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
  it('is due, not scheduled, from the start of its slot to its end while nobody started it (issue 19, bug 5)', () => {
    const slot = { scheduledStart: end - 26 * 60_000, durationMinutes: 40 }
    expect(sessionPhase('scheduled', null, end - 27 * 60_000, slot)).toBe('scheduled')
    expect(sessionPhase('scheduled', null, end, slot)).toBe('due')
    expect(sessionPhase('scheduled', null, end + 14 * 60_000, slot)).toBe('scheduled')
    expect(sessionPhase('scheduled', null, end, { scheduledStart: null, durationMinutes: 40 })).toBe('scheduled')
    const fields = { state: 'scheduled' as const, endsAt: null, scheduledStart: new Date(slot.scheduledStart).toISOString(), durationMinutes: 40 }
    expect(phaseOf(fields, end)).toEqual({ phase: 'due', endsAt: end + 14 * 60_000 })
    expect(phaseOf({ ...fields, state: 'live', endsAt: new Date(end + 5 * 60_000).toISOString() }, end)).toEqual({ phase: 'wrap-up', endsAt: end + 5 * 60_000 })
    expect(phaseOf({ ...fields, state: 'ended' }, end)).toEqual({ phase: 'ended', endsAt: null })
  })
  it('words time left and overtime the same for every screen', () => {
    expect(timeLeftText(14 * 60_000 - 500)).toBe('14 min left')
    expect(timeLeftText(75 * 60_000)).toBe('1 h 15 min left')
    expect(timeLeftText(400)).toBe('ending now')
    expect(timeLeftText(-117_000)).toBe('+1:57 over')
    expect(countdownText(-117_000)).toBe('+1:57 over')
    expect(countdownText(724_000)).toBe('12:04 left')
  })
  it('formats remaining and overtime durations', () => {
    expect(formatCountdown(40 * 60_000)).toBe('40:00')
    expect(formatCountdown(65_500)).toBe('1:05')
    expect(formatCountdown(-61_000)).toBe('-1:01')
    expect(formatCountdown(2 * 3600_000 + 5_000)).toBe('2:00:05')
  })
})
