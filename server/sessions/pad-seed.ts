/**
 * The first update of every new pad: the design-session template (or an imported agenda)
 * converted to Yjs. Stored as the pad's first row when the session is created, so every client
 * starts from the same content instead of each inserting its own copy.
 */
import { prosemirrorJSONToYDoc } from 'y-prosemirror'
import * as Y from 'yjs'
import { padFragmentName, schema } from '../../shared/schema.ts'
import { fillEmptyTextblocks } from '../../shared/textblock-text.ts'
import type { PMJSON } from '../../shared/template.ts'
import type { Revision } from '../storage/doc-store.ts'

/** Encodes `doc` (ProseMirror JSON of the pad schema; checked) as one Yjs update for the pad fragment. */
export function encodePadSeed(doc: PMJSON): Uint8Array {
  const node = schema.nodeFromJSON(doc)
  node.check()
  const ydoc = prosemirrorJSONToYDoc(schema, node.toJSON(), padFragmentName)
  // One shared text per empty paragraph, so people who start typing there together never split
  // each other's sentences (shared/textblock-text.ts).
  fillEmptyTextblocks(ydoc.getXmlFragment(padFragmentName))
  const update = Y.encodeStateAsUpdate(ydoc)
  ydoc.destroy()
  return update
}

/**
 * The pad's first revision (reason `seed`): the seeded content as `encodePadSeed` made it, so a
 * pad always has a revision to restore, even before anyone edits. Store it with the seed.
 */
export function seedRevision(seed: Uint8Array, createdAt: number = Date.now()): Omit<Revision, 'rev'> {
  const ydoc = new Y.Doc({ gc: false })
  Y.applyUpdate(ydoc, seed)
  const snapshot = Y.encodeSnapshot(Y.snapshot(ydoc))
  ydoc.destroy()
  return { snapshot, authors: [], createdAt, reason: 'seed' }
}
