/**
 * Writing the control doc (`<id>/control`, see `shared/control-state.ts`), which only the server
 * does. Pure functions over a Y.Doc.
 */
import * as Y from 'yjs'
import type { Session } from '../../shared/api.ts'
import { controlMapName, controlStateOf, currentSinceKey } from '../../shared/control-state.ts'

/**
 * Writes the live fields of `session` into the control doc; with `currentSince` (ms), also when
 * its current agenda item became current.
 */
export function writeControl(ydoc: Y.Doc, session: Session, currentSince?: number): void {
  const map = ydoc.getMap(controlMapName)
  ydoc.transact(() => {
    for (const [key, value] of Object.entries(controlStateOf(session))) {
      if (map.get(key) !== value) map.set(key, value)
    }
    if (currentSince !== undefined) map.set(currentSinceKey, currentSince)
  })
}

/** The first update of a new session's control doc. */
export function encodeControlSeed(session: Session): Uint8Array {
  const ydoc = new Y.Doc()
  writeControl(ydoc, session)
  const update = Y.encodeStateAsUpdate(ydoc)
  ydoc.destroy()
  return update
}
