/**
 * Authorship in the pad's Y.Doc: Y.PermanentUserData maps this browser's Yjs client ids to the
 * person's stable id (so a reload or reconnect with a new client id is still the same author),
 * and the `authors` map holds that person's name and colour for everyone to show.
 */
import * as Y from 'yjs'
import type { Identity } from './presence.ts'

export const authorsMapName = 'authors'

export interface AuthorInfo {
  name: string
  color: string
}

/** Reads a person's name and colour from the doc; null when unknown or malformed. */
export function authorInfo(ydoc: Y.Doc, personId: string | null): AuthorInfo | null {
  if (!personId) return null
  const entry = ydoc.getMap<unknown>(authorsMapName).get(personId) as { name?: unknown; color?: unknown } | undefined
  if (typeof entry?.name !== 'string' || typeof entry.color !== 'string' || !/^#[0-9a-f]{6}$/i.test(entry.color)) return null
  return { name: entry.name.slice(0, 60), color: entry.color }
}

/**
 * The doc's PermanentUserData, created once per doc. Call `claim` only when this person may
 * write the pad: it writes the mapping into the doc.
 */
export class Authorship {
  readonly pud: Y.PermanentUserData
  private claimed = false

  constructor(readonly ydoc: Y.Doc) {
    this.pud = new Y.PermanentUserData(ydoc)
  }

  /** Records that this browser's client id writes as `identity`, and its name and colour. */
  claim(identity: Identity): void {
    if (!this.claimed) {
      this.pud.setUserMapping(this.ydoc, this.ydoc.clientID, identity.id)
      this.claimed = true
    }
    const current = authorInfo(this.ydoc, identity.id)
    if (current?.name !== identity.name || current.color !== identity.color) {
      this.ydoc.getMap(authorsMapName).set(identity.id, { name: identity.name, color: identity.color })
    }
  }

  /** The person who inserted the item with this client id, or null. */
  personOf(client: number): string | null {
    return this.pud.getUserByClientId(client) ?? null
  }
}
