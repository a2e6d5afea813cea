/**
 * What the session bar and the projector read from the pad's agenda: the current item (its text
 * and timebox) and the sum of all timeboxes, for the agenda's timing against the slot. Pure over
 * a ProseMirror doc.
 */
import type { Node as PMNode } from 'prosemirror-model'

export interface AgendaSummary {
  /** The item marked `now`: its text and timebox in minutes (0 when it has none). */
  current: { id: string | null; text: string; timeboxMinutes: number } | null
  /** The sum of every item's timebox, in minutes. */
  totalMinutes: number
  /** How many items have a timebox. */
  timeboxed: number
}

export function agendaSummary(doc: PMNode): AgendaSummary {
  let current: AgendaSummary['current'] = null
  let totalMinutes = 0
  let timeboxed = 0
  doc.descendants((node) => {
    if (node.type.name !== 'agenda_item') return true
    const timebox = Number(node.attrs.timebox) || 0
    totalMinutes += timebox
    if (timebox > 0) timeboxed++
    if (current === null && node.attrs.status === 'now') current = { id: (node.attrs.id as string | null) ?? null, text: node.textContent, timeboxMinutes: timebox }
    return false
  })
  return { current, totalMinutes, timeboxed }
}

/**
 * The current item's time as the bar and the projector show it: `3:12 of 10 min`, or over its
 * timebox `+1:57 over 10 min`; without a timebox just the elapsed `3:12`. Null without a start.
 */
export function itemTimeText(sinceMs: number | undefined, timeboxMinutes: number, nowMs: number, format: (ms: number) => string): { text: string; over: boolean } | null {
  if (sinceMs === undefined) return null
  const elapsed = Math.max(0, nowMs - sinceMs)
  if (timeboxMinutes <= 0) return { text: format(elapsed), over: false }
  const over = elapsed - timeboxMinutes * 60_000
  return over > 0 ? { text: `+${format(over)} over ${timeboxMinutes} min`, over: true } : { text: `${format(elapsed)} of ${timeboxMinutes} min`, over: false }
}
