/**
 * A read-only view of a pad's Y.XmlFragment (projector, history): the sync plugin with the given
 * options, the pad's node views without any editing controls, no cursors, no keymaps.
 */
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

export function createViewer(place: HTMLElement, options: ViewerOptions): EditorView {
  return new EditorView(place, {
    state: EditorState.create({ schema, plugins: [ySyncPlugin(options.fragment, options.syncOptions), ...(options.hideEmpty ? [hideEmptyPlaceholders()] : [])] }),
    editable: () => false,
    // A document to read, not a text box: no textbox role, so no aria-readonly either.
    attributes: { class: `pad-editor ${options.className}`, role: 'document', 'aria-label': 'Session pad' },
    nodeViews: {
      task_item: (node, view, getPos) => new TaskItemView(node, view, getPos),
      action_item: (node, view, getPos) => new ActionItemView(node, view, getPos),
      agenda_item: (node, view, getPos) => new AgendaItemView(node, view, getPos, readOnlyAgenda),
    },
    // y-prosemirror dispatches while the view is being constructed: use `this`.
    dispatchTransaction(this: EditorView, tr) {
      this.updateState(this.state.apply(tr))
      options.onChange?.()
    },
  })
}
