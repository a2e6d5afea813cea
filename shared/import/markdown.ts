/**
 * Import of Markdown and plain text into pad documents: the reverse of `shared/export/markdown.ts`.
 *
 * markdown-it (CommonMark, raw HTML off, linkify off) tokenizes; one core rule of ours then
 * rewrites the token stream into summitpad's conventions before prosemirror-markdown's
 * MarkdownParser builds the document:
 *
 * - a bullet-list item whose source starts `[ ] ` or `[x] ` is a `task_item` (a list mixing both
 *   kinds is split into runs);
 * - an ordered or bullet list right after a heading whose text is "Agenda" is an `agenda_list`,
 *   each item's `— @owner, 10 min (status)` suffix read into its attributes and ids assigned
 *   `item-1`, `item-2`, … in document order;
 * - a paragraph whose source starts `**Decision:**` is a `decision`, `**Action:**` or
 *   `**Action (done):**` an `action_item` (not the first paragraph of a list item, which the
 *   schema needs to stay a paragraph);
 * - code blocks become one paragraph per non-blank line, the line code-marked; images become
 *   their alt text; block quotes are unwrapped; thematic breaks are dropped; h4-h6 become h3.
 *
 * Markers are matched on the source, not the parsed text, so escaped text (`\[ \] x`,
 * `**Decision\:**`) stays text: what the exporter writes is read back exactly.
 */
import MarkdownIt from 'markdown-it'
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs'
import type Token from 'markdown-it/lib/token.mjs'
import { MarkdownParser } from 'prosemirror-markdown'
import { assert } from '../errors.ts'
import { parseAgendaSuffix } from '../export/markdown.ts'
import { schema } from '../schema.ts'
import { sessionTemplate, type PMJSON } from '../template.ts'
import { checkImportLimits, ImportError } from './limits.ts'

export { checkImportLimits, ImportError, maxImportBytes, maxImportLines, type ImportErrorReason } from './limits.ts'

/**
 * A pad document from Markdown, by the conventions in this module's header. The result fits
 * `shared/schema.ts` (`schema.nodeFromJSON(json).check()` passes). Throws an ImportError for input
 * that is too large, binary, or has no text.
 */
export function markdownToDoc(markdown: string): PMJSON {
  const doc = parseMarkdown(checkInput(markdown), false)
  if (!hasText(doc)) throw emptyError()
  return doc
}

/**
 * A pad document from plain text: each non-blank line, trimmed, becomes a paragraph; no markup
 * is interpreted. Throws an ImportError for input that is too large, binary, or blank.
 */
export function textToDoc(text: string): PMJSON {
  const lines = nonBlankLines(checkInput(text))
  if (!lines.length) throw emptyError()
  return { type: 'doc', content: lines.map(paragraph) }
}

/**
 * The pad for a session created from a prepared agenda file.
 *
 * - Markdown with headings is the whole pad: {@link markdownToDoc}, then each section of the
 *   session template (Goals, Agenda, Notes, Decisions, Action items; matched by heading text,
 *   trimmed, case-insensitively) it lacks is appended with the template's content (an Agenda gets
 *   an agenda list whose item id follows the ids already used).
 * - Otherwise the result is the session template with its agenda list replaced by one agenda item
 *   per item of the top-level lists (markdown; a task marker is dropped, `[x]` marks the item done)
 *   or per non-blank line (text; a leading `-`, `*`, `+`, `•`, `1.` or `1)` bullet is dropped). In
 *   both, a `— @owner, 10 min (status)` suffix sets the item's attributes. Other Markdown blocks go
 *   under Goals. Ids are `item-1`, `item-2`, … in order.
 *
 * Throws an ImportError for input that is too large, binary, or without any agenda item or text.
 */
export function importAgenda(content: string, format: 'markdown' | 'text'): PMJSON {
  const source = checkInput(content)
  if (format === 'text') {
    const items = nonBlankLines(source).flatMap((line) => {
      const agendaItem = textAgendaItem(line.replace(/^(?:[-*+•]|\d+[.)])(?:\s+|$)/, ''))
      return agendaItem ? [agendaItem] : []
    })
    if (!items.length) throw emptyError()
    return fromTemplate(items, [])
  }

  const parsed = parseMarkdown(source, false)
  if (parsed.content?.some((block) => block.type === 'heading')) return withTemplateSections(parsed)

  // No headings: every top-level list is the agenda, everything else is about the goals.
  const items: PMJSON[] = []
  const goals: PMJSON[] = []
  for (const block of parseMarkdown(source, true).content ?? []) {
    if (block.type === 'agenda_list') append(items, (block.content ?? []).filter(hasText))
    else if (hasText(block)) goals.push(block)
  }
  if (!items.length && !goals.length) throw emptyError()
  return fromTemplate(items, goals)
}

function checkInput(input: string): string {
  checkImportLimits(input)
  if (input.includes('\0')) throw new ImportError('binary', 'import contains NUL characters: binary files cannot be imported')
  return input.replace(/^\uFEFF/, '')
}

function emptyError(): ImportError {
  return new ImportError('empty', 'import has nothing usable: no text, headings or list items')
}

/** Per-parse state, passed to the core rule through markdown-it's `env`. */
interface ParseEnv {
  /** Treat every top-level list as the agenda (an agenda file without headings). */
  agendaEverywhere: boolean
  /** The number of the next agenda item id. */
  nextAgendaId: number
}

const tokenizer = new MarkdownIt('commonmark', { html: false, linkify: false, typographer: false })
tokenizer.core.ruler.push('summitpad_conventions', applyConventions)

// Node attributes the core rule computed travel in `token.meta`, markdown-it's slot for plugin data.
const parser = new MarkdownParser(schema, tokenizer, {
  blockquote: { ignore: true },
  hr: { ignore: true, noCloseToken: true },
  paragraph: { block: 'paragraph' },
  heading: { block: 'heading', getAttrs: (token) => ({ level: Math.min(3, Number(token.tag.slice(1)) || 1) }) },
  bullet_list: { block: 'bullet_list' },
  ordered_list: { block: 'ordered_list', getAttrs: (token) => ({ order: Number(token.attrGet('start') ?? 1) || 0 }) },
  list_item: { block: 'list_item' },
  task_list: { block: 'task_list' },
  task_item: { block: 'task_item', getAttrs: (token) => ({ checked: token.meta?.checked === true }) },
  agenda_list: { block: 'agenda_list' },
  agenda_item: { block: 'agenda_item', getAttrs: (token) => ({ ...token.meta }) },
  decision: { block: 'decision' },
  action_item: { block: 'action_item', getAttrs: (token) => ({ done: token.meta?.done === true }) },
  hardbreak: { node: 'hard_break' },
  em: { mark: 'em' },
  strong: { mark: 'strong' },
  link: { mark: 'link', getAttrs: (token) => ({ href: token.attrGet('href') ?? '', title: token.attrGet('title') || null }) },
  code_inline: { mark: 'code', noCloseToken: true },
})

function parseMarkdown(source: string, agendaEverywhere: boolean): PMJSON {
  const env: ParseEnv = { agendaEverywhere, nextAgendaId: 1 }
  return parser.parse(source, env).toJSON()
}

/** The core rule: rewrites the whole token stream (see the module header). */
function applyConventions(state: StateCore): void {
  // reason: markdown-it types `env` as any; parseMarkdown always passes a ParseEnv.
  const env = state.env as ParseEnv
  for (const token of state.tokens) {
    if (token.type !== 'inline' || !token.children) continue
    // Emphasis parsing leaves empty text tokens where delimiters were; markers are read past them.
    token.children = token.children
      .map((child) => {
        if (child.type !== 'image') return child
        const alt = new state.Token('text', '', 0)
        alt.content = inlineText(child.children ?? [])
        return alt
      })
      .filter((child) => child.type !== 'text' || child.content !== '')
  }
  state.tokens = rewriteBlocks(state.tokens, 0, state.tokens.length, { env, Token: state.Token, topLevel: true })
}

interface Rewrite {
  env: ParseEnv
  Token: StateCore['Token']
  topLevel: boolean
}

/** The tokens of `[from, to)` with lists, outcome paragraphs and code blocks rewritten. */
function rewriteBlocks(tokens: Token[], from: number, to: number, rewrite: Rewrite): Token[] {
  const out: Token[] = []
  for (let i = from; i < to; i++) {
    const token = tokenAt(tokens, i)
    switch (token.type) {
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const close = closingIndex(tokens, i)
        const asAgenda = followsAgendaHeading(out) || (rewrite.env.agendaEverywhere && rewrite.topLevel)
        append(out, rewriteList(tokens, i, close, asAgenda, rewrite))
        i = close
        break
      }
      case 'paragraph_open':
        // The first block of an item must stay a paragraph (`paragraph block*` in the schema).
        if (!tokens[i - 1]?.type.endsWith('_item_open')) markOutcome(tokens, i)
        out.push(token)
        break
      case 'code_block':
      case 'fence':
        append(out, codeParagraphs(token, rewrite))
        break
      default:
        out.push(token)
    }
  }
  return out
}

function rewriteList(tokens: Token[], open: number, close: number, asAgenda: boolean, rewrite: Rewrite): Token[] {
  const items = directItems(tokens, open, close)
  const inner = (item: [number, number]) => rewriteBlocks(tokens, item[0] + 1, item[1], { ...rewrite, topLevel: false })
  const bullet = tokenAt(tokens, open).type === 'bullet_list_open'
  const markers = items.map(([itemOpen]) => (bullet || asAgenda ? taskMarker(tokens, itemOpen) : null))
  const hasTasks = markers.some((marker) => marker !== null)

  // Under an Agenda heading a checklist stays a task list; in an agenda file every list is the agenda.
  if (asAgenda && (rewrite.env.agendaEverywhere || !(bullet && hasTasks))) {
    const out = [new rewrite.Token('agenda_list_open', 'ol', 1)]
    items.forEach((item, k) => {
      const [itemOpen, itemClose] = item
      const meta = { id: `item-${rewrite.env.nextAgendaId++}`, owner: '', timebox: 0, status: 'pending' }
      const head = tokens[itemOpen + 2]
      const marker = markers[k]
      if (marker && head) {
        stripTaskMarker(head)
        if (marker.checked) meta.status = 'done'
      }
      const suffix = head?.type === 'inline' ? takeAgendaSuffix(head) : null
      if (suffix) Object.assign(meta, { owner: suffix.owner, timebox: suffix.timebox }, suffix.status === 'pending' ? {} : { status: suffix.status })
      tokenAt(tokens, itemOpen).type = 'agenda_item_open'
      tokenAt(tokens, itemOpen).meta = meta
      tokenAt(tokens, itemClose).type = 'agenda_item_close'
      out.push(tokenAt(tokens, itemOpen))
      append(out, inner(item))
      out.push(tokenAt(tokens, itemClose))
    })
    out.push(new rewrite.Token('agenda_list_close', 'ol', -1))
    return out
  }

  if (!bullet || !hasTasks) {
    const out = [tokenAt(tokens, open)]
    for (const item of items) {
      out.push(tokenAt(tokens, item[0]))
      append(out, inner(item))
      out.push(tokenAt(tokens, item[1]))
    }
    out.push(tokenAt(tokens, close))
    return out
  }

  // Task items and plain items alternate in runs: one task_list or bullet_list each.
  const out: Token[] = []
  let run: 'task_list' | 'bullet_list' | null = null
  items.forEach((item, k) => {
    const marker = markers[k]
    const kind = marker ? 'task_list' : 'bullet_list'
    if (kind !== run) {
      if (run) out.push(new rewrite.Token(`${run}_close`, 'ul', -1))
      out.push(new rewrite.Token(`${kind}_open`, 'ul', 1))
      run = kind
    }
    if (marker) {
      stripTaskMarker(tokenAt(tokens, item[0] + 2))
      tokenAt(tokens, item[0]).type = 'task_item_open'
      tokenAt(tokens, item[0]).meta = { checked: marker.checked }
      tokenAt(tokens, item[1]).type = 'task_item_close'
    }
    out.push(tokenAt(tokens, item[0]))
    append(out, inner(item))
    out.push(tokenAt(tokens, item[1]))
  })
  out.push(new rewrite.Token(`${run}_close`, 'ul', -1))
  return out
}

/** `tokens[index]`, which the caller knows to exist: markdown-it's token stream is balanced. */
function tokenAt(tokens: Token[], index: number): Token {
  const token = tokens[index]
  assert(token !== undefined, `a token at ${index} of ${tokens.length}`)
  return token
}

/** Index of the token closing the one opened at `open` (same nesting level). */
function closingIndex(tokens: Token[], open: number): number {
  const opener = tokenAt(tokens, open)
  const type = opener.type.replace(/_open$/, '_close')
  let i = open + 1
  while (i < tokens.length && !(tokenAt(tokens, i).type === type && tokenAt(tokens, i).level === opener.level)) i++
  assert(i < tokens.length, `markdown-it closes every ${opener.type} (token ${open})`)
  return i
}

/** `[open, close]` of each item directly in the list opened at `open`. */
function directItems(tokens: Token[], open: number, close: number): [number, number][] {
  const items: [number, number][] = []
  for (let i = open + 1; i < close; i++) {
    if (tokenAt(tokens, i).type !== 'list_item_open') continue
    const end = closingIndex(tokens, i)
    items.push([i, end])
    i = end
  }
  return items
}

/** The task marker an item's first paragraph starts with, read from its source. */
function taskMarker(tokens: Token[], itemOpen: number): { checked: boolean } | null {
  const head = tokens[itemOpen + 2]
  if (tokens[itemOpen + 1]?.type !== 'paragraph_open' || head?.type !== 'inline') return null
  const match = /^\[([ xX])\](?=\s|$)/.exec(head.content)
  return match ? { checked: match[1] !== ' ' } : null
}

function stripTaskMarker(inline: Token): void {
  const written = /^\[[ xX]\][ \t]*/.exec(inline.content)?.[0] ?? ''
  inline.children = dropLeading(inline.children ?? [], written)
}

/**
 * `children` without the source text `written` at their start (a marker and the white space
 * typed after it, which markdown-it keeps in the first text token), nor a line break right after
 * it. White space that came from a character reference (`&#32;`) is content and stays.
 */
function dropLeading(children: Token[], written: string): Token[] {
  const rest = [...children]
  const first = rest[0]
  if (first?.type === 'text' && first.content.startsWith(written)) {
    first.content = first.content.slice(written.length)
    if (first.content === '') rest.shift()
  }
  if (rest[0]?.type === 'softbreak' || rest[0]?.type === 'hardbreak') rest.shift()
  return rest
}

/** Reads and removes the agenda metadata suffix at the end of an item's first paragraph. */
function takeAgendaSuffix(inline: Token): ReturnType<typeof parseAgendaSuffix> {
  const suffix = parseAgendaSuffix(inline.content)
  if (!suffix) return null
  const children = inline.children ?? []
  const last = children.at(-1)
  if (last?.type !== 'text') return null
  // Remove the suffix with the white space typed before it; white space from a character
  // reference stays. The suffix must be plain text as written: no markup or escapes inside it.
  const written = [inline.content.slice(suffix.start), inline.content.slice(suffix.dash)].find((tail) => last.content.endsWith(tail))
  if (written === undefined) return null
  last.content = last.content.slice(0, -written.length)
  if (written.length === inline.content.length - suffix.dash) last.content = last.content.trimEnd()
  if (last.content === '') children.pop()
  while (/^(soft|hard)break$/.test(children.at(-1)?.type ?? '')) children.pop()
  return suffix
}

function followsAgendaHeading(out: Token[]): boolean {
  const heading = out.at(-2)
  return out.at(-1)?.type === 'heading_close' && heading?.type === 'inline' && inlineText(heading.children ?? []).trim().toLowerCase() === 'agenda'
}

const outcomeMarker = /^\*\*(Decision|Action|Action \(done\)):\*\*([ \t]*)/

/** Turns the paragraph opened at `open` into a decision or action item when it starts with its marker. */
function markOutcome(tokens: Token[], open: number): void {
  const inline = tokens[open + 1]
  const close = tokens[open + 2]
  if (inline?.type !== 'inline' || close?.type !== 'paragraph_close') return
  const match = outcomeMarker.exec(inline.content)
  const children = inline.children ?? []
  if (!match || children[0]?.type !== 'strong_open' || children[1]?.type !== 'text' || children[2]?.type !== 'strong_close') return
  inline.children = dropLeading(children.slice(3), match[2] ?? '')
  const type = match[1] === 'Decision' ? 'decision' : 'action_item'
  tokenAt(tokens, open).type = `${type}_open`
  tokenAt(tokens, open).meta = { done: match[1] === 'Action (done)' }
  close.type = `${type}_close`
}

/** A code block as paragraphs, one per non-blank line, each line code-marked. */
function codeParagraphs(token: Token, rewrite: Rewrite): Token[] {
  return token.content
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      const code = new rewrite.Token('code_inline', 'code', 0)
      code.content = line
      const inline = new rewrite.Token('inline', '', 0)
      inline.content = line
      inline.children = [code]
      return [new rewrite.Token('paragraph_open', 'p', 1), inline, new rewrite.Token('paragraph_close', 'p', -1)]
    })
}

/** The plain text of inline tokens; breaks read as spaces. */
function inlineText(tokens: Token[]): string {
  return tokens
    .map((token) => {
      if (token.type === 'softbreak' || token.type === 'hardbreak') return ' '
      if (token.type === 'image') return inlineText(token.children ?? [])
      return token.type === 'text' || token.type === 'code_inline' ? token.content : ''
    })
    .join('')
}

function nonBlankLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).flatMap((line) => (line.trim() ? [line.trim()] : []))
}

function paragraph(text: string): PMJSON {
  return text ? { type: 'paragraph', content: [{ type: 'text', text }] } : { type: 'paragraph' }
}

function hasText(node: PMJSON): boolean {
  return plainText(node).trim() !== ''
}

function textAgendaItem(line: string): PMJSON | null {
  const suffix = parseAgendaSuffix(line)
  const text = (suffix ? line.slice(0, suffix.start) : line).trim()
  if (!text && !suffix) return null
  return {
    type: 'agenda_item',
    attrs: { id: null, owner: suffix?.owner ?? '', timebox: suffix?.timebox ?? 0, status: suffix?.status ?? 'pending' },
    content: [paragraph(text)],
  }
}

/** The session template's sections: each level-2 heading's text with the blocks under it. */
function templateSections(): { title: string; blocks: PMJSON[] }[] {
  const sections: { title: string; blocks: PMJSON[] }[] = []
  for (const block of sessionTemplate().content ?? []) {
    if (block.type === 'heading') sections.push({ title: plainText(block), blocks: [block] })
    else sections.at(-1)?.blocks.push(block)
  }
  return sections
}

function withTemplateSections(doc: PMJSON): PMJSON {
  const content = [...(doc.content ?? [])]
  const present = new Set(content.filter((block) => block.type === 'heading').map((block) => plainText(block).trim().toLowerCase()))
  // The parser numbered the document's agenda items from 1; appended ones continue after them.
  let next = countAgendaItems(doc) + 1
  for (const section of templateSections()) {
    if (present.has(section.title.trim().toLowerCase())) continue
    append(content, section.blocks.map((block) => renumberAgendaItems(block, () => `item-${next++}`)))
  }
  return checked({ ...doc, content })
}

function fromTemplate(items: PMJSON[], goals: PMJSON[]): PMJSON {
  const template = sessionTemplate().content ?? []
  const content = template.flatMap((block, i): PMJSON[] => {
    const previous = template[i - 1]
    if (goals.length && previous?.type === 'heading' && plainText(previous) === 'Goals') return goals
    if (items.length && block.type === 'agenda_list') return [{ ...block, content: items }]
    return [block]
  })
  let next = 1
  return checked(renumberAgendaItems({ type: 'doc', content }, () => `item-${next++}`))
}

function countAgendaItems(node: PMJSON): number {
  return (node.type === 'agenda_item' ? 1 : 0) + (node.content ?? []).reduce((sum, child) => sum + countAgendaItems(child), 0)
}

/** `node` with every agenda item in it given the id `nextId()` returns, in document order. */
function renumberAgendaItems(node: PMJSON, nextId: () => string): PMJSON {
  const attrs = node.type === 'agenda_item' ? { ...node.attrs, id: nextId() } : node.attrs
  const content = node.content?.map((child) => renumberAgendaItems(child, nextId))
  return { ...node, ...(attrs ? { attrs } : {}), ...(content ? { content } : {}) }
}

function plainText(node: PMJSON): string {
  if (node.type === 'text') return node.text ?? ''
  return (node.content ?? []).map(plainText).join('')
}

/** `json` normalized through the schema; a document that does not fit it is a bug here. */
function checked(json: PMJSON): PMJSON {
  const node = schema.nodeFromJSON(json)
  node.check()
  return node.toJSON()
}

/** Appends `items` to `target` (`push(...items)` overflows the stack past ~100k items). */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item)
}
