/**
 * Issue 19: Enter at the start of the current agenda item opens a new item above it (the item
 * keeps its id and Now mark with its text); the agenda summary the bar and projector read; the
 * projector's empty-placeholder decorations.
 */
import { EditorState, TextSelection } from 'prosemirror-state'
import { describe, expect, it } from 'vitest'
import { splitItem } from '../../../client/editor/commands.ts'
import { agendaSummary, itemTimeText } from '../../../client/editor/agenda-summary.ts'
import { hideEmptyKey, hideEmptyPlaceholders } from '../../../client/editor/plugins/hide-empty.ts'
import { formatCountdown } from '../../../shared/session-phase.ts'
import { schema } from '../../../shared/schema.ts'
import { agenda, doc, h2, item, li, p, ul } from '../../helpers/pm-builder.ts'

const pad = () =>
  schema.nodeFromJSON(doc(h2('Agenda'), agenda(item({ id: 'item-1', status: 'done', timebox: 10 }, 'Intro'), item({ id: 'item-2', status: 'now', timebox: 15, owner: 'sean' }, 'Budget'))))

/** The position of the first character of `text`. */
function startOf(node: ReturnType<typeof pad>, text: string): number {
  let found = -1
  node.descendants((child, pos) => {
    if (found === -1 && child.isText && child.text!.startsWith(text)) found = pos
    return found === -1
  })
  return found
}

const items = (state: EditorState) => {
  const list: { id: unknown; status: unknown; text: string }[] = []
  state.doc.descendants((node) => {
    if (node.type.name === 'agenda_item') list.push({ id: node.attrs.id, status: node.attrs.status, text: node.textContent })
    return true
  })
  return list
}

describe('agenda editing', () => {
  it('opens a pending item above when Enter is pressed at the start of an item, keeping its id and mark with its text', () => {
    const start = pad()
    let state = EditorState.create({ doc: start, selection: TextSelection.create(start, startOf(start, 'Budget')) })
    expect(splitItem(state, (tr) => (state = state.apply(tr)))).toBe(true)
    expect(items(state)).toEqual([
      { id: 'item-1', status: 'done', text: 'Intro' },
      { id: null, status: 'pending', text: '' },
      { id: 'item-2', status: 'now', text: 'Budget' },
    ])
  })

  it('still splits in the middle of an item: the new half after is pending', () => {
    const start = pad()
    let state = EditorState.create({ doc: start, selection: TextSelection.create(start, startOf(start, 'Budget') + 3) })
    expect(splitItem(state, (tr) => (state = state.apply(tr)))).toBe(true)
    expect(items(state).slice(1)).toEqual([
      { id: 'item-2', status: 'now', text: 'Bud' },
      { id: null, status: 'pending', text: 'get' },
    ])
  })

  it('summarises the current item and the sum of timeboxes, and words its elapsed time', () => {
    expect(agendaSummary(pad())).toEqual({ current: { id: 'item-2', text: 'Budget', timeboxMinutes: 15 }, totalMinutes: 25, timeboxed: 2 })
    expect(itemTimeText(0, 15, 192_000, formatCountdown)).toEqual({ text: '3:12 of 15 min', over: false })
    expect(itemTimeText(0, 1, 177_000, formatCountdown)).toEqual({ text: '+1:57 over 1 min', over: true })
    expect(itemTimeText(0, 0, 65_000, formatCountdown)).toEqual({ text: '1:05', over: false })
    expect(itemTimeText(undefined, 10, 1, formatCountdown)).toBeNull()
  })

  it('marks empty placeholders (a bare item, bullet or list) for the projector to hide, and nothing with text', () => {
    const node = schema.nodeFromJSON(doc(h2('Agenda'), agenda(item({ id: 'item-1' })), h2('Decisions'), ul(li(p())), h2('Notes'), ul(li(p('kept')), li(p()))))
    const state = EditorState.create({ doc: node, plugins: [hideEmptyPlaceholders()] })
    const marked = hideEmptyKey
      .getState(state)!
      .find()
      .map((deco) => node.nodeAt(deco.from)!.type.name)
    // The empty agenda list and the empty bullet list go whole; in the Notes list only the empty bullet.
    expect(marked.sort()).toEqual(['agenda_list', 'bullet_list', 'list_item'])
  })
})
