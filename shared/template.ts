/**
 * The design-session template every new pad starts from: Goals, Agenda (a list), Notes,
 * Decisions, Action items (a task list). Pure: returns ProseMirror JSON of `shared/schema.ts`.
 */
import type { Node as PMNode } from 'prosemirror-model'
import { schema } from './schema.ts'

/** ProseMirror JSON as produced by `Node.toJSON()`. */
export interface PMJSON {
  type: string
  attrs?: Record<string, unknown>
  content?: PMJSON[]
  text?: string
  marks?: { type: string; attrs?: Record<string, unknown> }[]
}

const text = (value: string): PMJSON => ({ type: 'text', text: value })
const paragraph = (value?: string): PMJSON =>
  value ? { type: 'paragraph', content: [text(value)] } : { type: 'paragraph' }
const heading = (level: number, value: string): PMJSON => ({
  type: 'heading',
  attrs: { level },
  content: [text(value)],
})

/** Options that fill the template; every field is optional. */
export interface TemplateOptions {
  title?: string
  /** Free-text description placed under Goals. */
  description?: string
}

/** Builds the template document as ProseMirror JSON. */
export function sessionTemplate(options: TemplateOptions = {}): PMJSON {
  const content: PMJSON[] = []
  if (options.title) content.push(heading(1, options.title))
  content.push(heading(2, 'Goals'), paragraph(options.description))
  content.push(heading(2, 'Agenda'), {
    type: 'agenda_list',
    content: [{ type: 'agenda_item', attrs: { id: 'item-1', owner: '', timebox: 0, status: 'pending' }, content: [paragraph()] }],
  })
  content.push(heading(2, 'Notes'), paragraph())
  content.push(heading(2, 'Decisions'), { type: 'bullet_list', content: [{ type: 'list_item', content: [paragraph()] }] })
  content.push(heading(2, 'Action items'), {
    type: 'task_list',
    content: [{ type: 'task_item', attrs: { checked: false }, content: [paragraph()] }],
  })
  return { type: 'doc', content }
}

/** The template as a checked ProseMirror node; throws a RangeError if it does not fit the schema. */
export function sessionTemplateNode(options: TemplateOptions = {}): PMNode {
  const node = schema.nodeFromJSON(sessionTemplate(options))
  node.check()
  return node
}
