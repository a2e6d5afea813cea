/**
 * `/archive/actions`: the action items of every ended session, by owner. The page loads the
 * owners with their counts (issue 21: every item of a decade's archive at once was 15 MB); an
 * owner's items load when their section is opened, latest session first, a page at a time
 * ("Show more"). A filter box narrows the owners by name; `?owner=name` opens one on arrival.
 */
import { api, type OwnedAction } from '../api.ts'
import { h } from '../dom.ts'
import { siteHeader } from './site-header.ts'

export async function renderArchiveActions(root: HTMLElement): Promise<void> {
  document.title = 'Action items · summitpad'
  const list = h('section', { class: 'archive-results' })
  const filter = h('input', { type: 'search', placeholder: 'Find an owner', 'aria-label': 'Find an owner' })
  root.replaceChildren(
    h(
      'div',
      { class: 'archive-page' },
      siteHeader('archive'),
      h(
        'main',
        { class: 'archive-main' },
        h('div', { class: 'archive-top' }, h('h1', {}, 'Action items by owner'), h('div', { class: 'archive-links' }, h('a', { href: '/archive' }, 'Back to the archive'))),
        h('div', { class: 'archive-search' }, filter),
        list,
      ),
    ),
  )
  try {
    const owners = await api.archiveActionOwners()
    if (owners.length === 0) {
      list.append(h('p', { class: 'empty' }, 'No action items in the archive yet.'))
      return
    }
    const wanted = new URLSearchParams(location.search).get('owner')?.replace(/^@/, '').toLowerCase() ?? null
    const sections = owners.map(({ owner, total, open }) => {
      const section = ownerSection(owner, total, open)
      if (wanted !== null && (owner ?? '').toLowerCase() === wanted) section.open = true
      return { owner, section }
    })
    list.append(...sections.map(({ section }) => section))
    filter.addEventListener('input', () => {
      const needle = filter.value.trim().replace(/^@/, '').toLowerCase()
      for (const { owner, section } of sections) section.hidden = needle !== '' && !(owner ?? '').toLowerCase().includes(needle)
    })
  } catch (error) {
    list.append(h('p', { class: 'error', role: 'alert' }, `The action items could not be loaded: ${(error as Error).message}`))
  }
}

/** One owner's collapsible section; its items load the first time it opens. */
function ownerSection(owner: string | null, total: number, open: number): HTMLDetailsElement {
  const items = h('ul', { class: 'owner-actions' })
  const more = h('button', { type: 'button', hidden: true }, 'Show more')
  const status = h('p', { class: 'hint', role: 'status' })
  let next: string | null = null
  let loaded = false
  const load = async () => {
    more.hidden = true
    status.textContent = 'Loading…'
    try {
      const page = await api.ownerActions(owner, next)
      items.append(...page.actions.map(actionItem))
      next = page.next
      more.hidden = next === null
      status.textContent = ''
    } catch (error) {
      status.textContent = `The items could not be loaded: ${(error as Error).message}`
      more.hidden = false
    }
  }
  more.addEventListener('click', () => void load())
  const section = h(
    'details',
    { class: 'owner-section' },
    h('summary', {}, h('h2', { class: 'owner' }, owner ? `@${owner}` : 'No owner', h('span', { class: 'hint' }, ` ${total} item${total === 1 ? '' : 's'}, ${open} open`))),
    items,
    status,
    more,
  )
  section.addEventListener('toggle', () => {
    if (!section.open || loaded) return
    loaded = true
    void load()
  })
  return section
}

function actionItem(action: OwnedAction): HTMLLIElement {
  return h(
    'li',
    { class: `owned-action${action.done ? ' done' : ''}` },
    h('span', { class: 'action-state' }, action.done ? 'Done' : 'Open'),
    h('span', { class: 'action-text' }, action.text),
    action.due ? h('span', { class: 'action-due' }, `due ${action.due}`) : null,
    h('a', { href: `/s/${action.session.id}/archive`, class: 'action-session' }, action.session.title),
    action.chain.length > 1 ? h('span', { class: 'action-chain' }, 'Seen in ', ...action.chain.flatMap((s, i) => [i > 0 ? ' → ' : '', h('a', { href: `/s/${s.id}/archive` }, s.title)])) : null,
  )
}
