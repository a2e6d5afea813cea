/**
 * The capability secret of a link: it rides in the URL fragment (`/s/<id>#key=...`), which
 * browsers never send to the server or in Referer headers. The pad remembers it per session in
 * this browser, so reopening `/s/<id>` keeps the role the link gave.
 */

const storageKey = (sessionId: string) => `summitpad.key.${sessionId}`

/** Reads `name` from the URL fragment (`#key=...&join=...`). */
export function fragmentParam(name: string): string | null {
  return new URLSearchParams(location.hash.slice(1)).get(name)
}

/** The secret for `sessionId`: from the fragment (remembered), else the remembered one, else null. */
export function linkKey(sessionId: string): string | null {
  const fromLink = fragmentParam('key')
  if (fromLink) {
    localStorage.setItem(storageKey(sessionId), fromLink)
    return fromLink
  }
  return localStorage.getItem(storageKey(sessionId))
}

/** Forgets a secret the server refused. */
export function forgetLinkKey(sessionId: string): void {
  localStorage.removeItem(storageKey(sessionId))
}
