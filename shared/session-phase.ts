/**
 * The phase a person sees, derived from the stored state, the schedule and the clock. It is the
 * one rule every page follows (issue 19, bug 5: the home grid said "scheduled" for a session the
 * board showed as on now):
 * - `scheduled`: not started, and not in its scheduled slot (or it has none);
 * - `due`: not started, but its scheduled slot has begun and not ended (the room is waiting for
 *   the moderator to press Start);
 * - `live`: started, more than `wrapUpMinutes` left;
 * - `wrap-up`: started, in its last `wrapUpMinutes` or over time, so the room captures decisions
 *   and action items before the end;
 * - `ended`.
 */
/** States a session moves through (stored; the phase is derived from it and the clock). */
export const sessionStates = ['scheduled', 'live', 'ended'] as const
export type SessionState = (typeof sessionStates)[number]

export const sessionPhases = ['scheduled', 'due', 'live', 'wrap-up', 'ended'] as const
export type SessionPhase = (typeof sessionPhases)[number]

/** Minutes before the end at which a live session enters wrap-up. @default 10 */
export const wrapUpMinutes = 10

/** A session's scheduled slot: its start (ms since the epoch, null when unscheduled) and length. */
export interface ScheduledSlot {
  scheduledStart: number | null
  durationMinutes: number
}

/** The phase at `nowMs`; without `slot` a session not started is always `scheduled`. */
export function sessionPhase(state: SessionState, endsAt: number | null, nowMs: number, slot?: ScheduledSlot): SessionPhase {
  if (state === 'scheduled') return slot && inSlot(slot, nowMs) ? 'due' : 'scheduled'
  if (state !== 'live') return state
  if (endsAt !== null && endsAt - nowMs <= wrapUpMinutes * 60_000) return 'wrap-up'
  return 'live'
}

/** The fields of a session (as the API sends it) that its phase depends on. */
export interface PhaseFields {
  state: SessionState
  endsAt: string | null
  scheduledStart: string | null
  durationMinutes: number
}

/** The phase of a session as the API sends it, at `nowMs`, and when it ends (ms; null when not under way). */
export function phaseOf(session: PhaseFields, nowMs: number): { phase: SessionPhase; endsAt: number | null } {
  const endsAt = session.endsAt ? Date.parse(session.endsAt) : null
  const slot = { scheduledStart: session.scheduledStart ? Date.parse(session.scheduledStart) : null, durationMinutes: session.durationMinutes }
  const phase = sessionPhase(session.state, endsAt, nowMs, slot)
  if (phase === 'due') return { phase, endsAt: slot.scheduledStart! + slot.durationMinutes * 60_000 }
  return { phase, endsAt: phase === 'live' || phase === 'wrap-up' ? endsAt : null }
}

function inSlot(slot: ScheduledSlot, nowMs: number): boolean {
  return slot.scheduledStart !== null && slot.scheduledStart <= nowMs && nowMs < slot.scheduledStart + slot.durationMinutes * 60_000
}

/** Each phase's name as the pages show it. */
export const phaseNames: Record<SessionPhase, string> = { scheduled: 'Scheduled', due: 'Due now', live: 'Live', 'wrap-up': 'Wrap-up', ended: 'Ended' }

/**
 * The time left as every screen words it: `14 min left` (rounded up), `ending now` in the last
 * second, and over time `+1:57 over` (issue 19: overtime read differently on each screen).
 */
export function timeLeftText(remainingMs: number): string {
  if (remainingMs < 0) return overtimeText(remainingMs)
  if (remainingMs < 1000) return 'ending now'
  const minutes = Math.ceil(remainingMs / 60_000)
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min left` : `${minutes} min left`
}

/** The countdown's urgency (bar, projector, board): amber in the last 5 minutes, red when over time. */
export function countdownTone(remainingMs: number): 'normal' | 'amber' | 'red' {
  if (remainingMs < 0) return 'red'
  if (remainingMs <= 5 * 60_000) return 'amber'
  return 'normal'
}

/** Over time by `-remainingMs`: `+1:57 over`. */
export function overtimeText(remainingMs: number): string {
  return `+${formatCountdown(Math.abs(remainingMs))} over`
}

/** `mm:ss` (or `h:mm:ss`) of a duration in ms; negative durations get a leading minus (over time). */
export function formatCountdown(ms: number): string {
  const sign = ms < 0 ? '-' : ''
  const total = Math.floor(Math.abs(ms) / 1000)
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  const mm = String(minutes).padStart(hours > 0 ? 2 : 1, '0')
  const ss = String(seconds).padStart(2, '0')
  return hours > 0 ? `${sign}${hours}:${mm}:${ss}` : `${sign}${mm}:${ss}`
}

/** The countdown on the session bar and the projector: `12:04 left`, `+1:57 over`. */
export function countdownText(remainingMs: number): string {
  return remainingMs < 0 ? overtimeText(remainingMs) : `${formatCountdown(remainingMs)} left`
}
