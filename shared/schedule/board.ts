/**
 * The now-and-next board's view of a summit: for every room, the session on now (live, or in its
 * scheduled slot) with when it ends, and the next one to start there.
 */
import type { Session } from '../api.ts'

export interface RoomBoard {
  room: string
  now: { session: Session; endsAt: number } | null
  next: Session | null
}

const slotEnd = (session: Session) => Date.parse(session.scheduledStart!) + session.durationMinutes * 60_000

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
      const live = list.find((session) => session.state === 'live' && session.endsAt)
      const inSlot = list.find((session) => session.state === 'scheduled' && session.scheduledStart && Date.parse(session.scheduledStart) <= now && now < slotEnd(session))
      const current = live ? { session: live, endsAt: Date.parse(live.endsAt!) } : inSlot ? { session: inSlot, endsAt: slotEnd(inSlot) } : null
      const next =
        list
          .filter((session) => session.state === 'scheduled' && session.scheduledStart && Date.parse(session.scheduledStart) > now && session !== current?.session)
          .sort((a, b) => Date.parse(a.scheduledStart!) - Date.parse(b.scheduledStart!))[0] ?? null
      return { room, now: current, next }
    })
}
