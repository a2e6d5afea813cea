import { h } from '../dom.ts'

/** A plain "not found" page with a way home. */
export function renderNotFound(root: HTMLElement, message: string): void {
  document.title = 'Not found · summitpad'
  root.replaceChildren(
    h('main', { class: 'page narrow' }, h('h1', {}, 'Not found'), h('p', {}, message), h('p', {}, h('a', { href: '/' }, 'Back to the schedule'))),
  )
}
