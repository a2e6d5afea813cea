/**
 * Markdown export of a pad: CommonMark written by prosemirror-markdown's MarkdownSerializer, with
 * summitpad's conventions for the nodes CommonMark lacks. `shared/import/markdown.ts` reads every
 * one of them back, so export → import gives the same document (the round trip is tested):
 *
 * ```md
 * ## Agenda
 *
 * 1. Placement API — @sean, 10 min (done)
 * 2. Quotas
 *
 * - [x] merge the spec
 * - [ ] ask @kim about quotas, due 2025-05-01
 *
 * **Decision:** ship v2 first
 *
 * **Action (done):** write the summary\
 * and send it
 * ```
 *
 * - Headings `#`..`###`; `**strong**`, `*em*`, `` `code` ``, `[text](href "title")`; a hard
 *   break is a backslash at the end of the line (in a heading, where CommonMark has none, a space).
 * - Lists are tight; nested content is indented under its item. `bullet_list` is `- item`,
 *   `ordered_list` is `1. item` from its `order`, `task_list` is `- [ ] item` / `- [x] item`.
 *   Two lists of one kind in a row alternate their markers (`-`/`*`, `.`/`)`), which is how
 *   CommonMark tells them apart.
 * - `agenda_list` is an ordered list whose items end in a metadata suffix (see
 *   {@link formatAgendaSuffix}); ids are not exported.
 * - `decision` is the paragraph `**Decision:** text`; `action_item` is `**Action:** text` or
 *   `**Action (done):** text`.
 * - Text is escaped wherever it could read as syntax (`*not italic*`, `1. not a list`, `<tag>`,
 *   `&amp;`, an agenda text that ends like a suffix, a bold "Decision:" in a plain paragraph), and
 *   white space at the start or end of a line is written as character references.
 *
 * Empty paragraphs and trailing hard breaks have no Markdown form and are dropped; white space
 * at the inner edge of bold or italic moves outside the mark; emphasis that CommonMark cannot
 * delimit (`a**"b"**c`: punctuation inside, a letter outside) reads back as literal asterisks.
 */
import { MarkdownSerializer } from 'prosemirror-markdown'
import { Fragment, type Mark, type Node as PMNode } from 'prosemirror-model'
import { agendaStatuses, schema, type AgendaStatus } from '../schema.ts'
import type { PMJSON } from '../template.ts'
import { isSafeLinkTarget } from './link-target.ts'
import { padNode, skippedNote, type PadNode } from './pad-node.ts'
import { metaFields, type ExportMeta } from './meta.ts'

/**
 * The metadata suffix of an agenda item as Markdown and text exports write it, or `''` when the
 * item has none: `— @owner, 10 min (status)`, each part optional, the owner without white space
 * (runs of it become `_`; characters other than letters, digits, `.`, `_`, `-` are dropped), the
 * timebox in whole minutes when above 0, the status unless `pending`.
 */
export function formatAgendaSuffix(attrs: Record<string, unknown>): string {
  const owner = ownerToken(attrs.owner)
  const minutes = Math.round(Number(attrs.timebox) || 0)
  const status = agendaStatuses.find((known) => known === attrs.status && known !== 'pending')
  const parts = [owner ? `@${owner}` : '', minutes > 0 ? `${minutes} min` : ''].filter(Boolean).join(', ')
  const all = status ? `${parts}${parts ? ' ' : ''}(${status})` : parts
  return all ? `— ${all}` : ''
}

/** Agenda item metadata read back from a suffix. */
export interface AgendaSuffix {
  /** Index in the line where the suffix (with the white space before its dash) starts. */
  start: number
  /** Index of the dash. */
  dash: number
  owner: string
  timebox: number
  status: AgendaStatus
}

// `(^|\s+)— ` then `@owner`, `@owner, N min` or `N min`, then `(status)`; each part optional.
// En dashes and `--` are accepted too, for agendas typed by hand.
const suffixPattern =
  /(^|\s+)(?:—|–|--)[ \t]+(?:@([\p{L}\p{N}._-]+)(?:,[ \t]*(\d{1,9})[ \t]*min(?:s|utes?)?)?|(\d{1,9})[ \t]*min(?:s|utes?)?)?(?:[ \t]*\((pending|now|done|parked)\))?[ \t]*$/iu

/**
 * Reads the agenda metadata suffix ({@link formatAgendaSuffix}) at the end of `line`; null when
 * the line does not end in one with at least one part. Status and unit are matched
 * case-insensitively.
 */
export function parseAgendaSuffix(line: string): AgendaSuffix | null {
  const match = suffixPattern.exec(line)
  if (!match) return null
  const [, space = '', owner, ownerMinutes, minutes, status] = match
  if (owner === undefined && minutes === undefined && status === undefined) return null
  return {
    start: match.index,
    dash: match.index + space.length,
    owner: owner ?? '',
    timebox: Number(ownerMinutes ?? minutes ?? 0),
    status: agendaStatuses.find((known) => known === status?.toLowerCase()) ?? 'pending',
  }
}

function ownerToken(owner: unknown): string {
  if (typeof owner !== 'string') return ''
  return owner
    .trim()
    .replace(/^@+/, '')
    .replace(/\s+/g, '_')
    .replace(/[^\p{L}\p{N}._-]/gu, '')
    .replace(/^[._-]+|[._-]+$/g, '')
}

/**
 * The pad body as Markdown (no title or metadata), by the conventions in this module's header.
 * Ends with one newline; `''` for a document without content. Content the schema does not have
 * is left out, with a last paragraph saying what (see pad-node.ts); never throws.
 */
export function docToMarkdown(doc: PMJSON): string {
  return serialize(withNote(padNode(doc)))
}

/**
 * A Markdown file of the session: `# Title` (or "Untitled session"), a bullet list of the
 * metadata fields that are set (`- **Track:** Nova`, see `metaFields`), a blank line, then the
 * body as {@link docToMarkdown} writes it (never throws).
 */
export function exportMarkdown(doc: PMJSON, meta: ExportMeta): string {
  const body = withNote(padNode(doc))
  const head: PMNode[] = [schema.nodes.heading.create({ level: 1 }, textNodes(meta.title.trim() || 'Untitled session'))]
  const fields = metaFields(meta)
  if (fields.length) {
    const items = fields.map(({ label, value }) =>
      schema.nodes.list_item.create(null, schema.nodes.paragraph.create(null, [schema.text(`${label}:`, [schema.marks.strong.create()]), ...textNodes(` ${value}`)])),
    )
    head.push(schema.nodes.bullet_list.create(null, items))
  }
  // One document, so list markers alternate if the body starts with a list of the same kind.
  return serialize(schema.topNodeType.create(null, Fragment.from(head).append(body.content)))
}

/** The pad with, when something was skipped (see pad-node.ts), a last paragraph saying what. */
function withNote({ node, notes }: PadNode): PMNode {
  const note = skippedNote(notes)
  return note ? node.copy(node.content.addToEnd(schema.nodes.paragraph.create(null, [schema.text(note, [schema.marks.em.create()])]))) : node
}

function textNodes(value: string): PMNode[] {
  return value ? [schema.text(value)] : []
}

/**
 * The block layout (blank lines, list markers, indentation) is ours, line by line; each textblock
 * is written by prosemirror-markdown's serializer on its own. Its state appends to one string and
 * reads that string's last character before each write, which V8 pays for by flattening the
 * whole string: on a whole 500 KB pad that is quadratic (tens of seconds), per textblock it is not.
 */
function serialize(doc: PMNode): string {
  const markdown = renderBlocks(doc, createInlineSerializer(), false)
    .join('\n')
    // Blank item lines and empty items leave trailing white space; hard breaks are backslashes,
    // so trailing white space never carries meaning here.
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '')
  return markdown ? `${markdown}\n` : ''
}

const bulletKinds = new Set(['bullet_list', 'task_list'])
const orderedKinds = new Set(['ordered_list', 'agenda_list'])

/** Writes one textblock (paragraph, heading, decision, action item) as Markdown lines. */
interface InlineSerializer {
  (textblock: PMNode, options?: { plainAgendaHead?: boolean }): string[]
}

/**
 * The blocks of `parent`, separated by a blank line, except that inside a list item a list
 * follows the block before it directly (the lists are tight).
 */
function renderBlocks(parent: PMNode, inline: InlineSerializer, inItem: boolean): string[] {
  const lines: string[] = []
  parent.forEach((child, _offset, index) => {
    if (index > 0 && !(inItem && (bulletKinds.has(child.type.name) || orderedKinds.has(child.type.name)))) lines.push('')
    append(lines, renderBlock(child, parent, index, inline))
  })
  return lines
}

function renderBlock(node: PMNode, parent: PMNode, index: number, inline: InlineSerializer): string[] {
  switch (node.type.name) {
    case 'paragraph':
    case 'heading':
    case 'decision':
    case 'action_item':
      return inline(node)
    case 'bullet_list': {
      const bullet = alternate(parent, index, bulletKinds, '-', '*')
      return renderList(node, inline, () => `${bullet} `)
    }
    case 'task_list': {
      const bullet = alternate(parent, index, bulletKinds, '-', '*')
      return renderList(node, inline, (i) => `${bullet} [${node.child(i).attrs.checked === true ? 'x' : ' '}] `)
    }
    case 'ordered_list':
      return renderOrdered(node, Number(node.attrs.order ?? 1), alternate(parent, index, orderedKinds, '.', ')'), inline)
    case 'agenda_list':
      return renderOrdered(node, 1, alternate(parent, index, orderedKinds, '.', ')'), inline)
    default:
      throw new RangeError(`docToMarkdown: no Markdown for a ${node.type.name} block`)
  }
}

/** `first` or `second` by the number of lists of the same kind right before this one. */
function alternate(parent: PMNode, index: number, kinds: Set<string>, first: string, second: string): string {
  let run = 0
  for (let i = index - 1; i >= 0 && kinds.has(parent.child(i).type.name); i--) run++
  return run % 2 === 0 ? first : second
}

function renderOrdered(list: PMNode, start: number, delimiter: string, inline: InlineSerializer): string[] {
  // CommonMark allows at most nine digits in a list number.
  const first = Math.min(Math.max(0, Math.floor(start) || 0), 999_999_999 - list.childCount)
  const width = String(first + list.childCount - 1).length
  return renderList(list, inline, (i) => `${String(first + i).padStart(width)}${delimiter} `, ' '.repeat(width + 2))
}

/** Items one per line group: `marker(i)` before the first line, the rest indented by `indent`. */
function renderList(list: PMNode, inline: InlineSerializer, marker: (index: number) => string, indent = '  '): string[] {
  const lines: string[] = []
  list.forEach((item, _offset, index) => {
    const content = renderBlocks(item, agendaHeadAware(item, inline), true)
    content.forEach((line, k) => lines.push(k === 0 ? marker(index) + line : line ? indent + line : line))
    if (!content.length) lines.push(marker(index))
  })
  return lines
}

/** For an agenda item, `inline` that ends the item's first paragraph with its metadata suffix. */
function agendaHeadAware(item: PMNode, inline: InlineSerializer): InlineSerializer {
  if (item.type.name !== 'agenda_item') return inline
  const head = item.firstChild
  const suffix = formatAgendaSuffix(item.attrs)
  return (textblock, options) => {
    if (textblock !== head || textblock.type.name !== 'paragraph') return inline(textblock, options)
    if (!suffix) return inline(textblock, { plainAgendaHead: true })
    const lines = inline(textblock)
    const last = lines.pop() ?? ''
    return [...lines, last ? `${last} ${suffix}` : suffix]
  }
}

/** The textblock serializer of one export (prosemirror-markdown with our escaping and marks). */
function createInlineSerializer(): InlineSerializer {
  // First paragraphs of agenda items without metadata: their text must not end like a suffix.
  const plainAgendaHeads = new Set<PMNode>()
  const { paragraph, heading, hard_break: hardBreak } = schema.nodes

  const serializer = new MarkdownSerializer(
    {
      paragraph(state, node) {
        state.renderInline(node)
        state.closeBlock(node)
      },
      heading(state, node) {
        state.write(`${'#'.repeat(Math.min(3, Math.max(1, Number(node.attrs.level) || 1)))} `)
        state.renderInline(node, false)
        state.closeBlock(node)
      },
      decision(state, node) {
        state.write('**Decision:** ')
        state.renderInline(node, false)
        state.closeBlock(node)
      },
      action_item(state, node) {
        state.write(node.attrs.done === true ? '**Action (done):** ' : '**Action:** ')
        state.renderInline(node, false)
        state.closeBlock(node)
      },
      hard_break(state, node, parent, index) {
        // Only breaks with content after them: a trailing backslash would be literal text.
        for (let i = index + 1; i < parent.childCount; i++) {
          if (parent.child(i).type !== node.type) {
            state.write(parent.type === heading ? ' ' : '\\\n')
            return
          }
        }
      },
      text(state, node, parent, index) {
        const lineStart = index === 0 || parent.child(index - 1).type === hardBreak
        const lineEnd = index === parent.childCount - 1 || parent.child(index + 1).type === hardBreak
        let out = escapeText((node.text ?? '').replace(/\r?\n/g, ' '), lineStart)
        if (parent.type === paragraph && index === 0 && node.marks.some((mark) => mark.type === schema.marks.strong)) {
          // A bold "Decision:" opening a plain paragraph must not read back as a decision block.
          out = out.replace(/^(Decision|Action|Action \(done\)):/, '$1\\:')
        }
        if (parent.type === heading && lineEnd) out = out.replace(/(^|[ \t])(#+)([ \t]*)$/, '$1\\$2$3')
        if (lineEnd && plainAgendaHeads.has(parent) && index === parent.childCount - 1) {
          const suffix = parseAgendaSuffix(out)
          if (suffix) out = `${out.slice(0, suffix.dash)}&#${out.codePointAt(suffix.dash)};${out.slice(suffix.dash + 1)}`
        }
        // Markdown strips white space at line ends; character references keep it.
        if (lineStart) out = out.replace(/^[ \t]+/, charRefs)
        if (lineEnd) out = out.replace(/[ \t]+$/, charRefs)
        state.text(out, false)
      },
    },
    {
      em: { open: '*', close: '*', mixable: true, expelEnclosingWhitespace: true },
      strong: { open: '**', close: '**', mixable: true, expelEnclosingWhitespace: true },
      link: {
        open: '[',
        close: (_state, mark) => `](${linkDestination(String(mark.attrs.href))}${linkTitle(mark)})`,
        mixable: true,
      },
      code: {
        open: (_state, _mark, parent, index) => backticks(parent.child(index), 'open'),
        close: (_state, _mark, parent, index) => backticks(parent.child(index - 1), 'close'),
        escape: false,
      },
    },
  )
  return (textblock, options = {}) => {
    const block = withoutUnsafeLinks(textblock)
    if (options.plainAgendaHead) plainAgendaHeads.add(block)
    return serializer.serialize(schema.topNodeType.create(null, block)).split('\n')
  }
}

/**
 * Backslash-escapes what could read as syntax: `` ` * \ ~ [ ] `` always, `_` unless between two
 * letters or digits (`snake_case` stays), `<` before a tag or autolink, `&` before a character
 * reference, and at a line start `-`, `+`, `>`, `=`, `#`, `1.` and `1)`. Adapted from
 * prosemirror-markdown's `MarkdownSerializerState.esc` (to_markdown.ts), which lets `__x__`
 * through and does not know `1)`, `=` (a setext underline after a hard break), `<` or `&`.
 */
function escapeText(text: string, lineStart: boolean): string {
  const wordChar = /[\p{L}\p{N}]/u
  let out = text.replace(/[`*\\~[\]_]|<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)/g, (char, index: number) =>
    char === '_' && wordChar.test(text[index - 1] ?? '') && wordChar.test(text[index + 1] ?? '') ? char : `\\${char}`,
  )
  if (lineStart) {
    out = out
      .replace(/^([-+>=])/, '\\$1')
      .replace(/^(\s*)(#{1,6})(\s|$)/, '$1\\$2$3')
      .replace(/^(\s*\d+)([.)])(\s|$)/, '$1\\$2$3')
  }
  return out
}

/**
 * A code span's fence: one backtick more than the longest run inside, padded with a space when
 * the code holds backticks. Adapted from prosemirror-markdown's `backticksFor` (to_markdown.ts).
 */
function backticks(node: PMNode, side: 'open' | 'close'): string {
  const longest = (node.text?.match(/`+/g) ?? []).reduce((max, run) => Math.max(max, run.length), 0)
  const fence = '`'.repeat(longest + 1)
  if (longest === 0) return fence
  return side === 'open' ? `${fence} ` : ` ${fence}`
}

function charRefs(space: string): string {
  return [...space].map((char) => `&#${char.codePointAt(0)};`).join('')
}

/**
 * `textblock` with the link marks whose target is not http(s), mailto or relative removed (their
 * text stays): a `javascript:` or `data:` link in an exported file runs when clicked, so Markdown
 * drops it as the HTML export neutralises it (issue 15 part 5).
 */
function withoutUnsafeLinks(textblock: PMNode): PMNode {
  const link = schema.marks.link
  let changed = false
  const children: PMNode[] = []
  textblock.forEach((child) => {
    const unsafe = child.marks.find((mark) => mark.type === link && !isSafeLinkTarget(String(mark.attrs.href)))
    if (unsafe) changed = true
    children.push(unsafe ? child.mark(unsafe.removeFromSet(child.marks)) : child)
  })
  return changed ? textblock.copy(Fragment.fromArray(children)) : textblock
}

function linkDestination(href: string): string {
  const escaped = href.replace(/[\r\n]+/g, ' ').replace(/[\\()<>]|&(?=#?[A-Za-z0-9]+;)/g, '\\$&')
  // A destination with spaces (or none at all) needs the pointed-bracket form.
  return escaped === '' || /\s/.test(escaped) ? `<${escaped}>` : escaped
}

function linkTitle(mark: Mark): string {
  const title = mark.attrs.title
  if (typeof title !== 'string' || title === '') return ''
  return ` "${title.replace(/[\r\n]+/g, ' ').replace(/[\\"]/g, '\\$&')}"`
}

/** Appends `items` to `target` (`push(...items)` overflows the stack past ~100k items). */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item)
}
