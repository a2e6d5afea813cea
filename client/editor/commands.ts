/**
 * Editing commands over the pad schema, `(state, dispatch?) => boolean` as ProseMirror expects.
 * The keymap, the input rules and the toolbar all refer to these, so a shortcut and its button
 * always do the same thing.
 */
import { chainCommands, lift, setBlockType, toggleMark } from 'prosemirror-commands'
import type { MarkType, NodeType } from 'prosemirror-model'
import { liftListItem, sinkListItem, splitListItem, wrapInList } from 'prosemirror-schema-list'
import type { Command, EditorState } from 'prosemirror-state'
import { redoCommand, undoCommand } from 'y-prosemirror'
import { safeHref, schema } from '../../shared/schema.ts'

const { nodes, marks } = schema

export const toggleBold = toggleMark(marks.strong)
export const toggleItalic = toggleMark(marks.em)
export const toggleCode = toggleMark(marks.code)
export const setParagraph = setBlockType(nodes.paragraph)
export const setHeading = (level: 1 | 2 | 3): Command => setBlockType(nodes.heading, { level })

/** Wraps the selection in a list of `listType`, or lifts it out when it already is one. */
function toggleList(listType: NodeType): Command {
  return (state, dispatch) => {
    const { $from } = state.selection
    for (let depth = $from.depth; depth > 0; depth--) {
      if ($from.node(depth).type === listType) {
        const itemType = listType === nodes.task_list ? nodes.task_item : nodes.list_item
        return liftListItem(itemType)(state, dispatch)
      }
    }
    return wrapInList(listType)(state, dispatch)
  }
}

export const toggleBulletList = toggleList(nodes.bullet_list)
export const toggleOrderedList = toggleList(nodes.ordered_list)
export const toggleTaskList = toggleList(nodes.task_list)

/**
 * Enter at the start of a non-empty agenda item opens a new pending item above it, so the item
 * keeps its id and marks with its text (splitting would leave the id, and the "Now" mark, on the
 * empty first half: issue 19, bug 6).
 */
export const newAgendaItemAbove: Command = (state, dispatch) => {
  const { $from, empty } = state.selection
  if (!empty || $from.parentOffset !== 0 || $from.depth < 2) return false
  const item = $from.node(-1)
  if (item.type !== nodes.agenda_item || $from.index(-1) !== 0 || item.textContent === '') return false
  if (dispatch) {
    const fresh = nodes.agenda_item.create({ id: null, owner: '', timebox: 0, status: 'pending' }, nodes.paragraph.create())
    dispatch(state.tr.insert($from.before(-1), fresh).scrollIntoView())
  }
  return true
}

const freshAgendaAttrs = { id: null, owner: '', timebox: 0, status: 'pending' }

/**
 * Splits an agenda item. The new item (where the caret lands) is pending, with no owner or
 * timebox; agenda-ids gives it an id. `splitListItem` applies its attributes only when splitting
 * at the end, and otherwise copies the item's own, "Now" mark included (issue 19, bug 6).
 */
const splitAgendaItem: Command = (state, dispatch) =>
  splitListItem(nodes.agenda_item, freshAgendaAttrs)(
    state,
    dispatch &&
      ((tr) => {
        const $caret = tr.selection.$from
        for (let depth = $caret.depth; depth > 0; depth--) {
          if ($caret.node(depth).type !== nodes.agenda_item) continue
          tr.setNodeMarkup($caret.before(depth), undefined, freshAgendaAttrs)
          break
        }
        dispatch(tr)
      }),
  )

/** Enter inside any list item splits it; a new task item starts unchecked. */
export const splitItem: Command = chainCommands(
  newAgendaItemAbove,
  splitListItem(nodes.list_item),
  splitListItem(nodes.task_item, { checked: false }),
  splitAgendaItem,
)
export const sinkItem: Command = chainCommands(sinkListItem(nodes.list_item), sinkListItem(nodes.task_item), sinkListItem(nodes.agenda_item))
export const liftItem: Command = chainCommands(liftListItem(nodes.list_item), liftListItem(nodes.task_item), liftListItem(nodes.agenda_item), lift)

/** Turns the current textblock into a Decision block (or back into a paragraph). */
export const toggleDecision: Command = (state, dispatch) =>
  isBlockActive(state, nodes.decision) ? setBlockType(nodes.paragraph)(state, dispatch) : setBlockType(nodes.decision)(state, dispatch)

/** Turns the current textblock into an Action item block (or back into a paragraph). */
export const toggleActionItem: Command = (state, dispatch) =>
  isBlockActive(state, nodes.action_item) ? setBlockType(nodes.paragraph)(state, dispatch) : setBlockType(nodes.action_item, { done: false })(state, dispatch)

/** Collaborative undo / redo: only this person's own changes (y-prosemirror's UndoManager). */
export const undo: Command = undoCommand
export const redo: Command = redoCommand

/** Sets (or, with an empty href, removes) a link on the selection. */
export function setLink(href: string): Command {
  return (state, dispatch) => {
    const { from, to, empty } = state.selection
    if (empty) return false
    if (dispatch) {
      const tr = state.tr.removeMark(from, to, marks.link)
      const target = href.trim()
      if (target) tr.addMark(from, to, marks.link.create({ href: safeHref(normalizeHref(target)) }))
      dispatch(tr.scrollIntoView())
    }
    return true
  }
}

/** `example.org` → `https://example.org`; leaves URLs with a scheme and relative paths alone. */
export function normalizeHref(href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('#')) return href
  return `https://${href}`
}

/** True when `type` is active on the whole selection (for toolbar state). */
export function isMarkActive(state: EditorState, type: MarkType): boolean {
  const { from, $from, to, empty } = state.selection
  if (empty) return !!type.isInSet(state.storedMarks ?? $from.marks())
  return state.doc.rangeHasMark(from, to, type)
}

/** The href of the link at the selection, if any. */
export function linkAt(state: EditorState): string | null {
  const { $from } = state.selection
  const mark = marks.link.isInSet($from.marks()) ?? marks.link.isInSet($from.nodeAfter?.marks ?? [])
  return mark ? (mark.attrs.href as string) : null
}

/** True when the selection sits in a textblock of `type` (with `attrs`, when given). */
export function isBlockActive(state: EditorState, type: NodeType, attrs?: Record<string, unknown>): boolean {
  const { $from, to } = state.selection
  if (to > $from.end()) return false
  return $from.parent.hasMarkup(type, attrs ?? $from.parent.attrs)
}

/** True when the selection is inside a list of `type`. */
export function isInList(state: EditorState, type: NodeType): boolean {
  const { $from } = state.selection
  for (let depth = $from.depth; depth > 0; depth--) if ($from.node(depth).type === type) return true
  return false
}
