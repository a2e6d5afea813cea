/**
 * Builders for pad content as Yjs types, in the shape y-prosemirror writes them (an XmlElement
 * per node, an XmlText per text run), like prosemirror-test-builder's `doc(p("…"))`:
 *
 *   const ydoc = padDoc(h(2, 'Goals'), p('ship it'))
 */
import * as Y from 'yjs'
import { padFragmentName } from '../../shared/schema.ts'

/** A paragraph holding `text` (an empty paragraph when `text` is empty). */
export function p(text = ''): Y.XmlElement {
  const element = new Y.XmlElement('paragraph')
  if (text) element.insert(0, [new Y.XmlText(text)])
  return element
}

/** A heading of `level` holding `text`. */
export function h(level: number, text: string): Y.XmlElement {
  const element = new Y.XmlElement('heading')
  // y-prosemirror stores attributes with their JSON types; Yjs types them as strings by default.
  ;(element as unknown as Y.XmlElement<{ level: number }>).setAttribute('level', level)
  element.insert(0, [new Y.XmlText(text)])
  return element
}

/** A new Y.Doc (history kept, as the server keeps it) whose pad fragment holds `blocks`. */
export function padDoc(...blocks: Y.XmlElement[]): Y.Doc {
  const ydoc = new Y.Doc({ gc: false })
  ydoc.getXmlFragment(padFragmentName).insert(0, blocks)
  return ydoc
}

/** The whole state of `padDoc(...blocks)` as one update. */
export function padUpdate(...blocks: Y.XmlElement[]): Uint8Array {
  const ydoc = padDoc(...blocks)
  const update = Y.encodeStateAsUpdate(ydoc)
  ydoc.destroy()
  return update
}

/** The pad fragment of `ydoc` as XML text, for comparisons. */
export function padText(ydoc: Y.Doc): string {
  return ydoc.getXmlFragment(padFragmentName).toString()
}

/** A Y.Doc holding `update` (history kept). */
export function docFromUpdate(update: Uint8Array): Y.Doc {
  const ydoc = new Y.Doc({ gc: false })
  Y.applyUpdate(ydoc, update)
  return ydoc
}
