/**
 * The control doc (`<id>/control`): the session's live state as every screen sees it, written
 * only by the server. One Y.Map named `control` holds `state`, `startedAt`, `endsAt`, `endedAt`
 * (ms since the epoch, server clock), `locked`, `currentItem`, `durationMinutes` and
 * `projectorChat` (the projector shows the chat). Pure functions over a Y.Doc.
 */
import * as Y from 'yjs'
import type { Session } from '../../shared/api.ts'

export const controlMapName = 'control'

const toMs = (iso: string | null) => (iso === null ? null : Date.parse(iso))

/** Writes the live fields of `session` into the control doc. */
export function writeControl(ydoc: Y.Doc, session: Session): void {
  const map = ydoc.getMap(controlMapName)
  ydoc.transact(() => {
    const next: Record<string, unknown> = {
      state: session.state,
      startedAt: toMs(session.startedAt),
      endsAt: toMs(session.endsAt),
      endedAt: toMs(session.endedAt),
      locked: session.locked,
      currentItem: session.currentItem,
      durationMinutes: session.durationMinutes,
      projectorChat: session.projectorChat,
    }
    for (const [key, value] of Object.entries(next)) {
      if (map.get(key) !== value) map.set(key, value)
    }
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
