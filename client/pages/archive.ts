/**
 * The summit archive (`/archive`): every ended session grouped by track and date with its outcomes,
 * full-text search with highlighted snippets, and the whole archive as one zip.
 */
import type { ArchiveHit, ArchiveSummary } from '../../shared/api.ts'
import { snippetEnd, snippetStart } from '../../shared/api.ts'
import { api } from '../api.ts'
import { h } from '../dom.ts'
import { organizerApi } from '../organizer-api.ts'
import { siteHeader } from './site-header.ts'
import { loadEventZone, shownZone } from '../time-display.ts'

/** When a session took place: its actual start, else its schedule, else its end. */
function sessionDate(summary: ArchiveSummary): string {
  const { startedAt, scheduledStart, endedAt } = summary.session
  // The day in the session's (or the viewer's chosen) zone, not the browser's (issue 19).
  const zone = shownZone(summary.session.timeZone)
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', timeZone: zone }).format(new Date(startedAt ?? scheduledStart ?? endedAt ?? summary.archivedAt))
}

export async function renderArchive(root: HTMLElement): Promise<void> {
  document.title = 'Archive · summitpad'
  await loadEventZone()
  const params = new URLSearchParams(location.search)
  const input = h('input', { type: 'search', name: 'q', value: params.get('q') ?? '', placeholder: 'Search every archived pad', 'aria-label': 'Search the archive' })
  const results = h('section', { class: 'archive-results', 'aria-live': 'polite' })
  const zipLink = h('a', { href: '/api/archive/export.zip', download: '', hidden: '' }, 'Download everything (zip)')
  const form = h('form', { class: 'archive-search', role: 'search', action: '/archive' }, input, h('button', { type: 'submit', class: 'primary' }, 'Search'))
  root.replaceChildren(
    h(
      'div',
      { class: 'archive-page' },
      siteHeader('archive'),
      h(
        'main',
        { class: 'archive-main' },
        h('div', { class: 'archive-top' }, h('h1', {}, 'Summit archive'), h('div', { class: 'archive-links' }, h('a', { href: '/archive/actions' }, 'Action items by owner'), zipLink)),
        form,
        results,
      ),
    ),
  )
  // The zip of everything is for organizers (the server refuses anyone else): shown once signed in.
  organizerApi
    .status()
    .then((status) => {
      zipLink.hidden = status.organizer === null
    })
    // reason: without the status the link stays hidden, which is what a non-organizer should see.
    .catch(() => {})
  const q = input.value.trim()
  try {
    if (q) renderHits(results, q, await api.searchArchive(q))
    else await renderIndex(results)
  } catch (error) {
    results.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The archive could not be loaded: ${(error as Error).message}`))
  }
}

function outcomesLine(summary: ArchiveSummary): string {
  const { decisions, actions } = summary.outcomes
  const open = actions.filter((action) => !action.done).length
  return `${decisions.length} decision${decisions.length === 1 ? '' : 's'} · ${actions.length} action item${actions.length === 1 ? '' : 's'}${open ? ` (${open} open)` : ''} · ${summary.participants.length} participant${summary.participants.length === 1 ? '' : 's'}`
}

function sessionCard(summary: ArchiveSummary, extra?: Node): HTMLElement {
  const { session, outcomes } = summary
  return h(
    'article',
    { class: 'archive-card' },
    h('h3', {}, h('a', { href: `/s/${session.id}/archive` }, session.title)),
    h('p', { class: 'session-meta' }, [sessionDate(summary), session.room, session.moderator && `moderated by ${session.moderator}`].filter(Boolean).join(' · ')),
    extra ?? null,
    outcomes.decisions.length ? h('ul', { class: 'archive-decisions' }, ...outcomes.decisions.slice(0, 3).map((decision) => h('li', {}, decision))) : null,
    h('p', { class: 'hint' }, outcomesLine(summary)),
  )
}

/**
 * The archive index a page at a time (the server sends 200 sessions per page): the sessions so
 * far, grouped, and a button for the next page while there is one.
 */
async function renderIndex(container: HTMLElement): Promise<void> {
  const shown: ArchiveSummary[] = []
  let page = await api.listArchive()
  for (;;) {
    shown.push(...page.sessions)
    renderGrouped(container, shown)
    if (!page.next || shown.length === 0) return
    const more = h('button', { type: 'button', class: 'archive-more' }, 'Show more sessions')
    container.append(more)
    await new Promise<void>((resolve) => more.addEventListener('click', () => resolve(), { once: true }))
    more.disabled = true
    page = await api.listArchive(page.next)
  }
}

function renderGrouped(container: HTMLElement, sessions: ArchiveSummary[]): void {
  if (sessions.length === 0) {
    container.replaceChildren(h('p', { class: 'empty' }, 'No session has ended yet. Ended sessions appear here with their outcomes.'))
    return
  }
  const groups = new Map<string, ArchiveSummary[]>()
  for (const summary of sessions) {
    const key = `${summary.session.track || 'No track'}\u0000${sessionDate(summary)}`
    groups.set(key, [...(groups.get(key) ?? []), summary])
  }
  container.replaceChildren()
  let lastTrack: string | null = null
  for (const [key, list] of groups) {
    const [track, date] = key.split('\u0000') as [string, string]
    if (track !== lastTrack) container.append(h('h2', { class: 'track' }, track))
    lastTrack = track
    container.append(h('h3', { class: 'archive-date' }, date), ...list.map((summary) => sessionCard(summary)))
  }
}

/** Builds the snippet with `<mark>` elements around the matches; the text itself is never HTML. */
export function snippetNode(snippet: string): HTMLElement {
  const paragraph = h('p', { class: 'snippet' })
  const parts = snippet.split(snippetStart)
  paragraph.append(parts[0]!)
  for (const part of parts.slice(1)) {
    const [marked, rest] = part.split(snippetEnd) as [string, string | undefined]
    paragraph.append(h('mark', {}, marked), rest ?? '')
  }
  return paragraph
}

function renderHits(container: HTMLElement, query: string, hits: ArchiveHit[]): void {
  container.replaceChildren(
    h('p', { class: 'hint' }, hits.length === 0 ? `Nothing in the archive matches “${query}”.` : `${hits.length} session${hits.length === 1 ? '' : 's'} match “${query}”, best first.`),
    ...hits.map((hit) => sessionCard(hit, snippetNode(hit.snippet))),
  )
}
