/**
 * The first revision of a new pad, made from its seed (yjs only: no editor model, so the path that
 * stores a session does not load one).
 */
import * as Y from 'yjs'
import type { Revision } from '../storage/doc-store.ts'

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
