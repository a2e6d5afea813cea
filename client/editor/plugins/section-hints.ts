/**
 * Grey hints in the template's empty sections ("What should this session achieve?" under Goals),
 * so a blank pad tells the room what goes where. Decorations only: nothing is written to the doc.
 */
import type { Node as PMNode } from 'prosemirror-model'
import { Plugin, PluginKey } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'

const hints: Record<string, string> = {
  goals: 'What should this session achieve?',
  agenda: 'First agenda item',
  notes: 'Notes from the discussion',
  decisions: 'What did the room decide?',
  'action items': 'Who does what, by when?',
}

export const sectionHintsKey = new PluginKey<DecorationSet>('sectionHints')

function decorate(doc: PMNode): DecorationSet {
  const decorations: Decoration[] = []
  let hint: string | undefined
  doc.forEach((block, offset) => {
    if (block.type.name === 'heading') {
      hint = hints[block.textContent.trim().toLowerCase()]
      return
    }
    if (hint && block.textContent === '') {
      // The first empty textblock of the section's first block (a paragraph, or a list's only item).
      let placed = false
      block.descendants((node, pos) => {
        if (placed) return false
        if (node.isTextblock && node.content.size === 0) {
          const from = offset + 1 + pos
          decorations.push(Decoration.node(from, from + node.nodeSize, { class: 'section-hint', 'data-hint': hint }))
          placed = true
        }
        return true
      })
      if (block.isTextblock && block.content.size === 0) {
        decorations.push(Decoration.node(offset, offset + block.nodeSize, { class: 'section-hint', 'data-hint': hint }))
      }
    }
    hint = undefined
  })
  return DecorationSet.create(doc, decorations)
}

export function sectionHints(): Plugin<DecorationSet> {
  return new Plugin({
    key: sectionHintsKey,
    state: {
      init: (_, state) => decorate(state.doc),
      apply: (tr, set) => (tr.docChanged ? decorate(tr.doc) : set),
    },
    props: {
      decorations: (state) => sectionHintsKey.getState(state),
    },
  })
}
