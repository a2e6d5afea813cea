/**
 * A NodeView for task items: a real checkbox beside the item's content. Ticking it toggles the
 * item's `checked` attribute in the shared doc, so everyone sees the tick.
 */
import type { Node as PMNode } from 'prosemirror-model'
import type { EditorView, NodeView } from 'prosemirror-view'

export class TaskItemView implements NodeView {
  readonly dom: HTMLLIElement
  readonly contentDOM: HTMLDivElement
  private readonly checkbox: HTMLInputElement

  constructor(
    private node: PMNode,
    view: EditorView,
    getPos: () => number | undefined,
  ) {
    this.dom = document.createElement('li')
    this.dom.className = 'task-item'
    this.checkbox = document.createElement('input')
    this.checkbox.type = 'checkbox'
    this.checkbox.setAttribute('aria-label', 'Done')
    this.checkbox.contentEditable = 'false'
    this.checkbox.addEventListener('mousedown', (event) => event.preventDefault())
    this.checkbox.addEventListener('change', () => {
      const pos = getPos()
      if (pos === undefined || !view.editable) {
        this.checkbox.checked = this.node.attrs.checked as boolean
        return
      }
      view.dispatch(view.state.tr.setNodeAttribute(pos, 'checked', this.checkbox.checked))
    })
    const box = document.createElement('span')
    box.className = 'task-checkbox'
    box.contentEditable = 'false'
    box.append(this.checkbox)
    this.contentDOM = document.createElement('div')
    this.contentDOM.className = 'task-content'
    this.dom.append(box, this.contentDOM)
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
    return mutation.target === this.checkbox || mutation.target === this.checkbox.parentNode
  }

  private render(): void {
    const checked = this.node.attrs.checked as boolean
    this.checkbox.checked = checked
    this.dom.dataset.checked = String(checked)
  }
}
