/**
 * Plain-text export of a pad: readable as it is in a terminal, a mail or the archive's full-text
 * index. No markup at all; structure is shown by layout:
 *
 * ```text
 * Placement sync
 * ==============
 *
 * Track: Nova
 *
 * Agenda
 * ------
 * 1. Placement API — @sean, 10 min (done)
 *   - sub point
 *
 * Decision: ship v2 first
 * [ ] Action: write the summary @kim
 * ```
 */
import type { Node as PMNode } from 'prosemirror-model'
import { schema } from '../schema.ts'
import type { PMJSON } from '../template.ts'
import { formatAgendaSuffix } from './markdown.ts'
import { metaFields, type ExportMeta } from './meta.ts'
import { padNode, skippedNote } from './pad-node.ts'

const indentStep = '  '

/**
 * The session as plain text: the title underlined with `=`, the metadata fields that are set
 * (`Track: Nova`, see `metaFields`), then the pad. In the pad, blocks are separated by blank
 * lines; h1 is underlined with `=`, h2 with `-`, h3 is a plain line; lists are indented two spaces
 * per level with `- `, `1. ` (from the list's start), `[ ] `/`[x] ` (tasks) and, for the agenda,
 * `1. ` plus the `— @owner, 10 min (status)` suffix; a decision reads `Decision: …`, an action item
 * `[ ] Action: …` or `[x] Action: …`; a hard break starts a new line; a link is its text followed by
 * ` (href)` when they differ. Empty paragraphs and empty list items are left out. Ends with one
 * newline. Content the schema does not have is left out, with a last line saying what (pad-node.ts).
 */
export function exportText(doc: PMJSON, meta: ExportMeta): string {
  const { node, notes } = padNode(doc)
  const title = oneLine(meta.title) || 'Untitled session'
  const sections = [[title, underline(title, '=')].join('\n')]
  const fields = metaFields(meta)
  if (fields.length) sections.push(fields.map(({ label, value }) => `${label}: ${oneLine(value)}`).join('\n'))
  node.forEach((block) => {
    const lines = renderBlock(block, '')
    if (lines.length) sections.push(lines.join('\n'))
  })
  const note = skippedNote(notes)
  if (note) sections.push(note)
  return `${sections.join('\n\n').replace(/[ \t]+$/gm, '')}\n`
}

function renderBlock(node: PMNode, indent: string): string[] {
  switch (node.type.name) {
    case 'paragraph':
      return inlineLines(node).map((line) => indent + line)
    case 'heading': {
      const text = oneLine(inlineLines(node).join(' '))
      if (!text) return []
      const level = Number(node.attrs.level)
      if (level === 1) return [indent + text, indent + underline(text, '=')]
      if (level === 2) return [indent + text, indent + underline(text, '-')]
      return [indent + text]
    }
    case 'decision':
      return prefixed(inlineLines(node), indent, 'Decision: ')
    case 'action_item':
      return prefixed(inlineLines(node), indent, node.attrs.done === true ? '[x] Action: ' : '[ ] Action: ')
    case 'bullet_list':
      return renderItems(node, indent, () => '- ')
    case 'ordered_list': {
      const start = Number(node.attrs.order ?? 1)
      return renderItems(node, indent, (i) => `${start + i}. `)
    }
    case 'task_list':
      return renderItems(node, indent, (i) => (node.child(i).attrs.checked === true ? '[x] ' : '[ ] '))
    case 'agenda_list':
      return renderItems(node, indent, (i) => `${i + 1}. `)
    default:
      // Any other block nests content of the kinds above.
      return blocksOf(node, indent)
  }
}

function blocksOf(node: PMNode, indent: string): string[] {
  const lines: string[] = []
  node.forEach((child) => append(lines, renderBlock(child, indent)))
  return lines
}

/** List items: the marker on the item's first line, the rest of the item two spaces in. */
function renderItems(list: PMNode, indent: string, marker: (index: number) => string): string[] {
  const lines: string[] = []
  list.forEach((item, _offset, index) => {
    const suffix = item.type.name === 'agenda_item' ? formatAgendaSuffix(item.attrs) : ''
    if (!item.textContent.trim() && !suffix) return
    const inner = indent + indentStep
    const own: string[] = []
    item.forEach((child, _childOffset, childIndex) => {
      if (childIndex > 0 || child.type.name !== 'paragraph') return
      append(own, inlineLines(child))
    })
    if (suffix) {
      const last = own.pop()
      own.push(last ? `${last} ${suffix}` : suffix)
    }
    own.forEach((line, k) => lines.push(k === 0 ? indent + marker(index) + line : inner + line))
    if (!own.length) lines.push(indent + marker(index))
    item.forEach((child, _childOffset, childIndex) => {
      if (childIndex === 0 && child.type.name === 'paragraph') return
      append(lines, renderBlock(child, inner))
    })
  })
  return lines
}

function prefixed(lines: string[], indent: string, prefix: string): string[] {
  const [first = '', ...rest] = lines
  if (!first.trim() && !rest.length) return []
  return [indent + prefix + first, ...rest.map((line) => indent + indentStep + line)]
}

/** A textblock's text, one string per line (a hard break starts a new one); links show their href. */
function inlineLines(node: PMNode): string[] {
  const lines = ['']
  node.forEach((child, _offset, index) => {
    if (child.type.name === 'hard_break') {
      lines.push('')
      return
    }
    let text = (child.text ?? '').replace(/[\r\n]+/g, ' ')
    const link = child.marks.find((mark) => mark.type === schema.marks.link)
    const next = index + 1 < node.childCount ? node.child(index + 1) : null
    if (link && !(next && link.isInSet(next.marks))) {
      const href = String(link.attrs.href).trim()
      const linkText = linkRunText(node, index, link)
      if (href && href !== linkText.trim()) text += ` (${href})`
    }
    lines[lines.length - 1] += text
  })
  const trimmed = lines.map((line) => line.trim())
  return trimmed.every((line) => !line) ? [] : trimmed
}

/** The text of the run of nodes ending at `end` that all carry `link`. */
function linkRunText(node: PMNode, end: number, link: PMNode['marks'][number]): string {
  let text = ''
  for (let i = end; i >= 0 && link.isInSet(node.child(i).marks); i--) text = (node.child(i).text ?? '') + text
  return text
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim()
}

function underline(text: string, char: string): string {
  return char.repeat(Math.max(3, [...text].length))
}

/** Appends `items` to `target` (`push(...items)` overflows the stack past ~100k items). */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item)
}
