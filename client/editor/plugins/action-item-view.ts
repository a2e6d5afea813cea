/**
 * NodeView of an Action item block: a done/open checkbox, the "Action" label, and the text,
 * where `@owner` and `due YYYY-MM-DD` are written inline (the archive extracts them).
 */
import type { Node as PMNode } from 'prosemirror-model'
import type { EditorView } from 'prosemirror-view'
import { CheckableView } from './checkable-view.ts'

export class ActionItemView extends CheckableView {
  readonly dom: HTMLDivElement
  readonly contentDOM: HTMLDivElement

  constructor(node: PMNode, view: EditorView, getPos: () => number | undefined) {
    super(node, view, getPos, 'done', 'Action done')
    this.dom = document.createElement('div')
    this.dom.className = 'action-item'
    this.dom.dataset.type = 'action'
    const gutter = document.createElement('span')
    gutter.className = 'block-label'
    gutter.contentEditable = 'false'
    const label = document.createElement('span')
    label.textContent = 'Action'
    gutter.append(this.checkbox, label)
    this.contentDOM = document.createElement('div')
    this.contentDOM.className = 'block-content'
    this.dom.append(gutter, this.contentDOM)
    this.render()
  }
}
