/**
 * Authorship colours: when switched on, every run of text is tinted with its author's colour (a
 * light tint, so the text keeps its contrast) and names its author on hover. The runs come from
 * the Y.XmlFragment: each inserted string item belongs to a Yjs client id, which
 * PermanentUserData maps to a person. Y is walked in document order alongside ProseMirror
 * positions; a run is only drawn where the editor's text matches the item's text, so a moment
 * of lag between the two never paints the wrong characters.
 */
import type { Node as PMNode } from 'prosemirror-model'
import { Plugin, PluginKey, type EditorState, type Transaction } from 'prosemirror-state'
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view'
import * as Y from 'yjs'
import { schema } from '../../../shared/schema.ts'
import { authorInfo, type Authorship } from '../../sync/authorship.ts'

interface AuthorshipState {
  on: boolean
  set: DecorationSet
}

export const authorshipKey = new PluginKey<AuthorshipState>('authorshipColors')

interface Run {
  from: number
  to: number
  text: string
  person: string
}

/** Runs of text by person, in ProseMirror positions of the fragment's doc. */
export function authorRuns(fragment: Y.XmlFragment, personOf: (client: number) => string | null): Run[] {
  const runs: Run[] = []
  const walk = (parent: Y.XmlFragment | Y.XmlElement, start: number): number => {
    let pos = start
    for (const child of parent.toArray()) {
      if (child instanceof Y.XmlText) {
        // reason: Yjs exposes the item list of a type only through the internal `_start` field.
        let item = (child as unknown as { _start: Y.Item | null })._start
        while (item) {
          if (!item.deleted && item.countable) {
            if (item.content instanceof Y.ContentString) {
              const person = personOf(item.id.client)
              const text = item.content.str
              const last = runs.at(-1)
              if (person && last && last.person === person && last.to === pos) {
                last.to += text.length
                last.text += text
              } else if (person) {
                runs.push({ from: pos, to: pos + text.length, text, person })
              }
            }
            pos += item.length
          }
          item = item.right
        }
      } else if (child instanceof Y.XmlElement) {
        pos = schema.nodes[child.nodeName]?.isLeaf ? pos + 1 : walk(child, pos + 1) + 1
      }
    }
    return pos
  }
  walk(fragment, 0)
  return runs
}

function decorate(doc: PMNode, authorship: Authorship, fragment: Y.XmlFragment): DecorationSet {
  const decorations: Decoration[] = []
  for (const run of authorRuns(fragment, (client) => authorship.personOf(client))) {
    if (run.to > doc.content.size || doc.textBetween(run.from, run.to, '\u0000', '\u0000') !== run.text) continue
    const author = authorInfo(authorship.ydoc, run.person)
    if (!author) continue
    decorations.push(
      Decoration.inline(run.from, run.to, {
        class: 'authored',
        title: author.name,
        'data-author': author.name,
        style: `background-color: ${author.color}2e; box-shadow: inset 0 -2px 0 ${author.color}80`,
      }),
    )
  }
  return DecorationSet.create(doc, decorations)
}

/** Switches authorship colours on or off in `view`. */
export function setAuthorshipColors(view: EditorView, on: boolean): void {
  view.dispatch(view.state.tr.setMeta(authorshipKey, { on }))
}

export function authorshipColors(authorship: Authorship, fragment: Y.XmlFragment, initiallyOn: boolean): Plugin<AuthorshipState> {
  let scheduled = false
  const schedule = (view: EditorView) => {
    if (scheduled) return
    scheduled = true
    requestAnimationFrame(() => {
      scheduled = false
      if (!view.isDestroyed && authorshipKey.getState(view.state)?.on) {
        view.dispatch(view.state.tr.setMeta(authorshipKey, { set: decorate(view.state.doc, authorship, fragment) }))
      }
    })
  }
  return new Plugin<AuthorshipState>({
    key: authorshipKey,
    state: {
      init: () => ({ on: initiallyOn, set: DecorationSet.empty }),
      apply(tr: Transaction, value: AuthorshipState, _old: EditorState, state: EditorState): AuthorshipState {
        const meta = tr.getMeta(authorshipKey) as { on?: boolean; set?: DecorationSet } | undefined
        const on = meta?.on ?? value.on
        if (!on) return { on, set: DecorationSet.empty }
        if (meta?.set) return { on, set: meta.set }
        return { on, set: value.set.map(tr.mapping, state.doc) }
      },
    },
    props: {
      decorations: (state) => authorshipKey.getState(state)?.set,
    },
    view(view) {
      // Y changes the plugin sees no transaction for (the authors map) also trigger a redraw.
      const onYChange = () => schedule(view)
      authorship.ydoc.on('afterTransaction', onYChange)
      schedule(view)
      return {
        update: (updated, previous) => {
          const before = authorshipKey.getState(previous)
          const now = authorshipKey.getState(updated.state)
          if (now?.on && (updated.state.doc !== previous.doc || !before?.on)) schedule(updated)
        },
        destroy: () => authorship.ydoc.off('afterTransaction', onYChange),
      }
    },
  })
}
