/**
 * Every empty textblock of a pad (paragraph, heading, Decision, Action...) holds one empty
 * Y.XmlText, so that people who start typing in it at the same moment write into one text
 * (issue 16, part 1).
 *
 * y-prosemirror stores an empty paragraph as an XmlElement with no children and creates its
 * XmlText on the first keystroke. When two people type the first characters of an empty
 * paragraph concurrently, each creates their own XmlText; y-prosemirror then moves one person's
 * characters into the other's text (its fix for duplicated text, y-prosemirror#160). The moved
 * characters are new inserts at the end of the other person's run while that person keeps
 * typing there, so one of the two sentences is split. With one shared XmlText, each person's
 * characters form their own chain from the first keystroke and no run is ever moved.
 *
 * Isomorphic (Yjs only): the server fills the seed and restored content, the editor fills what
 * its own edits leave empty (a new paragraph from Enter, a paragraph whose text was deleted).
 */
import * as Y from 'yjs'
import { schema } from './schema.ts'

/** True for an element of a textblock node type (inline content) that has no child at all. */
export function isBareTextblock(element: Y.XmlElement): boolean {
  return element.length === 0 && schema.nodes[element.nodeName]?.isTextblock === true
}

/**
 * Gives every bare textblock under `root` an empty XmlText. Call inside a transaction when
 * several are filled at once. Returns how many were filled.
 */
export function fillEmptyTextblocks(root: Y.XmlFragment | Y.XmlElement): number {
  let filled = 0
  for (const child of root.toArray()) {
    if (!(child instanceof Y.XmlElement)) continue
    if (isBareTextblock(child)) {
      child.insert(0, [new Y.XmlText()])
      filled++
    } else {
      filled += fillEmptyTextblocks(child)
    }
  }
  return filled
}

/**
 * The bare textblocks that `tr` created or emptied under `fragment`: changed types that are bare,
 * their bare children, and everything inside elements it created. Cost is proportional to what
 * changed.
 */
export function bareTextblocksAfter(tr: Y.Transaction, fragment: Y.XmlFragment): Y.XmlElement[] {
  const found: Y.XmlElement[] = []
  const isNew = (type: Y.XmlElement) => {
    const item = type._item
    return item !== null && item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0)
  }
  const visit = (parent: Y.XmlFragment | Y.XmlElement, deep: boolean) => {
    for (const child of parent.toArray()) {
      if (!(child instanceof Y.XmlElement)) continue
      if (isBareTextblock(child)) found.push(child)
      else if (deep || isNew(child)) visit(child, true)
    }
  }
  for (const type of tr.changed.keys()) {
    if (!(type instanceof Y.XmlElement || type instanceof Y.XmlFragment)) continue
    if (type._item?.deleted) continue
    if (type !== fragment && !isInside(type, fragment)) continue
    // A textblock whose last child was deleted is itself bare.
    if (type instanceof Y.XmlElement && isBareTextblock(type)) found.push(type)
    else visit(type, false)
  }
  return found
}

function isInside(type: Y.XmlElement | Y.XmlFragment, fragment: Y.XmlFragment): boolean {
  for (let item = type._item; item !== null; ) {
    // reason: Item.parent is typed `AbstractType | ID | null`; an integrated item's parent is its type.
    const parent = item.parent as Y.AbstractType<unknown>
    if (parent === fragment) return true
    item = parent._item
  }
  return false
}

/**
 * Keeps this doc's own edits of `fragment` from leaving a bare textblock: after every local
 * transaction whose origin is in `origins` (y-prosemirror's binding), fills what it left bare in
 * a follow-up transaction with the same origin (so collaborative undo takes both together).
 * Returns the function that stops it.
 */
export function keepTextInEmptyTextblocks(fragment: Y.XmlFragment, origins: ReadonlySet<unknown>): () => void {
  const ydoc = fragment.doc
  if (!ydoc) throw new RangeError('keepTextInEmptyTextblocks: the fragment is not in a Y.Doc')
  const onAfterTransaction = (tr: Y.Transaction) => {
    if (!tr.local || !origins.has(tr.origin)) return
    const bare = bareTextblocksAfter(tr, fragment)
    if (bare.length === 0) return
    // A transaction started in an observer runs right after this one, before the update is sent.
    ydoc.transact(() => {
      for (const element of bare) if (isBareTextblock(element) && !element._item?.deleted) element.insert(0, [new Y.XmlText()])
    }, tr.origin)
  }
  ydoc.on('afterTransaction', onAfterTransaction)
  return () => ydoc.off('afterTransaction', onAfterTransaction)
}
