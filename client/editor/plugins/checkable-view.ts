/**
 * The base of NodeViews with a checkbox bound to a boolean node attribute (task items' `checked`,
 * action items' `done`). Ticking it changes the attribute in the shared doc, so everyone sees it;
 * in a read-only view the tick is undone.
 */
import type { Node as PMNode } from 'prosemirror-model'
import type { EditorView, NodeView } from 'prosemirror-view'

export abstract class CheckableView implements NodeView {
  abstract readonly dom: HTMLElement
  abstract readonly contentDOM: HTMLElement
  protected readonly checkbox: HTMLInputElement

  constructor(
    protected node: PMNode,
    view: EditorView,
    getPos: () => number | undefined,
    private readonly attr: string,
    label: string,
  ) {
    this.checkbox = document.createElement('input')
    this.checkbox.type = 'checkbox'
    this.checkbox.setAttribute('aria-label', label)
    this.checkbox.addEventListener('mousedown', (event) => event.preventDefault())
    this.checkbox.addEventListener('change', () => {
      const pos = getPos()
      if (pos === undefined || !view.editable) {
        this.render()
        return
      }
      view.dispatch(view.state.tr.setNodeAttribute(pos, this.attr, this.checkbox.checked))
    })
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

  /** Shows the attribute's value on the checkbox and as `data-<attr>` on the block. */
  protected render(): void {
    const value = this.node.attrs[this.attr] as boolean
    this.checkbox.checked = value
    this.dom.dataset[this.attr] = String(value)
  }
}
