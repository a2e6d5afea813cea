/**
 * The local person: a name and a colour, remembered in this browser, published as the `user`
 * field of the awareness state (the field y-prosemirror's cursor plugin reads). Remote states are
 * validated before they are shown: they come from any peer.
 */
import { randomId } from '../random-id.ts'
export interface Identity {
  /** Stable id of this person in this browser; what authorship (Y.PermanentUserData) records. */
  id: string
  name: string
  /** Six-digit hex colour, e.g. `#1565c0` (the only format y-prosemirror's cursors accept). */
  color: string
}

/** Colours with at least 4.5:1 contrast against white for the name labels. */
export const palette = ['#1565c0', '#2e7d32', '#c62828', '#6a1b9a', '#ad1457', '#00695c', '#e65100', '#4e342e', '#283593', '#37474f']

const storageKey = 'summitpad.identity'
const colorPattern = /^#[0-9a-f]{6}$/i

/** The remembered identity, or null on a first visit. */
export function loadIdentity(): Identity | null {
  try {
    const parsed = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as unknown
    const identity = toIdentity(parsed)
    // Identities saved before authorship existed have no id: give them one, once.
    if (identity && !(parsed as { id?: unknown }).id) saveIdentity(identity)
    return identity
  } catch {
    return null
  }
}

export function saveIdentity(identity: Identity): void {
  localStorage.setItem(storageKey, JSON.stringify(identity))
}

/** A fresh suggestion for a first visit. */
export function suggestIdentity(): Identity {
  const bytes = crypto.getRandomValues(new Uint8Array(2))
  return { id: newIdentityId(), name: `Guest ${100 + (bytes[0]! % 900)}`, color: palette[bytes[1]! % palette.length]! }
}

/** Validates a remote awareness `user` field; returns null when it is not a usable identity. */
export function toIdentity(value: unknown): Identity | null {
  if (typeof value !== 'object' || value === null) return null
  const { id, name, color } = value as Record<string, unknown>
  if (typeof name !== 'string' || typeof color !== 'string') return null
  const trimmed = name.trim().slice(0, 60)
  if (!trimmed || !colorPattern.test(color)) return null
  return { id: typeof id === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(id) ? id : newIdentityId(), name: trimmed, color }
}

function newIdentityId(): string {
  return `u-${randomId()}`
}
