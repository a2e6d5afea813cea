/**
 * Agenda marks across a restore (issue 16, part 5). Which item is done, current or parked is the
 * session's state, not the pad's text: a restored revision brings back the text and items of its
 * time, but the marks stay those of the live pad, and the current item stays the one the control
 * doc names.
 */
import type * as Y from 'yjs'
import { agendaStatuses, type AgendaStatus } from '../../shared/schema.ts'
import { agendaItems } from '../sessions/agenda.ts'

/** The status of every agenda item of the pad, by item id. */
export function agendaMarks(ydoc: Y.Doc): Map<string, AgendaStatus> {
  const marks = new Map<string, AgendaStatus>()
  for (const element of agendaItems(ydoc)) {
    const id = element.getAttribute('id')
    const status = agendaStatuses.find((candidate) => candidate === element.getAttribute('status')) ?? 'pending'
    if (typeof id === 'string' && !marks.has(id)) marks.set(id, status)
  }
  return marks
}

/**
 * Puts the `live` marks back on the pad's agenda items (by id) and makes `currentItem` the one
 * item marked `now`: an item the live pad did not have keeps its mark unless it claims to be
 * current, then it becomes pending. Call inside the restore's transaction.
 */
export function reapplyAgendaMarks(ydoc: Y.Doc, live: ReadonlyMap<string, AgendaStatus>, currentItem: string | null): void {
  for (const element of agendaItems(ydoc)) {
    const id = element.getAttribute('id')
    const restored = element.getAttribute('status')
    let wanted: AgendaStatus | undefined = typeof id === 'string' ? live.get(id) : undefined
    if (wanted === undefined && restored === 'now') wanted = 'pending'
    if (typeof id === 'string' && currentItem !== null) {
      if (id === currentItem) wanted = 'now'
      else if ((wanted ?? restored) === 'now') wanted = 'pending'
    }
    if (wanted !== undefined && wanted !== restored) element.setAttribute('status', wanted)
  }
}
