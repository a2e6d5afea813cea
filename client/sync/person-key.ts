/**
 * This browser's person key (issue 20 part 4): a random secret kept in localStorage beside the
 * identity. `/api/me` takes `<identity id>.<person key>`; the server keeps hashes of each
 * person's keys, so the identity id alone (which every pad shows) never opens someone's summit.
 */
import { randomId } from '../random-id.ts'
import { loadIdentity, saveIdentity, suggestIdentity, type Identity } from './presence.ts'

const storageKey = 'summitpad.personKey'

/** The identity, made and remembered now when this browser has none yet. */
export function ensureIdentity(): Identity {
  const known = loadIdentity()
  if (known) return known
  const fresh = suggestIdentity()
  saveIdentity(fresh)
  return fresh
}

/** This browser's person key, made on first use. */
export function personKey(): string {
  let key = localStorage.getItem(storageKey)
  if (!key || !/^[A-Za-z0-9_-]{20,128}$/.test(key)) {
    key = randomId(24)
    localStorage.setItem(storageKey, key)
  }
  return key
}

/** `<identity id>.<person key>`, the credential of `/api/me`. */
export function personCredential(): string {
  return `${ensureIdentity().id}.${personKey()}`
}

/** Takes on an identity carried from another device, with the key the server made for this browser. */
export function adoptIdentity(identity: Identity, key: string): void {
  saveIdentity(identity)
  localStorage.setItem(storageKey, key)
}
