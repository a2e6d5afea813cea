/**
 * For the projector (issue 19): empty template placeholders — a bare "1.", a lone bullet, an
 * empty checkbox or action — carry the class `empty-placeholder` (hidden by CSS), and so does a
 * list whose items are all empty. Decorations only: the pad itself is untouched.
 */
import type { Node as PMNode } from 'prosemirror-model'
import { Plugin, PluginKey } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'

export const hideEmptyKey = new PluginKey<DecorationSet>('hide-empty')

const items = new Set(['list_item', 'task_item', 'agenda_item', 'action_item', 'decision'])
const lists = new Set(['bullet_list', 'ordered_list', 'task_list', 'agenda_list'])

/** True when `node` holds no text and no non-text leaf (an image, a hard break between words). */
const isBlank = (node: PMNode) => node.textContent.trim() === ''

function decorations(doc: PMNode): DecorationSet {
  const found: Decoration[] = []
  doc.descendants((node, pos) => {
    if ((items.has(node.type.name) || lists.has(node.type.name)) && isBlank(node)) {
      found.push(Decoration.node(pos, pos + node.nodeSize, { class: 'empty-placeholder' }))
      return false
    }
    return true
  })
  return DecorationSet.create(doc, found)
}

export function hideEmptyPlaceholders(): Plugin<DecorationSet> {
  return new Plugin<DecorationSet>({
    key: hideEmptyKey,
    state: {
      init: (_, state) => decorations(state.doc),
      apply: (tr, set) => (tr.docChanged ? decorations(tr.doc) : set),
    },
    props: { decorations: (state) => hideEmptyKey.getState(state) },
  })
}
