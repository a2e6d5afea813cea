/**
 * The phase a person sees, derived from the stored state and the clock: a live session is in
 * `wrap-up` for its last `wrapUpMinutes` (and while over time) so the room captures decisions
 * and action items before the end.
 */
/** States a session moves through (stored; the phase is derived from it and the clock). */
export const sessionStates = ['scheduled', 'live', 'ended'] as const
export type SessionState = (typeof sessionStates)[number]

export type SessionPhase = 'scheduled' | 'live' | 'wrap-up' | 'ended'

/** Minutes before the end at which a live session enters wrap-up. @default 10 */
export const wrapUpMinutes = 10

export function sessionPhase(state: SessionState, endsAt: number | null, nowMs: number): SessionPhase {
  if (state !== 'live') return state
  if (endsAt !== null && endsAt - nowMs <= wrapUpMinutes * 60_000) return 'wrap-up'
  return 'live'
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
