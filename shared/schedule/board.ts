/**
 * The now-and-next board's view of a summit: for every room, the session on now (live, or due:
 * in its scheduled slot but not started, by the one phase rule of `session-phase.ts`) with when
 * it ends, and the next one to start there.
 */
import type { Session } from '../api.ts'
import { phaseOf, type SessionPhase } from '../session-phase.ts'

export interface RoomBoard {
  room: string
  now: { session: Session; endsAt: number; phase: SessionPhase } | null
  next: Session | null
}

/** Rooms in name order (sessions without a room left out), each with its now and next at `now` (ms). */
export function nowAndNext(sessions: Session[], now: number): RoomBoard[] {
  const rooms = new Map<string, Session[]>()
  for (const session of sessions) {
    if (!session.room) continue
    rooms.set(session.room, [...(rooms.get(session.room) ?? []), session])
  }
  return [...rooms.keys()]
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .map((room) => {
      const list = rooms.get(room)!
      const phased = list.map((session) => ({ session, ...phaseOf(session, now) }))
      // A started session wins over one merely due in the same room.
      const onNow = phased.find((p) => (p.phase === 'live' || p.phase === 'wrap-up') && p.endsAt !== null) ?? phased.find((p) => p.phase === 'due')
      const current = onNow ? { session: onNow.session, endsAt: onNow.endsAt!, phase: onNow.phase } : null
      const next =
        list
          .filter((session) => session.state === 'scheduled' && session.scheduledStart && Date.parse(session.scheduledStart) > now && session !== current?.session)
          .sort((a, b) => Date.parse(a.scheduledStart!) - Date.parse(b.scheduledStart!))[0] ?? null
      return { room, now: current, next }
    })
}
