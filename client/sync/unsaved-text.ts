/**
 * What a person typed that the pad did not take (issue 16, part 2): the plain text of this
 * browser's copy when the server refused it, compared with the pad's text once the page has
 * loaded it afresh. Pure functions over Yjs types and strings; the "Not saved" panel shows the
 * result (client/pages/unsaved-panel.ts).
 */
import * as Y from 'yjs'

/**
 * The plain text of a pad fragment: one line per text block (paragraph, heading, list or agenda
 * item), in document order, marks dropped.
 */
export function padPlainText(fragment: Y.XmlFragment): string {
  const lines: string[] = []
  const walk = (node: Y.XmlFragment | Y.XmlElement) => {
    const children = node.toArray()
    if (children.some((child) => child instanceof Y.XmlText)) {
      lines.push(children.map((child) => (child instanceof Y.XmlText ? textOf(child) : '')).join(''))
      return
    }
    for (const child of children) if (child instanceof Y.XmlElement) walk(child)
  }
  walk(fragment)
  return lines.join('\n')
}

function textOf(text: Y.XmlText): string {
  return (text.toDelta() as { insert: unknown }[]).map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('')
}

/** Lines compared pairwise at most; past it the texts are compared as a whole (one changed region). */
const maxLineProduct = 4_000_000

/**
 * The pieces of `local` that `server` lacks, in order: for each line of `local` with no equal
 * line in `server` (longest common subsequence of lines), the part that differs from the
 * server's line in the same place when it is that line edited (common start and end trimmed),
 * or the whole line otherwise. Pieces of only white space are left out. `[]` when nothing is missing.
 */
export function unsavedPieces(local: string, server: string): string[] {
  const a = local.split('\n')
  const b = server.split('\n')
  if (a.length * b.length > maxLineProduct) return keep([middleOf(local, server)])
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..], in a flat table.
  const width = b.length + 1
  const lcs = new Uint32Array((a.length + 1) * width)
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!)
    }
  }
  const pieces: string[] = []
  let onlyLocal: string[] = []
  let onlyServer: string[] = []
  const flush = () => {
    onlyLocal.forEach((line, k) => pieces.push(k < onlyServer.length ? editedPart(line, onlyServer[k]!) : line))
    onlyLocal = []
    onlyServer = []
  }
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush()
      i++
      j++
    } else if (j < b.length && (i === a.length || lcs[i * width + j + 1]! >= lcs[(i + 1) * width + j]!)) {
      onlyServer.push(b[j++]!)
    } else {
      onlyLocal.push(a[i++]!)
    }
  }
  flush()
  return keep(pieces)
}

/**
 * The part of `local` typed into `server`'s line: their middle when they share at least half of
 * the server's line at their start and end (the same paragraph, edited), else all of `local`.
 */
function editedPart(local: string, server: string): string {
  const middle = middleOf(local, server)
  const shared = local.length - middle.length
  return server.length > 0 && shared * 2 >= server.length ? middle : local
}

/** The part of `local` between what it shares with `server` at its start and at its end. */
function middleOf(local: string, server: string): string {
  let start = 0
  while (start < local.length && start < server.length && local[start] === server[start]) start++
  let end = 0
  while (end < local.length - start && end < server.length - start && local[local.length - 1 - end] === server[server.length - 1 - end]) end++
  return local.slice(start, local.length - end)
}

function keep(pieces: string[]): string[] {
  return pieces.filter((piece) => piece.trim().length > 0)
}
