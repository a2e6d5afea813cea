/**
 * Creates the pad's ProseMirror EditorView bound to a Y.XmlFragment: y-prosemirror's sync plugin
 * (the doc is the shared fragment), remote cursors from awareness, collaborative undo, the
 * keymap and the input rules.
 */
import { EditorState, type Plugin } from 'prosemirror-state'
import { EditorView } from 'prosemirror-view'
import type { Awareness } from 'y-protocols/awareness'
import { ySyncPlugin, yUndoPlugin } from 'y-prosemirror'
import type * as Y from 'yjs'
import { schema } from '../../shared/schema.ts'
import { editorInputRules } from './input-rules.ts'
import { editorKeymaps } from './keymap.ts'
import { remoteCursors } from './plugins/remote-cursors.ts'
import { sectionHints } from './plugins/section-hints.ts'
import { TaskItemView } from './plugins/task-item-view.ts'

export interface EditorOptions {
  fragment: Y.XmlFragment
  awareness: Awareness
  /** Called after every state change (toolbar refresh). */
  onChange?: (view: EditorView) => void
  extraPlugins?: Plugin[]
}

export function createEditor(place: HTMLElement, options: EditorOptions): EditorView {
  const state = EditorState.create({
    schema,
    plugins: [
      ySyncPlugin(options.fragment),
      remoteCursors(options.awareness),
      yUndoPlugin(),
      editorInputRules(),
      sectionHints(),
      ...editorKeymaps(),
      ...(options.extraPlugins ?? []),
    ],
  })
  return new EditorView(place, {
    state,
    nodeViews: {
      task_item: (node, view, getPos) => new TaskItemView(node, view, getPos),
    },
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
