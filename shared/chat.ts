/**
 * The session chat (`<id>/chat`): one Y.Array named `messages` of plain objects, appended by
 * clients. The server checks who may write (see `canWrite`) but not what is written, so every
 * reader (the browser, the archiver) passes each entry through `toChatMessage` and drops the ones
 * that are not well-formed messages: they may come from any editor's hand-made client.
 */

/** The name of the Y.Array in a chat doc. */
export const chatArrayName = 'messages'

/** Longest message text, in UTF-16 code units. @default 2000 */
export const maxChatTextLength = 2000
/** Longest author name (as for presence names). @default 60 */
export const maxChatNameLength = 60

/** One chat message as stored in the Y.Array and in the archive record. */
export interface ChatMessage {
  /** Random, unique per message. */
  id: string
  /** Stable id of the author's browser (not a secret, not a role). */
  authorId: string
  name: string
  /** `#rrggbb`. */
  color: string
  /** 1 to `maxChatTextLength` characters, not only whitespace. */
  text: string
  /** ms since the epoch, set by the posting client (its estimate of the server clock). */
  time: number
}

const idPattern = /^[A-Za-z0-9_-]{1,64}$/
const colorPattern = /^#[0-9a-f]{6}$/i

/**
 * `value` as a ChatMessage, or null when it is not one: every field present with its type, ids
 * of 1-64 URL-safe characters, a `#rrggbb` colour, a non-blank name (trimmed, cut to 60) and
 * text (at most 2000 characters), a finite non-negative time. Unknown extra fields are dropped.
 */
export function toChatMessage(value: unknown): ChatMessage | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const { id, authorId, name, color, text, time } = value as Record<string, unknown>
  if (typeof id !== 'string' || !idPattern.test(id)) return null
  if (typeof authorId !== 'string' || !idPattern.test(authorId)) return null
  if (typeof name !== 'string' || typeof color !== 'string' || !colorPattern.test(color)) return null
  if (typeof text !== 'string' || text.length > maxChatTextLength || text.trim() === '') return null
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) return null
  const trimmedName = name.trim().slice(0, maxChatNameLength)
  if (!trimmedName) return null
  return { id, authorId, name: trimmedName, color, text, time }
}

/** The well-formed messages among `values`, in their order; the rest are dropped. */
export function toChatMessages(values: readonly unknown[]): ChatMessage[] {
  const messages: ChatMessage[] = []
  for (const value of values) {
    const message = toChatMessage(value)
    if (message) messages.push(message)
  }
  return messages
}

/** A run of a message's text: plain text, or an http(s) URL to show as a link. */
export type ChatSegment = { type: 'text'; text: string } | { type: 'link'; text: string; url: string }

// A URL runs to the next whitespace or character that cannot be in one unescaped; punctuation at
// its end ("see https://x.org/a.") usually belongs to the sentence, so it is left out.
const urlPattern = /\bhttps?:\/\/[^\s<>"'`]+/gi
const trailingPunctuation = /[.,;:!?)\]}*_~]+$/

/**
 * Splits `text` into plain runs and http(s) URLs, in order; concatenating every segment's `text`
 * gives `text` back. Pure string work: the caller builds the DOM (with `textContent`) and still
 * passes each `url` through `safeHref`.
 */
export function chatSegments(text: string): ChatSegment[] {
  const segments: ChatSegment[] = []
  let last = 0
  for (const match of text.matchAll(urlPattern)) {
    let url = match[0]
    // Keep a closing parenthesis that closes one opened inside the URL (Wikipedia links).
    const trail = trailingPunctuation.exec(url)?.[0] ?? ''
    let cut = trail.length
    if (trail.startsWith(')') && countOf(url.slice(0, -trail.length), '(') > countOf(url.slice(0, -trail.length), ')')) cut = trail.length - 1
    if (cut > 0) url = url.slice(0, -cut)
    if (!/^https?:\/\/[^/?#]/i.test(url)) continue
    const start = match.index
    if (start > last) segments.push({ type: 'text', text: text.slice(last, start) })
    segments.push({ type: 'link', text: url, url })
    last = start + url.length
  }
  if (last < text.length) segments.push({ type: 'text', text: text.slice(last) })
  return segments
}

function countOf(text: string, char: string): number {
  let count = 0
  for (const c of text) if (c === char) count++
  return count
}
