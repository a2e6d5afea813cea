/**
 * Agenda items in a pad's Y.Doc: the `agenda_item` elements of the pad fragment, in document
 * order, with their `id` and `status` attributes. The server moves the current item with these
 * when a moderator acts through the API; the browser does the same through ProseMirror.
 */
import * as Y from 'yjs'
import { padFragmentName } from '../../shared/schema.ts'
import type { AgendaStatus } from '../../shared/schema.ts'

/** Every agenda item element of the pad, in document order. */
export function agendaItems(ydoc: Y.Doc): Y.XmlElement[] {
  const items: Y.XmlElement[] = []
  for (const node of ydoc.getXmlFragment(padFragmentName).createTreeWalker((n) => n instanceof Y.XmlElement && n.nodeName === 'agenda_item')) {
    items.push(node as Y.XmlElement)
  }
  return items
}

/** The id of the item marked `now`, or null. */
export function currentItemId(ydoc: Y.Doc): string | null {
  const item = agendaItems(ydoc).find((element) => element.getAttribute('status') === 'now')
  return (item?.getAttribute('id') as string | undefined) ?? null
}

/**
 * Picks the item that becomes current: by id, or one `step` from the current item (the first
 * item when none is current and the step is forward). Returns null when there is no such item.
 */
export function pickItem(ydoc: Y.Doc, target: { itemId: string } | { step: 1 | -1 }): Y.XmlElement | null {
  const items = agendaItems(ydoc)
  if ('itemId' in target) return items.find((element) => element.getAttribute('id') === target.itemId) ?? null
  const index = items.findIndex((element) => element.getAttribute('status') === 'now')
  if (index === -1) return target.step === 1 ? (items[0] ?? null) : null
  return items[index + target.step] ?? null
}

/**
 * The item a session starts on: the one already marked `now`, else the first that is neither
 * `done` nor `parked` (issue 19: Start used to leave "Now: —"). Null for a pad without such an item.
 */
export function firstOpenItem(ydoc: Y.Doc): Y.XmlElement | null {
  const items = agendaItems(ydoc)
  const status = (element: Y.XmlElement) => element.getAttribute('status') ?? 'pending'
  return items.find((element) => status(element) === 'now') ?? items.find((element) => status(element) !== 'done' && status(element) !== 'parked') ?? null
}

/**
 * Makes `next` the current item. The item it replaces becomes `done` when the agenda moves
 * forward (or jumps) and `pending` when the moderator steps back to an earlier item.
 */
export function setCurrentItem(ydoc: Y.Doc, next: Y.XmlElement): void {
  const items = agendaItems(ydoc)
  const nextIndex = items.indexOf(next)
  ydoc.transact(() => {
    items.forEach((element, index) => {
      if (element === next || element.getAttribute('status') !== 'now') return
      const status: AgendaStatus = index > nextIndex ? 'pending' : 'done'
      element.setAttribute('status', status)
    })
    if (next.getAttribute('status') !== 'now') next.setAttribute('status', 'now')
  })
}

/** The agenda items marked `now`, in pad order: `settleCurrentItem` changes the doc only when there are two or more. */
export function nowMarkedItems(ydoc: Y.Doc): Y.XmlElement[] {
  return agendaItems(ydoc).filter((element) => element.getAttribute('status') === 'now')
}

/**
 * Leaves at most one item marked `now`: `preferred` when it is among the marked ones, else the
 * first marked. The others become `pending` (a pasted copy of the current item is not current).
 * Returns the id of the item left marked, or null when none is. Call inside a transaction.
 */
export function settleCurrentItem(ydoc: Y.Doc, preferred: string | null): string | null {
  const marked = nowMarkedItems(ydoc)
  const keep = marked.find((element) => element.getAttribute('id') === preferred) ?? marked[0] ?? null
  for (const element of marked) if (element !== keep) element.setAttribute('status', 'pending')
  const id = keep?.getAttribute('id')
  return typeof id === 'string' ? id : null
}
