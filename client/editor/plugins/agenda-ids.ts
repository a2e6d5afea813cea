/**
 * Gives every agenda item a unique `id` (new items from Enter or paste arrive without one, or with
 * a copy of another's). The moderator's "current item" refers to these ids. Runs only for changes
 * made in this browser, so peers do not race to name the same item.
 */
import { Plugin } from 'prosemirror-state'
import { randomId } from '../../random-id.ts'
import { ySyncPluginKey } from 'y-prosemirror'
import { schema } from '../../../shared/schema.ts'

function newId(): string {
  return `item-${randomId(4)}`
}

export function agendaIds(): Plugin {
  return new Plugin({
    appendTransaction(transactions, _old, state) {
      const local = transactions.some((tr) => tr.docChanged && !(tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined)?.isChangeOrigin)
      if (!local) return null
      const seen = new Set<string>()
      const tr = state.tr
      state.doc.descendants((node, pos) => {
        if (node.type !== schema.nodes.agenda_item) return true
        const id = node.attrs.id as string | null
        if (!id || seen.has(id)) {
          const fresh = newId()
          tr.setNodeAttribute(pos, 'id', fresh)
          seen.add(fresh)
        } else {
          seen.add(id)
        }
        return true
      })
      return tr.docChanged ? tr : null
    },
  })
}
