/**
 * The first update of every new pad: the design-session template converted to Yjs. Stored as the
 * pad's first row when the session is created, so every client starts from the same template
 * instead of each inserting its own copy.
 */
import { prosemirrorJSONToYDoc } from 'y-prosemirror'
import * as Y from 'yjs'
import { padFragmentName, schema } from '../../shared/schema.ts'
import { sessionTemplateNode, type TemplateOptions } from '../../shared/template.ts'

/** Encodes the template as one Yjs update for the pad fragment. */
export function encodePadSeed(options: TemplateOptions): Uint8Array {
  const ydoc = prosemirrorJSONToYDoc(schema, sessionTemplateNode(options).toJSON(), padFragmentName)
  const update = Y.encodeStateAsUpdate(ydoc)
  ydoc.destroy()
  return update
}
