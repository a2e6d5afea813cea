/**
 * Session ids and doc names. A session id is 1-64 characters of `a-z`, `0-9` and `-`, starting
 * with a letter or digit: safe in URLs, file names and log lines. A doc name is `<id>` (the pad),
 * `<id>/control` (the session's control doc) or `<id>/chat` (the session's chat).
 */

export const sessionIdPattern = /^[a-z0-9][a-z0-9-]{0,63}$/

/** True when `id` is a well-formed session id. */
export function isSessionId(id: string): boolean {
  return sessionIdPattern.test(id)
}

/** The kinds of doc a session has. */
export type DocKind = 'pad' | 'control' | 'chat'

export interface DocName {
  sessionId: string
  kind: DocKind
}

/** Parses a doc name; returns null when it is not `<id>`, `<id>/control` or `<id>/chat`. */
export function parseDocName(name: string): DocName | null {
  const [sessionId, kind, ...rest] = name.split('/')
  if (sessionId === undefined || rest.length > 0 || !isSessionId(sessionId)) return null
  if (kind === undefined) return { sessionId, kind: 'pad' }
  if (kind === 'control' || kind === 'chat') return { sessionId, kind }
  return null
}

/** Formats a doc name; the inverse of `parseDocName`. */
export function formatDocName({ sessionId, kind }: DocName): string {
  return kind === 'pad' ? sessionId : `${sessionId}/${kind}`
}

// No 0/o, 1/l/i: ids are read aloud and typed from projector screens.
const idAlphabet = 'abcdefghjkmnpqrstuvwxyz23456789'

/** A fresh random session id of `length` characters (default 10, about 49 bits). */
export function randomSessionId(length = 10): string {
  const bytes = new Uint8Array(length)
  crypto.getRandomValues(bytes)
  let id = ''
  for (const byte of bytes) id += idAlphabet[byte % idAlphabet.length]
  return id
}
