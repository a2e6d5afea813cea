/**
 * Markdown-like shortcuts typed at the start of a line: `# `, `- `, `1. `, `[ ] `, and the typed
 * outcome blocks `DECISION: ` and `ACTION: `.
 */
import { inputRules, textblockTypeInputRule, wrappingInputRule } from 'prosemirror-inputrules'
import type { Plugin } from 'prosemirror-state'
import { schema } from '../../shared/schema.ts'

const { nodes } = schema

export function editorInputRules(): Plugin {
  return inputRules({
    rules: [
      textblockTypeInputRule(/^DECISION:\s$/i, nodes.decision),
      textblockTypeInputRule(/^ACTION:\s$/i, nodes.action_item, { done: false }),
      textblockTypeInputRule(/^(#{1,3})\s$/, nodes.heading, (match) => ({ level: match[1]!.length })),
      wrappingInputRule(/^\s*\[([ xX]?)\]\s$/, nodes.task_list, () => ({}), () => true),
      wrappingInputRule(/^\s*([-+*])\s$/, nodes.bullet_list),
      wrappingInputRule(
        /^(\d+)\.\s$/,
        nodes.ordered_list,
        (match) => ({ order: Number(match[1]) }),
        (match, node) => node.childCount + (node.attrs.order as number) === Number(match[1]),
      ),
    ],
  })
}
