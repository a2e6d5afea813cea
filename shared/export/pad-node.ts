/**
 * A pad's ProseMirror JSON as a document of `shared/schema.ts`, whatever the JSON holds. Exports
 * and the archive must never fail on a pad the editor can load (issue 15 part 3): a pad stored
 * before the server checked updates may hold elements, attributes or marks the schema does not
 * have, content where the schema allows none, or nesting no exporter's recursion survives. Each
 * of those is skipped or reshaped, and a note says what, so an export can tell its reader.
 *
 * JSON that already fits the schema comes back unchanged (the same node `nodeFromJSON` makes).
 */
import { Fragment, type ContentMatch, type Mark, type Node as PMNode, type NodeType } from 'prosemirror-model'
import { schema } from '../schema.ts'
import type { PMJSON } from '../template.ts'

/** Deepest node nesting an export renders; deeper content is skipped with a note. @default 64 */
export const maxExportDepth = 64

/**
 * The node type a fragment reader writes in place of content nested deeper than it reads
 * (server/archive's reader): skipped here with the depth note.
 */
export const tooDeepNodeType = 'summitpad_too_deep'

/** A pad as a schema document, with what had to be skipped or reshaped to make it one. */
export interface PadNode {
  node: PMNode
  /** One line per kind of thing skipped, with a count (`element "script" skipped (2)`); empty when none. */
  notes: string[]
}

/** `doc` as a document of the pad schema; never throws (see the module comment). */
export function padNode(doc: PMJSON): PadNode {
  try {
    if (depthWithin(doc, maxExportDepth)) {
      const node = schema.nodeFromJSON(doc)
      node.check()
      if (node.type === schema.topNodeType) return { node, notes: [] }
    }
  } catch {
    // reason: not a schema document as it stands; the repair below says what it changed.
  }
  const notes = new Map<string, number>()
  const note = (text: string) => notes.set(text, (notes.get(text) ?? 0) + 1)
  const blocks = repairChildren(doc.type === 'doc' ? (doc.content ?? []) : [doc], schema.topNodeType, 1, note)
  const content = blocks.length ? blocks : [schema.nodes.paragraph.create()]
  const node = schema.topNodeType.createAndFill(null, content) ?? schema.topNodeType.create(null, [schema.nodes.paragraph.create()])
  return { node, notes: [...notes].map(([text, count]) => (count > 1 ? `${text} (${count})` : text)) }
}

/** The sentence exports put after the pad when `notes` is not empty; '' otherwise. */
export function skippedNote(notes: string[]): string {
  return notes.length ? `Note: this export left out content the pad's schema does not have: ${notes.join('; ')}.` : ''
}

/** True when no node of `json` is nested deeper than `max` (iterative: the JSON may be very deep). */
function depthWithin(json: PMJSON, max: number): boolean {
  const stack: [PMJSON, number][] = [[json, 0]]
  while (stack.length) {
    const [node, depth] = stack.pop()!
    if (depth > max) return false
    for (const child of Array.isArray(node.content) ? node.content : []) stack.push([child, depth + 1])
  }
  return true
}

/** The children of a `parent` node as schema nodes that `parent` can hold. */
function repairChildren(children: readonly PMJSON[], parent: NodeType, depth: number, note: (text: string) => void): PMNode[] {
  const nodes: PMNode[] = []
  for (const child of children) {
    const node = repairNode(child, depth, note)
    if (node) nodes.push(node)
  }
  return fit(nodes, parent, note)
}

function repairNode(json: PMJSON, depth: number, note: (text: string) => void): PMNode | null {
  if (typeof json !== 'object' || json === null || typeof json.type !== 'string') {
    note('malformed content skipped')
    return null
  }
  if (json.type === tooDeepNodeType || depth > maxExportDepth) {
    note(`content nested deeper than ${maxExportDepth} levels skipped`)
    return null
  }
  const marks = repairMarks(json.marks, note)
  if (json.type === 'text') {
    if (typeof json.text !== 'string' || json.text === '') return null
    return schema.text(json.text, marks)
  }
  const type = schema.nodes[json.type]
  if (!type || type === schema.topNodeType) {
    note(`element "${json.type.slice(0, 40)}" skipped`)
    return null
  }
  const attrs = repairAttrs(type, json.attrs, note)
  const content = repairChildren(Array.isArray(json.content) ? json.content : [], type, depth + 1, note)
  const made = type.createAndFill(attrs, content, type.isInline ? marks : undefined)
  if (made) return made
  // Content this type cannot hold even after fitting: keep its text in a paragraph.
  note(`"${type.name}" reshaped`)
  const text = Fragment.from(content).textBetween(0, Fragment.from(content).size, ' ', ' ')
  return schema.nodes.paragraph.create(null, text ? schema.text(text) : null)
}

/** Marks the schema has, with attributes it accepts; others are dropped with a note. */
function repairMarks(marks: unknown, note: (text: string) => void): Mark[] {
  if (!Array.isArray(marks)) return []
  const result: Mark[] = []
  for (const json of marks as { type?: unknown; attrs?: unknown }[]) {
    const type = typeof json?.type === 'string' ? schema.marks[json.type] : undefined
    if (!type || type.name === 'ychange') {
      note(`mark "${String(json?.type).slice(0, 40)}" skipped`)
      continue
    }
    try {
      result.push(type.create(json.attrs as Record<string, unknown> | null))
    } catch {
      note(`mark "${type.name}" with attributes it cannot have skipped`)
    }
  }
  return result
}

/** `attrs` limited to the attributes `type` has; a value its spec refuses falls back to the default. */
function repairAttrs(type: NodeType, attrs: unknown, note: (text: string) => void): Record<string, unknown> {
  const given = typeof attrs === 'object' && attrs !== null ? (attrs as Record<string, unknown>) : {}
  const result: Record<string, unknown> = {}
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(type.spec.attrs ?? {}, name)) {
      note(`attribute "${name.slice(0, 40)}" skipped`)
      continue
    }
    try {
      type.create({ [name]: given[name] })
      result[name] = given[name]
    } catch {
      note(`attribute "${name.slice(0, 40)}" with a value it cannot have skipped`)
    }
  }
  return result
}

/**
 * `nodes` arranged so `parent` can hold them: inline content in a block container is wrapped in
 * paragraphs, block content in a textblock is reduced to its text, and what still does not fit
 * is left out with a note.
 */
function fit(nodes: PMNode[], parent: NodeType, note: (text: string) => void): PMNode[] {
  if (parent.inlineContent) {
    const inline: PMNode[] = []
    for (const node of nodes) {
      if (node.isInline) inline.push(node)
      else {
        const text = node.textContent
        if (text) inline.push(schema.text(text))
      }
    }
    return inline
  }
  const blocks: PMNode[] = []
  let run: PMNode[] = []
  const flush = () => {
    if (run.length) blocks.push(schema.nodes.paragraph.create(null, run))
    run = []
  }
  for (const node of nodes) {
    if (node.isInline) run.push(node)
    else {
      flush()
      blocks.push(node)
    }
  }
  flush()
  // Keep each block where the parent's content expression allows it (with filling), else skip it.
  const kept: PMNode[] = []
  let match = parent.contentMatch
  for (const block of blocks) {
    const fill = match.fillBefore(Fragment.from(block))
    const next = fill ? match.matchFragment(fill)?.matchType(block.type) : null
    if (!fill || !next) {
      // A list item outside a list, or a paragraph directly in a list: wrap or skip.
      const wrapped = wrapFor(block, match)
      if (wrapped) {
        kept.push(wrapped)
        match = match.matchType(wrapped.type)!
        continue
      }
      note(`"${block.type.name}" out of place skipped`)
      continue
    }
    fill.forEach((filler) => kept.push(filler))
    kept.push(block)
    match = next
  }
  return kept
}

/** `block` in the node the match expects (e.g. a paragraph inside a list item), or null. */
function wrapFor(block: PMNode, match: ContentMatch): PMNode | null {
  const wrapping = match.findWrapping(block.type)
  if (!wrapping || wrapping.length === 0) return null
  let node = block
  for (let i = wrapping.length - 1; i >= 0; i--) {
    const made = wrapping[i]!.createAndFill(null, node)
    if (!made) return null
    node = made
  }
  return node
}
