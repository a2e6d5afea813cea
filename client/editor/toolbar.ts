/**
 * The pad's formatting toolbar. Each button runs a command from `commands.ts` and shows whether
 * it is active; the tooltip names the shortcut.
 */
import type { Command, EditorState } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { schema } from '../../shared/schema.ts'
import { h } from '../dom.ts'
import * as commands from './commands.ts'

interface Item {
  label: string
  title: string
  command: Command
  active?: (state: EditorState) => boolean
  className?: string
}

const mod = /Mac|iP(hone|ad)/.test(navigator.platform) ? '⌘' : 'Ctrl+'

const groups: Item[][] = [
  [
    { label: 'P', title: `Paragraph (${mod}Alt+0)`, command: commands.setParagraph, active: (s) => commands.isBlockActive(s, schema.nodes.paragraph) },
    { label: 'H1', title: `Heading 1 (${mod}Alt+1)`, command: commands.setHeading(1), active: (s) => commands.isBlockActive(s, schema.nodes.heading, { level: 1 }) },
    { label: 'H2', title: `Heading 2 (${mod}Alt+2)`, command: commands.setHeading(2), active: (s) => commands.isBlockActive(s, schema.nodes.heading, { level: 2 }) },
    { label: 'H3', title: `Heading 3 (${mod}Alt+3)`, command: commands.setHeading(3), active: (s) => commands.isBlockActive(s, schema.nodes.heading, { level: 3 }) },
  ],
  [
    { label: 'B', title: `Bold (${mod}B)`, command: commands.toggleBold, active: (s) => commands.isMarkActive(s, schema.marks.strong), className: 'bold' },
    { label: 'I', title: `Italic (${mod}I)`, command: commands.toggleItalic, active: (s) => commands.isMarkActive(s, schema.marks.em), className: 'italic' },
    { label: '</>', title: `Inline code (${mod}\`)`, command: commands.toggleCode, active: (s) => commands.isMarkActive(s, schema.marks.code), className: 'mono' },
  ],
  [
    { label: '• List', title: `Bullet list (${mod}Shift+8)`, command: commands.toggleBulletList, active: (s) => commands.isInList(s, schema.nodes.bullet_list) },
    { label: '1. List', title: `Numbered list (${mod}Shift+9)`, command: commands.toggleOrderedList, active: (s) => commands.isInList(s, schema.nodes.ordered_list) },
    { label: '☑ Tasks', title: `Task list (${mod}Shift+7)`, command: commands.toggleTaskList, active: (s) => commands.isInList(s, schema.nodes.task_list) },
  ],
  [
    { label: 'Decision', title: `Decision block, or type DECISION: (${mod}Alt+D)`, command: commands.toggleDecision, active: (s) => commands.isBlockActive(s, schema.nodes.decision) },
    { label: 'Action', title: `Action item, or type ACTION: (${mod}Alt+A)`, command: commands.toggleActionItem, active: (s) => commands.isBlockActive(s, schema.nodes.action_item) },
  ],
  [
    { label: '↶', title: `Undo your last change (${mod}Z)`, command: commands.undo },
    { label: '↷', title: `Redo (${mod}Shift+Z)`, command: commands.redo },
  ],
]

/**
 * A button's accessible name: what its tooltip names, starting with the visible label when the
 * name does not already contain it ("H1: Heading 1"), so speech input can use what is on screen
 * (WCAG 2.5.3, axe `label-content-name-mismatch`).
 */
function accessibleName(item: Item): string {
  const name = item.title.replace(/(,| \().*$/, '')
  const visible = item.label.replace(/[^\p{L}\p{N}. ]/gu, '').trim()
  return visible === '' || name.toLowerCase().includes(visible.toLowerCase()) ? name : `${visible}: ${name}`
}

export interface Toolbar {
  element: HTMLElement
  /** Re-reads active and enabled states from the view. */
  update(view: EditorView): void
  /** Asks for a URL and links the selection (the Link button and Mod-K). */
  editLink(): Promise<void>
}

export function createToolbar(getView: () => EditorView | null, askLink: (current: string | null) => Promise<string | null>): Toolbar {
  const buttons: { item: Item; button: HTMLButtonElement }[] = []
  const run = (command: Command) => {
    const view = getView()
    if (!view) return
    command(view.state, view.dispatch, view)
    view.focus()
  }
  const editLink = async () => {
    const view = getView()
    if (!view || view.state.selection.empty) return
    const href = await askLink(commands.linkAt(view.state))
    if (href !== null) run(commands.setLink(href))
  }
  const linkButton = h('button', { type: 'button', class: 'tool', title: `Link (${mod}K)`, 'aria-label': 'Link' }, 'Link')
  linkButton.addEventListener('mousedown', (event) => event.preventDefault())
  linkButton.addEventListener('click', () => void editLink())

  const element = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Formatting' })
  for (const group of groups) {
    const groupElement = h('div', { class: 'tool-group' })
    for (const item of group) {
      const button = h('button', { type: 'button', class: `tool ${item.className ?? ''}`, title: item.title, 'aria-label': accessibleName(item) }, item.label)
      // Suppressing mousedown's default keeps the editor's selection and focus.
      button.addEventListener('mousedown', (event) => event.preventDefault())
      button.addEventListener('click', () => run(item.command))
      buttons.push({ item, button })
      groupElement.append(button)
    }
    if (group === groups[1]) groupElement.append(linkButton)
    element.append(groupElement)
  }

  return {
    element,
    update(view) {
      for (const { item, button } of buttons) {
        const active = item.active?.(view.state) ?? false
        button.classList.toggle('active', active)
        button.setAttribute('aria-pressed', String(active))
        button.disabled = !view.editable || (!active && !item.command(view.state, undefined, view))
      }
      linkButton.disabled = !view.editable || view.state.selection.empty
    },
    editLink,
  }
}
