/**
 * Search snippets built from a bounded window of a pad's text (issue 15: FTS5 `snippet()` and
 * `ts_headline` cost grows with the square of the matches; 82 s for one 400 KB pad). The store
 * returns at most {@link snippetWindowChars} characters around the first match of the first
 * query word; this module marks the query's words in it and cuts a short snippet: linear in the
 * window, whatever the pad's size. A snippet is plain prose (issue 19): the text export's layout
 * (heading underlines, list and checkbox markers) is taken out, lines are joined.
 */
import { snippetEnd, snippetStart } from '../../shared/snippet-marks.ts'

/** Characters of pad text a store returns per hit for its snippet. @default 480 */
export const snippetWindowChars = 480
/** Characters before the first match at which the store's window starts. @default 160 */
export const snippetLeadChars = 160
/** Longest snippet, in characters of text (markers not counted). @default 200 */
export const maxSnippetChars = 200

/**
 * The snippet of one hit: the text of `window` (which starts `windowStart` characters, 0-based,
 * into the pad text) around the first match of `words` (lower-case letters and digits; the last
 * matched as a prefix), every match within it between `snippetStart` and `snippetEnd`, white
 * space collapsed, `…` where text was cut; see {@link plainWindow} for what is taken out.
 */
export function searchSnippet(window: string, windowStart: number, words: string[]): string {
  const text = plainWindow(window, windowStart)
  const pattern = matcher(words)
  const first = pattern ? text.search(pattern) : -1
  let start = first < 0 ? 0 : Math.max(0, first - 60)
  // Start at a word: skip the partial word the cut landed in.
  if (start > 0) start = text.indexOf(' ', start) + 1 || start
  let end = Math.min(text.length, start + maxSnippetChars)
  if (end < text.length) end = text.lastIndexOf(' ', end) > start ? text.lastIndexOf(' ', end) : end
  const piece = text.slice(start, end).trim()
  const marked = pattern ? piece.replace(pattern, (match) => `${snippetStart}${match}${snippetEnd}`) : piece
  return `${windowStart + start > 0 ? '…' : ''}${marked}${end < text.length || window.length >= snippetWindowChars ? '…' : ''}`
}

/** The labels of the text export's metadata lines (`shared/export/meta.ts`). */
const metaLine = /^(?:Track|Room|Moderator|Scheduled|Started|Ended|Participants|Link): /

/**
 * The text export's lines (`shared/export/text.ts`) as prose: lines that only underline a heading
 * (`=====`, `-----`, also cut short at the window's edge) are dropped, and so are the session
 * title (the first line, when the window starts the text: `windowStart` 0) and the metadata lines
 * (`Room: …`: the result shows them beside the snippet); a line's list marker (`- `, `* `, `1. `)
 * and checkbox (`[ ] `, `[x] `) are taken off; the rest is joined by single spaces. Linear in the
 * window.
 */
export function plainWindow(window: string, windowStart = 1): string {
  const lines = window.split(/\r?\n/)
  if (windowStart === 0 && /^\s*={2,}\s*$/.test(lines[1] ?? '')) lines.shift()
  return lines
    .filter((line) => !/^\s*(?:={2,}|-{2,})\s*$/.test(line) && !metaLine.test(line))
    .map((line) => line.replace(/^\s*(?:(?:[-*]|\d{1,9}[.)])\s+)?(?:\[[ xX]\]\s+)?/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim()
}

/** A global, case-insensitive regex for `words` as FTS matches them: whole words, the last a prefix. */
function matcher(words: string[]): RegExp | null {
  // queryWords yields only letters and digits: nothing to escape.
  const safe = words.filter((word) => /^[\p{L}\p{N}]+$/u.test(word))
  if (safe.length === 0) return null
  const last = safe.length - 1
  const alternatives = safe.map((word, i) => (i === last ? `${word}[\\p{L}\\p{N}]*` : `${word}(?![\\p{L}\\p{N}])`))
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})`, 'giu')
}
