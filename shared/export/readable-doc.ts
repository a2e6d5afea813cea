/**
 * A frozen pad made ready to read (issue 19, "the archive reads clean"): what the archive page and
 * the Markdown, HTML and text exports show. Pure functions over ProseMirror JSON; they never
 * throw, and walk at most `maxReadableDepth` levels (the pad reader bounds nesting far below).
 *
 * - A template section nobody filled is left out: a heading whose blocks hold only the template's
 *   empty placeholders (an empty paragraph, a bare list item, an empty checkbox, an agenda item
 *   without text, owner or timebox), and whose sub-sections are all left out too.
 * - White space at the end of a line (before a hard break or the end of a text block) is dropped:
 *   a reader cannot see it, and Markdown can only keep it as `&#32;`.
 * - Links are absolute: a relative target is resolved against the public URL, or, without one,
 *   the link is dropped and its text kept (a relative path means nothing in a downloaded file).
 */
import type { PMJSON } from '../template.ts'

/** Nodes deeper than this are returned as they are. */
export const maxReadableDepth = 200

/** The pad without its empty template sections (see the module header). */
export function withoutEmptySections(doc: PMJSON): PMJSON {
  const blocks = doc.content ?? []
  const keep = blocks.map(() => true)
  // From the end, so a heading knows whether any of its sub-sections is kept. keptAfter[l]: a kept
  // heading lies between here and the next heading of level l or higher (level number ≤ l).
  const keptAfter: boolean[] = new Array<boolean>(8).fill(false)
  let contentSinceHeading = false
  for (let index = blocks.length - 1; index >= 0; index--) {
    const block = blocks[index]!
    if (block.type !== 'heading') {
      if (hasContent(block, 0)) contentSinceHeading = true
      continue
    }
    const level = headingLevel(block)
    const kept = contentSinceHeading || keptAfter[level]!
    keep[index] = kept
    for (let l = 1; l < keptAfter.length; l++) keptAfter[l] = l >= level ? false : keptAfter[l]! || kept
    contentSinceHeading = false
  }
  // Blocks under a left-out heading go with it; blocks before the first heading stay.
  let dropping = false
  const content: PMJSON[] = []
  blocks.forEach((block, index) => {
    if (block.type === 'heading') dropping = !keep[index]
    if (!dropping) content.push(block)
  })
  return content.length === blocks.length ? doc : { ...doc, content }
}

/** The pad with white space at line ends dropped (see the module header). */
export function withoutLineEndSpace(node: PMJSON, depth = 0): PMJSON {
  if (!node.content || depth > maxReadableDepth) return node
  const inline = node.content.some((child) => child.type === 'text' || child.type === 'hard_break')
  if (!inline) return { ...node, content: node.content.map((child) => withoutLineEndSpace(child, depth + 1)) }
  const content: PMJSON[] = []
  let atLineEnd = true
  for (let index = node.content.length - 1; index >= 0; index--) {
    const child = node.content[index]!
    if (child.type === 'hard_break') {
      atLineEnd = true
      content.push(child)
    } else if (child.type === 'text' && atLineEnd) {
      const text = (child.text ?? '').replace(/[ \t\r\n]+$/, '')
      if (text === '') continue
      content.push(text === child.text ? child : { ...child, text })
      atLineEnd = false
    } else {
      atLineEnd = false
      content.push(child)
    }
  }
  return { ...node, content: content.reverse() }
}

/**
 * The pad with every link made absolute against `publicUrl`, or dropped (text kept) when it is
 * relative and there is no public URL. Absolute http(s) and mailto targets stay as they are.
 */
export function withAbsoluteLinks(node: PMJSON, publicUrl: string | null, depth = 0): PMJSON {
  if (depth > maxReadableDepth) return node
  let next = node
  if (node.marks?.some((mark) => mark.type === 'link')) {
    const marks = node.marks.flatMap((mark) => {
      if (mark.type !== 'link') return [mark]
      const href = absoluteHref(String(mark.attrs?.href ?? ''), publicUrl)
      return href === null ? [] : [{ ...mark, attrs: { ...mark.attrs, href } }]
    })
    next = { ...node, marks }
    if (marks.length === 0) delete next.marks
  }
  if (!node.content) return next
  return { ...next, content: mergeTexts(node.content.map((child) => withAbsoluteLinks(child, publicUrl, depth + 1))) }
}

/** Adjacent text nodes with the same marks as one (a dropped link leaves its text beside others). */
function mergeTexts(content: PMJSON[]): PMJSON[] {
  const merged: PMJSON[] = []
  for (const node of content) {
    const last = merged[merged.length - 1]
    if (last?.type === 'text' && node.type === 'text' && JSON.stringify(last.marks ?? []) === JSON.stringify(node.marks ?? [])) {
      merged[merged.length - 1] = { ...last, text: `${last.text ?? ''}${node.text ?? ''}` }
    } else merged.push(node)
  }
  return merged
}

/** `href` as an absolute URL, or null when it cannot be one (relative with no `publicUrl`). */
export function absoluteHref(href: string, publicUrl: string | null): string | null {
  const trimmed = href.trim()
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return trimmed
  if (!publicUrl || trimmed === '') return null
  try {
    return new URL(trimmed, publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`).href
  } catch {
    return null
  }
}

/** All three (the first unless `keepEmptySections`): what the archive's exports are made from. */
export function readableDoc(doc: PMJSON, publicUrl: string | null, options: { keepEmptySections?: boolean } = {}): PMJSON {
  return withAbsoluteLinks(withoutLineEndSpace(options.keepEmptySections ? doc : withoutEmptySections(doc)), publicUrl)
}

function headingLevel(heading: PMJSON): number {
  const level = Number(heading.attrs?.level)
  return Number.isInteger(level) && level >= 1 && level <= 6 ? level : 1
}

/** True when `node` holds something a person wrote: visible text, or an agenda item's owner or timebox. */
function hasContent(node: PMJSON, depth: number): boolean {
  if (depth > maxReadableDepth) return true
  if (node.type === 'text') return (node.text ?? '').trim() !== ''
  if (node.type === 'agenda_item') {
    const owner = node.attrs?.owner
    if ((typeof owner === 'string' && owner.trim() !== '') || Number(node.attrs?.timebox) > 0) return true
  }
  return (node.content ?? []).some((child) => hasContent(child, depth + 1))
}
