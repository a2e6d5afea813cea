/**
 * Reads a pad's Y.XmlFragment as ProseMirror JSON, the way y-prosemirror's
 * `yXmlFragmentToProsemirrorJSON` does, but for any content a stored pad may hold: it never
 * throws on a child that is neither an element nor text (it is skipped), and it stops at
 * `maxExportDepth` levels (deeper content becomes one `tooDeepNodeType` node, which the exporters
 * skip with a note) so a pad of 20,000 nested elements cannot overflow the stack (issue 15 part 3).
 * What comes out may still not fit the schema: the exporters repair it (shared/export/pad-node.ts).
 */
import * as Y from 'yjs'
import { maxExportDepth, tooDeepNodeType } from '../../shared/export/pad-node.ts'
import type { PMJSON } from '../../shared/template.ts'

/** A y-prosemirror format key without the hash overlapping marks carry (`link--abcd1234`). */
function markName(key: string): string {
  return /^(.*)--[a-zA-Z0-9+/=]{8}$/.exec(key)?.[1] ?? key
}

/**
 * The pad as ProseMirror JSON; an empty fragment gives one empty paragraph (the schema wants at
 * least one block). Never throws.
 */
export function padJsonOf(fragment: Y.XmlFragment): PMJSON {
  const content = childrenJson(fragment, 1)
  return { type: 'doc', content: content.length ? content : [{ type: 'paragraph' }] }
}

function childrenJson(parent: Y.XmlFragment | Y.XmlElement, depth: number): PMJSON[] {
  const result: PMJSON[] = []
  for (const child of parent.toArray()) {
    if (child instanceof Y.XmlText) {
      for (const run of child.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]) {
        if (typeof run.insert !== 'string') continue
        const text: PMJSON = { type: 'text', text: run.insert }
        if (run.attributes) {
          text.marks = Object.entries(run.attributes).map(([key, attrs]) => ({ type: markName(key), ...(attrs && typeof attrs === 'object' ? { attrs: attrs as Record<string, unknown> } : {}) }))
        }
        result.push(text)
      }
    } else if (child instanceof Y.XmlElement) {
      if (depth >= maxExportDepth) {
        result.push({ type: tooDeepNodeType })
        continue
      }
      const node: PMJSON = { type: child.nodeName }
      const attrs = child.getAttributes()
      if (Object.keys(attrs).length) node.attrs = attrs
      const content = childrenJson(child, depth + 1)
      if (content.length) node.content = content
      result.push(node)
    }
  }
  return result
}
