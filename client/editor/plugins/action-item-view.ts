/**
 * NodeView of an Action item block: a done/open checkbox, the "Action" label, and the text,
 * where `@owner` and `due YYYY-MM-DD` are written inline (the archive extracts them).
 */
import type { Node as PMNode } from 'prosemirror-model'
import type { EditorView, NodeView } from 'prosemirror-view'

export class ActionItemView implements NodeView {
  readonly dom: HTMLDivElement
  readonly contentDOM: HTMLDivElement
  private readonly checkbox: HTMLInputElement

  constructor(
    private node: PMNode,
    view: EditorView,
    getPos: () => number | undefined,
  ) {
    this.dom = document.createElement('div')
    this.dom.className = 'action-item'
    this.dom.dataset.type = 'action'
    const gutter = document.createElement('span')
    gutter.className = 'block-label'
    gutter.contentEditable = 'false'
    this.checkbox = document.createElement('input')
    this.checkbox.type = 'checkbox'
    this.checkbox.setAttribute('aria-label', 'Action done')
    this.checkbox.addEventListener('mousedown', (event) => event.preventDefault())
    this.checkbox.addEventListener('change', () => {
      const pos = getPos()
      if (pos === undefined || !view.editable) {
        this.render()
        return
      }
      view.dispatch(view.state.tr.setNodeAttribute(pos, 'done', this.checkbox.checked))
    })
    const label = document.createElement('span')
    label.textContent = 'Action'
    gutter.append(this.checkbox, label)
    this.contentDOM = document.createElement('div')
    this.contentDOM.className = 'block-content'
    this.dom.append(gutter, this.contentDOM)
    this.render()
  }

  update(node: PMNode): boolean {
    if (node.type !== this.node.type) return false
    this.node = node
    this.render()
    return true
  }

  stopEvent(event: Event): boolean {
    return event.target === this.checkbox
  }

  ignoreMutation(mutation: MutationRecord | { type: 'selection'; target: Node }): boolean {
    return !this.contentDOM.contains(mutation.target)
  }

  private render(): void {
    const done = this.node.attrs.done as boolean
    this.checkbox.checked = done
    this.dom.dataset.done = String(done)
  }
}
