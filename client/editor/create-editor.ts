/**
 * Creates the pad's ProseMirror EditorView bound to a Y.XmlFragment: y-prosemirror's sync plugin
 * (the doc is the shared fragment), remote cursors from awareness, collaborative undo, the
 * keymap and the input rules.
 */
import { EditorState, type Plugin } from 'prosemirror-state'
import { EditorView, type EditorProps } from 'prosemirror-view'
import type { Awareness } from 'y-protocols/awareness'
import { ySyncPlugin, yUndoPlugin } from 'y-prosemirror'
import type * as Y from 'yjs'
import { schema } from '../../shared/schema.ts'
import { editorInputRules } from './input-rules.ts'
import { editorKeymaps } from './keymap.ts'
import { ActionItemView } from './plugins/action-item-view.ts'
import { agendaIds } from './plugins/agenda-ids.ts'
import { AgendaItemView, type AgendaContext } from './plugins/agenda-item-view.ts'
import { remoteCursors } from './plugins/remote-cursors.ts'
import { anchorSelectionToOwnText } from './selection-anchoring.ts'
import { sectionHints } from './plugins/section-hints.ts'
import { textblockText } from './plugins/textblock-text.ts'
import { TaskItemView } from './plugins/task-item-view.ts'

export interface EditorOptions {
  fragment: Y.XmlFragment
  awareness: Awareness
  /** Called after every state change (toolbar refresh). */
  onChange?: (view: EditorView) => void
  extraPlugins?: Plugin[]
  agenda: AgendaContext
  /** Whether this person may edit now; re-read on every `view.setProps({})`. */
  editable: () => boolean
}

export function createEditor(place: HTMLElement, options: EditorOptions): EditorView {
  const state = EditorState.create({
    schema,
    plugins: [
      ySyncPlugin(options.fragment),
      textblockText(options.fragment),
      remoteCursors(options.awareness),
      yUndoPlugin(),
      editorInputRules(),
      sectionHints(),
      agendaIds(),
      ...editorKeymaps(),
      ...(options.extraPlugins ?? []),
    ],
  })
  // Before the view exists: the view's construction registers the binding's selection hook.
  anchorSelectionToOwnText(state)
  return new EditorView(place, {
    state,
    nodeViews: nodeViews(options),
    editable: () => options.editable(),
    attributes: {
      class: 'pad-editor',
      role: 'textbox',
      'aria-multiline': 'true',
      'aria-label': 'Session pad',
      spellcheck: 'true',
    },
    // y-prosemirror dispatches while the view is being constructed, so use `this`, not a
    // variable that is not yet assigned.
    dispatchTransaction(this: EditorView, tr) {
      this.updateState(this.state.apply(tr))
      options.onChange?.(this)
    },
  })
}

function nodeViews(options: EditorOptions): EditorProps['nodeViews'] {
  return {
    task_item: (node, view, getPos) => new TaskItemView(node, view, getPos),
    action_item: (node, view, getPos) => new ActionItemView(node, view, getPos),
    agenda_item: (node, view, getPos) => new AgendaItemView(node, view, getPos, options.agenda),
  }
}

/**
 * Applies a change of editability (lock, end, role) to the view and redraws the node views
 * whose controls depend on it (fresh node view constructors make ProseMirror redraw them).
 */
export function refreshEditable(view: EditorView, options: EditorOptions): void {
  view.setProps({ editable: () => options.editable(), nodeViews: nodeViews(options) })
}
