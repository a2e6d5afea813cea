/** nowAndNext: per room, the session on now (live, or due: in its slot) with its phase, and the next one. */
import { describe, expect, it } from 'vitest'
import type { Session } from '../../../shared/api.ts'
import { nowAndNext } from '../../../shared/schedule/board.ts'

let n = 0
function session(fields: Partial<Session>): Session {
  n++
  return {
    id: `s${n}`, title: `Session ${n}`, track: '', room: 'Room 1', moderator: '', scheduledStart: null, durationMinutes: 40, access: 'open',
    state: 'scheduled', startedAt: null, endsAt: null, endedAt: null, locked: false, currentItem: null, projectorChat: false, timeZone: null, joinCode: null, recapMail: true, createdAt: '', updatedAt: '',
    ...fields,
  }
}

const at = (hhmm: string) => Date.parse(`2026-05-11T${hhmm}:00Z`)
const iso = (hhmm: string) => new Date(at(hhmm)).toISOString()

describe('nowAndNext', () => {
  it('shows per room the live session (by its countdown) or the one in its slot, and the next to start', () => {
    const live = session({ room: 'Room 2', state: 'live', scheduledStart: iso('09:00'), endsAt: iso('09:45') })
    const inSlot = session({ room: 'Room 10', scheduledStart: iso('09:00') })
    const next2 = session({ room: 'Room 2', scheduledStart: iso('10:00') })
    const later2 = session({ room: 'Room 2', scheduledStart: iso('11:00') })
    const ended = session({ room: 'Room 10', state: 'ended', scheduledStart: iso('08:00') })
    const noRoom = session({ room: '', state: 'live', endsAt: iso('09:30') })
    const board = nowAndNext([later2, next2, live, inSlot, ended, noRoom], at('09:20'))
    expect(board.map((room) => room.room)).toEqual(['Room 2', 'Room 10'])
    expect(board[0]).toEqual({ room: 'Room 2', now: { session: live, endsAt: at('09:45'), phase: 'live' }, next: next2 })
    expect(board[1]).toEqual({ room: 'Room 10', now: { session: inSlot, endsAt: at('09:40'), phase: 'due' }, next: null })
    // A started session wins over one merely due in the same room; in its last 10 minutes it is in wrap-up.
    const late = session({ room: 'Room 10', scheduledStart: iso('09:00'), durationMinutes: 20 })
    const started = session({ room: 'Room 10', state: 'live', scheduledStart: iso('09:10'), endsAt: iso('09:25') })
    expect(nowAndNext([late, started], at('09:19'))[0]!.now).toEqual({ session: started, endsAt: at('09:25'), phase: 'wrap-up' })
    // After the slot: nothing on now in Room 10; Room 2's next is still the 10:00 session.
    expect(nowAndNext([inSlot, next2], at('09:50')).map((room) => [room.room, room.now?.session.id ?? null, room.next?.id ?? null])).toEqual([
      ['Room 2', null, next2.id],
      ['Room 10', null, null],
    ])
  })
})
