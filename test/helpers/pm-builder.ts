/**
 * Builders for pad content as ProseMirror JSON, like prosemirror-test-builder's `doc(p("…"))`:
 *
 *   doc(h2('Goals'), p('ship ', strong('it')), ul(li('one'), li('two')))
 *
 * `doc` checks the result against `shared/schema.ts` and returns it as `Node.toJSON()` writes
 * it (every attribute present, adjacent text runs merged), so it compares equal to what the
 * importer produces.
 */
import { schema } from '../../shared/schema.ts'
import type { PMJSON } from '../../shared/template.ts'

/** Inline content: a string is a plain text run; arrays (from mark builders) are spliced in. */
export type InlineArg = string | PMJSON | PMJSON[]
/** List item content: inline arguments become one paragraph; block arguments are kept. */
export type ItemArg = InlineArg

type Mark = NonNullable<PMJSON['marks']>[number]

const inlineTypes = new Set(['text', 'hard_break'])

function inline(args: InlineArg[]): PMJSON[] {
  return args.flat().filter((arg) => arg !== '').map((arg) => (typeof arg === 'string' ? { type: 'text', text: arg } : arg))
}

function block(type: string, args: InlineArg[], attrs?: Record<string, unknown>): PMJSON {
  const content = inline(args)
  return { type, ...(attrs ? { attrs } : {}), ...(content.length ? { content } : {}) }
}

function itemContent(args: ItemArg[]): PMJSON[] {
  const isInline = (arg: ItemArg) => typeof arg === 'string' || Array.isArray(arg) || inlineTypes.has(arg.type)
  if (args.every(isInline)) return [p(...args)]
  return args.map((arg) => (typeof arg === 'string' || Array.isArray(arg) || inlineTypes.has(arg.type) ? p(arg) : arg))
}

function withMark(mark: Mark, args: InlineArg[]): PMJSON[] {
  return inline(args).map((node) => (node.type === 'text' ? { ...node, marks: [...(node.marks ?? []), mark] } : node))
}

/** A document of `blocks`, checked against the schema and normalized as `Node.toJSON()` writes it. */
export function doc(...blocks: PMJSON[]): PMJSON {
  const node = schema.nodeFromJSON({ type: 'doc', content: blocks })
  node.check()
  const json: PMJSON = node.toJSON()
  return json
}

/** A paragraph. */
export const p = (...content: InlineArg[]): PMJSON => block('paragraph', content)
/** Headings of level 1, 2 and 3. */
export const h1 = (...content: InlineArg[]): PMJSON => block('heading', content, { level: 1 })
export const h2 = (...content: InlineArg[]): PMJSON => block('heading', content, { level: 2 })
export const h3 = (...content: InlineArg[]): PMJSON => block('heading', content, { level: 3 })
/** A hard break. */
export const br = (): PMJSON => ({ type: 'hard_break' })
/** A decision block. */
export const decision = (...content: InlineArg[]): PMJSON => block('decision', content)
/** An open action item block. */
export const action = (...content: InlineArg[]): PMJSON => block('action_item', content, { done: false })
/** A done action item block. */
export const actionDone = (...content: InlineArg[]): PMJSON => block('action_item', content, { done: true })

/** A list item: inline arguments make its paragraph, block arguments are its blocks. */
export const li = (...content: ItemArg[]): PMJSON => ({ type: 'list_item', content: itemContent(content) })
/** A bullet list. */
export const ul = (...items: PMJSON[]): PMJSON => ({ type: 'bullet_list', content: items })
/** An ordered list numbered from 1. */
export const ol = (...items: PMJSON[]): PMJSON => ({ type: 'ordered_list', attrs: { order: 1 }, content: items })
/** An ordered list numbered from `order`. */
export const olFrom = (order: number, ...items: PMJSON[]): PMJSON => ({ type: 'ordered_list', attrs: { order }, content: items })

/** A task list. */
export const tasks = (...items: PMJSON[]): PMJSON => ({ type: 'task_list', content: items })
/** An unchecked task item (content as for `li`). */
export const todo = (...content: ItemArg[]): PMJSON => ({ type: 'task_item', attrs: { checked: false }, content: itemContent(content) })
/** A checked task item (content as for `li`). */
export const done = (...content: ItemArg[]): PMJSON => ({ type: 'task_item', attrs: { checked: true }, content: itemContent(content) })

/** Attributes of an agenda item; the schema's defaults fill the rest. */
export interface AgendaAttrs {
  id?: string | null
  owner?: string
  timebox?: number
  status?: 'pending' | 'now' | 'done' | 'parked'
}
/** An agenda list. */
export const agenda = (...items: PMJSON[]): PMJSON => ({ type: 'agenda_list', content: items })
/** An agenda item with `attrs` (content as for `li`). */
export const item = (attrs: AgendaAttrs, ...content: ItemArg[]): PMJSON => ({
  type: 'agenda_item',
  attrs: { id: null, owner: '', timebox: 0, status: 'pending', ...attrs },
  content: itemContent(content),
})

/** Marks every text run of `content`; returns the runs (spliced in by the block builders). */
export const strong = (...content: InlineArg[]): PMJSON[] => withMark({ type: 'strong' }, content)
export const em = (...content: InlineArg[]): PMJSON[] => withMark({ type: 'em' }, content)
/** A code-marked text run. */
export const code = (text: string): PMJSON => ({ type: 'text', text, marks: [{ type: 'code' }] })
/** Links every text run of `content` to `href`. */
export const link = (href: string, content: InlineArg | InlineArg[], title: string | null = null): PMJSON[] =>
  withMark({ type: 'link', attrs: { href, title } }, Array.isArray(content) ? content : [content])
