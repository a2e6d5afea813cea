/**
 * The first update of every new pad: the design-session template (or an imported agenda)
 * converted to Yjs. Stored as the pad's first row when the session is created, so every client
 * starts from the same content instead of each inserting its own copy.
 *
 * The main thread loads this module (and with it y-prosemirror, prosemirror-view and the rest of
 * the editor's model) with the first session it creates, not at start; the seed's revision is in
 * `seed-revision.ts`, which needs Yjs only.
 */
import { prosemirrorJSONToYDoc } from 'y-prosemirror'
import * as Y from 'yjs'
import { padFragmentName, schema } from '../../shared/schema.ts'
import { fillEmptyTextblocks } from '../../shared/textblock-text.ts'
import type { PMJSON } from '../../shared/template.ts'

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
