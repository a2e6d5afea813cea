/**
 * Y.Docs the server makes for a moment (a copy to change, to compact, to check, a revision to
 * compare) and for its rooms, each with a cheap guid. Yjs draws a random UUID for a doc without
 * one: 31 calls into the system's random source (lib0 `uuidv4`, one `getRandomValues` per hex
 * digit), a measurable part of a room's load and of each server change when a thousand rooms open
 * in a minute (issue 21). A guid only names subdocuments, which summitpad's docs do not have.
 */
import * as Y from 'yjs'

let docs = 0

/** A guid unique in this process. */
export function nextGuid(prefix = 'doc'): string {
  docs++
  return `${prefix}-${docs}`
}

/**
 * An empty doc with a cheap guid. It keeps its history (gc off, as every summitpad doc) unless
 * `gc` is true, as for a doc rebuilt from a snapshot only to be read (`Y.createDocFromSnapshot`).
 */
export function scratchDoc(gc = false): Y.Doc {
  return new Y.Doc({ gc, guid: nextGuid('scratch') })
}
