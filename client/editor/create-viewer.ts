/**
 * A read-only view of a pad's Y.XmlFragment (projector, history), or of a frozen pad (archive):
 * the pad's node views without any editing controls, no cursors, no keymaps.
 */
import type { Node as PMNode } from 'prosemirror-model'
import { EditorState } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import { ySyncPlugin } from 'y-prosemirror'
import type * as Y from 'yjs'
import { schema } from '../../shared/schema.ts'
import { ActionItemView } from './plugins/action-item-view.ts'
import { AgendaItemView } from './plugins/agenda-item-view.ts'
import { TaskItemView } from './plugins/task-item-view.ts'
import { hideEmptyPlaceholders } from './plugins/hide-empty.ts'

const readOnlyAgenda = { isModerator: () => false, setCurrent: () => {} }

export interface ViewerOptions {
  fragment: Y.XmlFragment
  /** y-prosemirror sync options (e.g. permanentUserData and colorMapping for history). */
  syncOptions?: Parameters<typeof ySyncPlugin>[1]
  className: string
  /** Called after every transaction (e.g. to keep the current item in view). */
  onChange?: () => void
  /** Hide empty template placeholders (the projector). @default false */
  hideEmpty?: boolean
}

const readOnlyNodeViews: ConstructorParameters<typeof EditorView>[1]['nodeViews'] = {
  task_item: (node, view, getPos) => new TaskItemView(node, view, getPos),
  action_item: (node, view, getPos) => new ActionItemView(node, view, getPos),
  agenda_item: (node, view, getPos) => new AgendaItemView(node, view, getPos, readOnlyAgenda),
}

/**
 * A read-only view of a frozen pad (an archive's `doc`), drawn by the same node views as the
 * live pad, so an agenda item shows its owner, timebox and status as the history page does.
 */
export function createStaticViewer(place: HTMLElement, doc: PMNode, options: { className: string; label: string }): EditorView {
  return new EditorView(place, {
    state: EditorState.create({ schema, doc }),
    editable: () => false,
    attributes: { class: `pad-editor ${options.className}`, role: 'document', 'aria-label': options.label },
    nodeViews: readOnlyNodeViews,
  })
}

export function createViewer(place: HTMLElement, options: ViewerOptions): EditorView {
  return new EditorView(place, {
    state: EditorState.create({ schema, plugins: [ySyncPlugin(options.fragment, options.syncOptions), ...(options.hideEmpty ? [hideEmptyPlaceholders()] : [])] }),
    editable: () => false,
    // A document to read, not a text box: no textbox role, so no aria-readonly either.
    attributes: { class: `pad-editor ${options.className}`, role: 'document', 'aria-label': 'Session pad' },
    nodeViews: readOnlyNodeViews,
    // y-prosemirror dispatches while the view is being constructed: use `this`.
    dispatchTransaction(this: EditorView, tr) {
      this.updateState(this.state.apply(tr))
      options.onChange?.()
    },
  })
}
