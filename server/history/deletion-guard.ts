/**
 * The safety net against accidents (select all, delete): it watches a pad's live Y.Doc, and when
 * a client's change deletes more than a fifth of the pad's text, hands over the snapshot of the
 * pad as it was just before that change, so it can be saved as a revision and restored in one step.
 *
 * The snapshot costs nothing until a large deletion happens: every transaction only sums the
 * characters it deleted; the pad's text is measured, and the snapshot built, only when a change
 * deleted at least `minChars`.
 */
import * as Y from 'yjs'
import { isUpdateOrigin } from '../sync/origin.ts'
import { padFragmentName } from '../../shared/schema.ts'

export interface DeletionGuardOptions {
  /** Share of the text a change must delete to count as large. @default 0.2 */
  share?: number
  /** Deletions shorter than this never count (a typo fixed in a tiny pad). @default 20 */
  minChars?: number
}

/**
 * Watches `ydoc` (a pad's live doc); calls `onLargeDeletion(before)` after each change a client
 * made that deleted more than `share` of the text, with the snapshot of the doc just before it.
 * Returns a function that stops watching.
 */
export function watchDeletions(ydoc: Y.Doc, onLargeDeletion: (before: Y.Snapshot) => void, options: DeletionGuardOptions = {}): () => void {
  const share = options.share ?? 0.2
  const minChars = options.minChars ?? 20
  const handler = (tr: Y.Transaction) => {
    if (!isUpdateOrigin(tr.origin) || tr.origin.kind !== 'connection' || tr.deleteSet.clients.size === 0) return
    let deleted = 0
    Y.iterateDeletedStructs(tr, tr.deleteSet, (struct) => {
      if (struct instanceof Y.Item && struct.content instanceof Y.ContentString && !isNew(tr, struct)) deleted += struct.length
    })
    if (deleted < minChars) return
    const before = textLength(ydoc.getXmlFragment(padFragmentName)) + deleted
    if (deleted <= before * share) return
    onLargeDeletion(Y.createSnapshot(withoutRanges(Y.createDeleteSetFromStructStore(ydoc.store), tr.deleteSet), tr.beforeState))
  }
  ydoc.on('afterTransaction', handler)
  return () => ydoc.off('afterTransaction', handler)
}

/** True when `item` was inserted by `tr` itself (then its deletion took nothing that was there). */
function isNew(tr: Y.Transaction, item: Y.Item): boolean {
  return item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0)
}

/** Characters of text (not deleted) under `type`. */
function textLength(type: Y.XmlFragment | Y.XmlElement): number {
  let length = 0
  for (const child of type.toArray()) {
    if (child instanceof Y.XmlText) length += child.length
    else if (child instanceof Y.XmlElement) length += textLength(child)
  }
  return length
}

type DeleteSet = ReturnType<typeof Y.createDeleteSet>

interface Range {
  clock: number
  len: number
}

/** `full` without the ranges of `removed`: the delete set before the deletions of `removed`. */
function withoutRanges(full: DeleteSet, removed: DeleteSet): DeleteSet {
  const result = Y.createDeleteSet()
  for (const [client, ranges] of full.clients as Map<number, Range[]>) {
    const cuts = [...((removed.clients as Map<number, Range[]>).get(client) ?? [])].sort((a, b) => a.clock - b.clock)
    const kept: Range[] = []
    for (const { clock, len } of ranges) {
      let start = clock
      const end = clock + len
      for (const cut of cuts) {
        const cutEnd = cut.clock + cut.len
        if (cutEnd <= start || cut.clock >= end) continue
        if (cut.clock > start) kept.push({ clock: start, len: cut.clock - start })
        start = Math.max(start, cutEnd)
      }
      if (start < end) kept.push({ clock: start, len: end - start })
    }
    // reason: a DeleteSet's ranges are DeleteItems ({ clock, len }), a class Yjs does not export.
    if (kept.length > 0) (result.clients as Map<number, Range[]>).set(client, kept)
  }
  return result
}
