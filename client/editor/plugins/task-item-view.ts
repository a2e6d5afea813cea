/** NodeView for task items: a real checkbox beside the item's content, bound to `checked`. */
import type { Node as PMNode } from 'prosemirror-model'
import type { EditorView } from 'prosemirror-view'
import { CheckableView } from './checkable-view.ts'

export class TaskItemView extends CheckableView {
  readonly dom: HTMLLIElement
  readonly contentDOM: HTMLDivElement

  constructor(node: PMNode, view: EditorView, getPos: () => number | undefined) {
    super(node, view, getPos, 'checked', 'Done')
    this.dom = document.createElement('li')
    this.dom.className = 'task-item'
    const box = document.createElement('span')
    box.className = 'task-checkbox'
    box.contentEditable = 'false'
    box.append(this.checkbox)
    this.contentDOM = document.createElement('div')
    this.contentDOM.className = 'task-content'
    this.dom.append(box, this.contentDOM)
    this.render()
  }
}
