/**
 * Outcome extraction: the decisions and action items of a pad, read from its ProseMirror JSON.
 *
 * Decisions come from two places: `decision` blocks anywhere, and the ordinary blocks of the
 * "Decisions" section (every paragraph and list item under a heading whose text is "Decisions",
 * up to the next heading of the same or a higher level). Action items are `action_item` blocks and
 * `task_item`s anywhere. The walk is over plain JSON (no schema), so it also accepts the JSON that
 * y-prosemirror writes, where attributes left at their default may be missing.
 */
import { parseCarryHref, type CarriedFrom } from './follow-up.ts'
import type { PMJSON } from './template.ts'

/** One action item of a pad. */
export interface ActionOutcome {
  /** The item's own text (its paragraphs; nested lists are items of their own), trimmed. */
  text: string
  /** The first `@name` in the text, without the `@`; null when there is none. */
  owner: string | null
  /** A `YYYY-MM-DD` date from the text (the one after "due" when there is one), or null. */
  due: string | null
  done: boolean
  /** `action`: an `action_item` block; `task`: a `task_item` of a task list. */
  source: 'action' | 'task'
  /**
   * For an item carried into a follow-up session: the earlier session and the item's index among
   * its archived actions (read from the item's link back, whose text is not part of `text`).
   */
  from?: CarriedFrom
}

/** The outcomes of a pad, in document order. */
export interface Outcomes {
  decisions: string[]
  actions: ActionOutcome[]
}

const decisionsHeading = 'decisions'

/**
 * Extracts the decisions and action items of `doc` (a pad document), in document order.
 *
 * - decisions: the text of every `decision` block, plus the text of each paragraph and list item
 *   (bullet, ordered or agenda; each nested item on its own) in the "Decisions" section (heading
 *   text compared trimmed and case-insensitively). Headings, task items and action blocks inside
 *   that section are not decisions. Empty texts are skipped, and a text that repeats an earlier
 *   decision (ignoring case and runs of white space) is counted once.
 * - actions: every non-empty `action_item` (done from its `done` attribute) and `task_item`
 *   (done when `checked`), with owner and due date read from the text by {@link ActionOutcome}'s
 *   rules.
 *
 * The text of a block is its text nodes joined, with a hard break read as a space. Pure; never
 * throws for JSON of the pad schema and tolerates unknown node types (their content is walked).
 */
export function extractOutcomes(doc: PMJSON): Outcomes {
  const decisions: string[] = []
  const seen = new Set<string>()
  const actions: ActionOutcome[] = []

  const addDecision = (value: string) => {
    const text = value.trim()
    const key = text.replace(/\s+/g, ' ').toLowerCase()
    if (!text || seen.has(key)) return
    seen.add(key)
    decisions.push(text)
  }
  const addAction = (node: PMJSON, value: string, done: boolean, source: ActionOutcome['source']) => {
    const text = value.trim()
    if (!text) return
    const from = carriedFrom(node)
    actions.push({ text, owner: findOwner(text), due: findDue(text), done, source, ...(from ? { from } : {}) })
  }

  // `inSection`: the node sits in the Decisions section, so its paragraphs and items are decisions.
  const visit = (node: PMJSON, inSection: boolean): void => {
    switch (node.type) {
      case 'decision':
        addDecision(inlineText(node))
        return
      case 'action_item':
        addAction(node, inlineText(node, true), node.attrs?.done === true, 'action')
        return
      case 'task_item':
        addAction(node, ownText(node, true), node.attrs?.checked === true, 'task')
        for (const child of node.content ?? []) if (child.type !== 'paragraph') visit(child, false)
        return
      case 'paragraph':
        // Only reached for paragraphs directly in a section: items read their own paragraphs.
        if (inSection) addDecision(inlineText(node))
        return
      case 'list_item':
      case 'agenda_item':
        if (inSection) addDecision(ownText(node))
        for (const child of node.content ?? []) if (child.type !== 'paragraph') visit(child, inSection)
        return
      case 'heading':
        return
      default:
        for (const child of node.content ?? []) visit(child, inSection)
    }
  }

  let sectionLevel: number | null = null
  for (const block of doc.content ?? []) {
    if (block.type === 'heading') {
      const level = headingLevel(block)
      if (sectionLevel !== null && level <= sectionLevel) sectionLevel = null
      if (inlineText(block).trim().toLowerCase() === decisionsHeading) sectionLevel = level
      continue
    }
    visit(block, sectionLevel !== null)
  }
  return { decisions, actions }
}

function headingLevel(node: PMJSON): number {
  const level = Number(node.attrs?.level ?? 1)
  return Number.isFinite(level) ? level : 1
}

/**
 * The text of a textblock: its text nodes joined, a hard break read as a space. `withoutCarry`
 * leaves out the text of a follow-up's link back (`shared/follow-up.ts`), so a carried action
 * reads the same in every session it passes through.
 */
function inlineText(node: PMJSON, withoutCarry = false): string {
  return (node.content ?? [])
    .map((child) => (child.type === 'hard_break' ? ' ' : withoutCarry && carryOf(child) ? '' : (child.text ?? '')))
    .join('')
}

/** The text of an item's own paragraphs (not of its nested lists), joined with a space. */
function ownText(item: PMJSON, withoutCarry = false): string {
  return (item.content ?? [])
    .filter((child) => child.type === 'paragraph')
    .map((child) => inlineText(child, withoutCarry))
    .filter((text) => text.trim() !== '')
    .join(' ')
}

/** The origin named by a text node's link when it is a carry link. */
function carryOf(child: PMJSON): CarriedFrom | null {
  const link = child.marks?.find((mark) => mark.type === 'link')
  return link ? parseCarryHref(link.attrs?.href) : null
}

/** The first carry link in an action's own text (an item's own paragraphs), or null. */
function carriedFrom(node: PMJSON): CarriedFrom | null {
  const blocks = node.type === 'task_item' ? (node.content ?? []).filter((child) => child.type === 'paragraph') : [node]
  for (const block of blocks) {
    for (const child of block.content ?? []) {
      const from = carryOf(child)
      if (from) return from
    }
  }
  return null
}

// A name is letters, digits, `.`, `_` and `-`; the `@` must not follow a name character, so an
// e-mail address (`sean@example.org`) is no owner.
const ownerPattern = /(?:^|[^\p{L}\p{N}._@-])@([\p{L}\p{N}._-]+)/u
const datePattern = String.raw`\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])`
const dueDatePattern = new RegExp(String.raw`\bdue\b\D{0,12}?(?<![\d-])(${datePattern})(?![\d-])`, 'i')
const anyDatePattern = new RegExp(String.raw`(?<![\d-])(${datePattern})(?![\d-])`)

/** The first `@name` of `text`, without the `@` and without sentence punctuation after it. */
function findOwner(text: string): string | null {
  const name = ownerPattern.exec(text)?.[1]?.replace(/[._-]+$/, '')
  return name ? name : null
}

/** The `YYYY-MM-DD` after the word "due", else the first such date, else null. */
function findDue(text: string): string | null {
  return dueDatePattern.exec(text)?.[1] ?? anyDatePattern.exec(text)?.[1] ?? null
}
