/**
 * The line model of an imported Etherpad pad, shared by its three formats (`.etherpad`, HTML and
 * plain-text exports), and its conversion to a pad document of `shared/schema.ts`.
 *
 * Etherpad thinks in lines: each line is a paragraph, a heading, or an item of a bullet or
 * numbered list at a level (1 = outermost). A line holds runs of text, each with its marks and
 * the Etherpad author who wrote it. `linesToDoc` nests list lines into `bullet_list` /
 * `ordered_list` / `list_item` the way Etherpad's own HTML export does: a level more than one
 * deeper than the list it follows is read as one deeper (Etherpad lets people skip levels, the
 * schema nests one at a time), and a list changing type at a level starts a new list.
 *
 * Text nodes of the result carry one field the schema does not know, `author` (the person id the
 * caller mapped the run's Etherpad author to): `schema.nodeFromJSON` ignores it, the seed builder
 * (`server/sessions/etherpad-seed.ts`) writes each run under its author's Yjs client.
 */
import { safeHref } from '../schema.ts'
import type { PMJSON } from '../template.ts'
import { ImportError } from './limits.ts'

/** One run of a line's text. */
export interface PadRun {
  /** Non-empty; never holds a line break. */
  text: string
  bold: boolean
  italic: boolean
  /** An http(s) or mailto URL the run links to, else null. */
  href: string | null
  /** The Etherpad author id (`a.…`) of the run, or null when the pad does not say. */
  author: string | null
}

/** What a line is. `level` is 1 for paragraphs and headings, 1-{@link maxListLevel} for list items. */
export interface PadLine {
  block: 'paragraph' | 'heading' | 'bullet' | 'number'
  /** Heading level 1-3 (h4-h6 are read as 3), or list nesting level. */
  level: number
  /** A numbered list's first number, when the line says (Etherpad's `start`). */
  start: number | null
  runs: PadRun[]
}

/** A text node of the converted document: PM JSON plus the person id who wrote it. */
export interface AuthoredText extends PMJSON {
  type: 'text'
  text: string
  author?: string
}

/** Deepest list nesting kept; deeper items are kept at this level. @default 8 */
export const maxListLevel = 8

/** Most lines a pad may have (the same bound as any agenda import). @default 10000 */
export const maxPadLines = 10_000

/** Most characters of pad text. @default 1000000 */
export const maxPadChars = 1_000_000

/** Most runs of text (stretches of one author and one set of marks) a pad may have. @default 200000 */
export const maxPadRuns = 200_000

/** A list line's level, clamped to 1..{@link maxListLevel}. */
export function clampLevel(level: number): number {
  return Math.min(maxListLevel, Math.max(1, Math.floor(level) || 1))
}

/** The heading level of `h1`..`h6` or `heading1`..`heading6` (h4-h6 become 3), else null. */
export function headingLevel(name: string): number | null {
  const match = /^(?:h|heading)([1-6])$/.exec(name)
  return match ? Math.min(3, Number(match[1])) : null
}

/** `href` when it is an http(s) or mailto URL, else null. */
export function linkTarget(href: string): string | null {
  const safe = safeHref(href.trim())
  return safe !== '#' && /^(https?:|mailto:)/i.test(safe) && safe.length <= 2048 ? safe : null
}

const urlPattern = /\bhttps?:\/\/[^\s<>"'`]+/gi
const trailingPunctuation = /[.,;:!?)\]}*_~]+$/

/**
 * `run` split where its text holds http(s) URLs, each URL linked (Etherpad links them when it
 * shows a pad; the pad itself stores plain text). A run that links already is returned as it is.
 */
export function linkify(run: PadRun): PadRun[] {
  if (run.href !== null || !run.text.includes('://')) return [run]
  const runs: PadRun[] = []
  let last = 0
  for (const match of run.text.matchAll(urlPattern)) {
    const url = match[0].replace(trailingPunctuation, '')
    const href = linkTarget(url)
    if (!href) continue
    if (match.index > last) runs.push({ ...run, text: run.text.slice(last, match.index) })
    runs.push({ ...run, text: url, href })
    last = match.index + url.length
  }
  if (last < run.text.length) runs.push({ ...run, text: run.text.slice(last) })
  return runs
}

interface OpenList {
  node: PMJSON
  kind: 'bullet' | 'number'
}

/**
 * The pad document of `lines` (see the module header), each text node's `author` set to
 * `personOf(run.author)` when that is not null. Throws ImportError `empty` when no line has text
 * and `too_many_items` past {@link maxPadLines} lines.
 */
export function linesToDoc(lines: readonly PadLine[], personOf: (author: string | null) => string | null): PMJSON {
  if (lines.length > maxPadLines) throw new ImportError('too_many_items', `the pad has ${lines.length} lines; at most ${maxPadLines} can be imported`)
  if (!lines.some((line) => line.runs.some((run) => run.text.trim() !== ''))) throw new ImportError('empty', 'the pad has no text to import')
  const blocks: PMJSON[] = []
  const open: OpenList[] = []
  for (const line of lines) {
    const content = inlineContent(line.runs, personOf)
    if (line.block === 'paragraph' || line.block === 'heading') {
      open.length = 0
      const node: PMJSON = line.block === 'heading' ? { type: 'heading', attrs: { level: Math.min(3, Math.max(1, line.level)) } } : { type: 'paragraph' }
      if (content.length) node.content = content
      blocks.push(node)
      continue
    }
    // One level deeper than what is open at most; a list changing type at a level starts anew.
    const level = Math.min(clampLevel(line.level), open.length + 1)
    open.length = open.length >= level && open[level - 1]!.kind !== line.block ? level - 1 : Math.min(open.length, level)
    if (open.length < level) {
      const list: PMJSON =
        line.block === 'bullet' ? { type: 'bullet_list', content: [] } : { type: 'ordered_list', attrs: { order: line.start !== null && line.start >= 0 && line.start < 1e9 ? line.start : 1 }, content: [] }
      if (level === 1) blocks.push(list)
      else open[level - 2]!.node.content!.at(-1)!.content!.push(list)
      open.push({ node: list, kind: line.block })
    }
    const paragraph: PMJSON = content.length ? { type: 'paragraph', content } : { type: 'paragraph' }
    open[level - 1]!.node.content!.push({ type: 'list_item', content: [paragraph] })
  }
  return { type: 'doc', content: blocks }
}

function inlineContent(runs: readonly PadRun[], personOf: (author: string | null) => string | null): AuthoredText[] {
  const nodes: AuthoredText[] = []
  for (const run of runs) {
    if (run.text === '') continue
    const marks: NonNullable<PMJSON['marks']> = []
    if (run.href) marks.push({ type: 'link', attrs: { href: run.href, title: null } })
    if (run.italic) marks.push({ type: 'em' })
    if (run.bold) marks.push({ type: 'strong' })
    const node: AuthoredText = { type: 'text', text: run.text }
    if (marks.length) node.marks = marks
    const person = personOf(run.author)
    if (person) node.author = person
    // Neighbours by the same person with the same marks are one run (one insert in the seed).
    const last = nodes.at(-1)
    if (last && last.author === node.author && JSON.stringify(last.marks) === JSON.stringify(node.marks)) last.text += node.text
    else nodes.push(node)
  }
  return nodes
}
