/** `/archive/actions`: every action item of every ended session, grouped by owner. */
import { api } from '../api.ts'
import { h } from '../dom.ts'
import { siteHeader } from './site-header.ts'

export async function renderArchiveActions(root: HTMLElement): Promise<void> {
  document.title = 'Action items · summitpad'
  const list = h('section', { class: 'archive-results' })
  root.replaceChildren(
    h(
      'div',
      { class: 'archive-page' },
      siteHeader('archive'),
      h('main', { class: 'archive-main' }, h('div', { class: 'archive-top' }, h('h1', {}, 'Action items by owner'), h('div', { class: 'archive-links' }, h('a', { href: '/archive' }, 'Back to the archive'))), list),
    ),
  )
  try {
    const owners = await api.archiveActions()
    if (owners.length === 0) {
      list.append(h('p', { class: 'empty' }, 'No action items in the archive yet.'))
      return
    }
    for (const { owner, actions } of owners) {
      const open = actions.filter((action) => !action.done).length
      list.append(
        h('h2', { class: 'owner' }, owner ? `@${owner}` : 'No owner', h('span', { class: 'hint' }, ` ${actions.length} item${actions.length === 1 ? '' : 's'}, ${open} open`)),
        h(
          'ul',
          { class: 'owner-actions' },
          ...actions.map((action) =>
            h(
              'li',
              { class: `owned-action${action.done ? ' done' : ''}` },
              h('span', { class: 'action-state' }, action.done ? 'Done' : 'Open'),
              h('span', { class: 'action-text' }, action.text),
              action.due ? h('span', { class: 'action-due' }, `due ${action.due}`) : null,
              h('a', { href: `/s/${action.session.id}/archive`, class: 'action-session' }, action.session.title),
              action.chain.length > 1
                ? h('span', { class: 'action-chain' }, 'Seen in ', ...action.chain.flatMap((s, i) => [i > 0 ? ' → ' : '', h('a', { href: `/s/${s.id}/archive` }, s.title)]))
                : null,
            ),
          ),
        ),
      )
    }
  } catch (error) {
    list.append(h('p', { class: 'error', role: 'alert' }, `The action items could not be loaded: ${(error as Error).message}`))
  }
}
