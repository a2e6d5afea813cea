/**
 * NodeView of an agenda item: the item's text, then its owner, timebox and status. The moderator
 * edits those inline and makes an item current with one click (through the API, so every screen
 * follows); everyone else sees them as labels. The current item (`now`) is highlighted by CSS.
 */
import type { Node as PMNode } from 'prosemirror-model'
import type { EditorView, NodeView } from 'prosemirror-view'
import { agendaStatuses, type AgendaStatus } from '../../../shared/schema.ts'

/** What an agenda item needs from the page around the editor. */
export interface AgendaContext {
  isModerator(): boolean
  /** Makes the item current for everyone (moderator only). */
  setCurrent(itemId: string): void
}

const statusLabel: Record<AgendaStatus, string> = { pending: 'Pending', now: 'Now', done: 'Done', parked: 'Parked' }

export class AgendaItemView implements NodeView {
  readonly dom: HTMLLIElement
  readonly contentDOM: HTMLDivElement
  private readonly meta: HTMLSpanElement

  constructor(
    private node: PMNode,
    private readonly view: EditorView,
    private readonly getPos: () => number | undefined,
    private readonly context: AgendaContext,
  ) {
    this.dom = document.createElement('li')
    this.dom.className = 'agenda-item'
    this.contentDOM = document.createElement('div')
    this.contentDOM.className = 'agenda-text'
    this.meta = document.createElement('span')
    this.meta.className = 'agenda-meta'
    this.meta.contentEditable = 'false'
    // The li stays a list item (keeping its number); the row inside lays out text and labels.
    const row = document.createElement('div')
    row.className = 'agenda-row'
    row.append(this.contentDOM, this.meta)
    this.dom.append(row)
    this.render()
  }

  update(node: PMNode): boolean {
    if (node.type !== this.node.type) return false
    const changed = !node.sameMarkup(this.node)
    this.node = node
    if (changed) this.render()
    return true
  }

  stopEvent(event: Event): boolean {
    return this.meta.contains(event.target as Node)
  }

  ignoreMutation(mutation: MutationRecord | { type: 'selection'; target: Node }): boolean {
    return this.meta.contains(mutation.target)
  }

  /** Re-renders the labels (e.g. after the moderator role becomes known). */
  render(): void {
    const { id, owner, timebox, status } = this.node.attrs as { id: string | null; owner: string; timebox: number; status: AgendaStatus }
    this.dom.dataset.status = status
    if (id) this.dom.dataset.id = id
    const editable = this.context.isModerator() && this.view.editable
    this.meta.replaceChildren()
    if (editable) {
      this.meta.append(
        this.button('▶', 'Make this the current item', () => id && this.context.setCurrent(id), status === 'now'),
        this.input('owner', owner, 'Owner', (value) => this.setAttr('owner', value.trim().slice(0, 60))),
        this.input('timebox', timebox ? String(timebox) : '', 'Minutes', (value) => this.setAttr('timebox', Math.max(0, Math.min(600, Number.parseInt(value, 10) || 0)))),
        // The timebox is in minutes: said beside the field, not only in its placeholder.
        this.unit('min'),
        this.select(status),
      )
    } else {
      if (owner) this.meta.append(this.label('owner', `@${owner}`))
      if (timebox) this.meta.append(this.label('timebox', `${timebox} min`))
      if (status !== 'pending') this.meta.append(this.label(`status status-${status}`, statusLabel[status]))
    }
  }

  private setAttr(name: string, value: unknown): void {
    const pos = this.getPos()
    if (pos === undefined || this.node.attrs[name] === value) return
    this.view.dispatch(this.view.state.tr.setNodeAttribute(pos, name, value))
  }

  private unit(text: string): HTMLElement {
    const span = document.createElement('span')
    span.className = 'agenda-unit'
    span.setAttribute('aria-hidden', 'true')
    span.textContent = text
    return span
  }

  private label(kind: string, text: string): HTMLElement {
    const span = document.createElement('span')
    span.className = `agenda-chip ${kind}`
    span.textContent = text
    return span
  }

  private button(text: string, title: string, onClick: () => void, pressed: boolean): HTMLButtonElement {
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'agenda-current'
    button.textContent = text
    button.title = title
    button.setAttribute('aria-label', title)
    button.setAttribute('aria-pressed', String(pressed))
    button.addEventListener('click', onClick)
    return button
  }

  private input(kind: string, value: string, placeholder: string, commit: (value: string) => void): HTMLInputElement {
    const input = document.createElement('input')
    input.className = `agenda-input ${kind}`
    input.value = value
    input.placeholder = placeholder
    input.setAttribute('aria-label', placeholder)
    if (kind === 'timebox') input.inputMode = 'numeric'
    input.addEventListener('change', () => commit(input.value))
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault()
        commit(input.value)
        this.view.focus()
      }
    })
    return input
  }

  private select(status: AgendaStatus): HTMLSelectElement {
    const select = document.createElement('select')
    select.className = 'agenda-status'
    select.setAttribute('aria-label', 'Status')
    for (const value of agendaStatuses) {
      const option = document.createElement('option')
      option.value = value
      option.textContent = statusLabel[value]
      option.selected = value === status
      select.append(option)
    }
    select.addEventListener('change', () => {
      const value = select.value as AgendaStatus
      const id = this.node.attrs.id as string | null
      if (value === 'now' && id) this.context.setCurrent(id)
      else this.setAttr('status', value)
    })
    return select
  }
}
