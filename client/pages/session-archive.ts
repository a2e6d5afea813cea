/**
 * `/s/<id>/archive`: an ended session as it was left: the frozen pad, rendered read-only, with
 * its outcomes (decisions, action items), participants, the chat transcript, and export downloads.
 */
import { padNode } from '../../shared/export/pad-node.ts'
import { withoutEmptySections } from '../../shared/export/readable-doc.ts'
import { createStaticViewer } from '../editor/create-viewer.ts'
import { api, ApiError } from '../api.ts'
import { h } from '../dom.ts'
import { chatTranscript } from './chat-panel.ts'
import { renderNotFound } from './not-found.ts'
import { siteHeader } from './site-header.ts'
import { loadEventZone, timeText } from '../time-display.ts'
import { followsApi } from '../me-api.ts'

/** Download links for every export format of a session. */
export function exportLinks(sessionId: string): HTMLElement {
  const formats: [string, string][] = [
    ['md', 'Markdown'],
    ['html', 'HTML'],
    ['txt', 'Text'],
    ['json', 'JSON'],
  ]
  return h(
    'div',
    { class: 'export-links', role: 'group', 'aria-label': 'Export' },
    ...formats.map(([format, label]) => h('a', { class: 'button-link', href: `/api/sessions/${encodeURIComponent(sessionId)}/export?format=${format}`, download: '' }, label)),
  )
}

export async function renderSessionArchive(root: HTMLElement, sessionId: string): Promise<void> {
  let archive
  try {
    archive = await api.getArchive(sessionId)
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && /not ended/.test(error.message)) {
      renderNotFound(root, 'This session has not ended yet, so it has no archive. Its pad is still open.')
      root.querySelector('main')?.append(h('p', {}, h('a', { href: `/s/${sessionId}` }, 'Open the pad')))
    } else {
      renderNotFound(root, error instanceof ApiError && error.status === 404 ? `There is no archived session "${sessionId}".` : `The archive could not be loaded: ${(error as Error).message}`)
    }
    return
  }
  const { session, outcomes, participants, doc, chat } = archive
  document.title = `${session.title} · archive · summitpad`
  // The pad as the live page draws it (agenda items with owner, timebox and status: issue 19
  // bug 2), without the template sections nobody filled.
  const padView = h('div', { class: 'archive-pad-view' })
  const frozen = padNode(withoutEmptySections(doc)).node
  if (frozen.textContent.trim() === '' && frozen.childCount <= 1) padView.append(h('p', { class: 'hint' }, 'Nothing was written in this pad.'))
  else createStaticViewer(padView, frozen, { className: 'archive-doc', label: 'Final pad' })
  await loadEventZone()
  const times = [session.startedAt && `started ${timeText(session.startedAt, session.timeZone, { date: true })}`, session.endedAt && `ended ${timeText(session.endedAt, session.timeZone, { date: true })}`].filter(Boolean).join(', ')

  root.replaceChildren(
    h(
      'div',
      { class: 'archive-page' },
      siteHeader('archive'),
      h(
        'main',
        { class: 'archive-main session-archive' },
        h('p', { class: 'hint' }, h('a', { href: '/archive' }, 'Archive'), ` › ${session.track || 'No track'}`),
        h('h1', {}, session.title),
        h('p', { class: 'session-meta' }, [session.room, session.moderator && `moderated by ${session.moderator}`, times].filter(Boolean).join(' · ')),
        exportLinks(session.id),
        followLinks(session.id),
        h(
          'div',
          { class: 'archive-columns' },
          h('article', { class: 'pad-main archive-pad', 'aria-label': 'Final pad' }, padView),
          h(
            'aside',
            { class: 'archive-side' },
            h('h2', {}, `Decisions (${outcomes.decisions.length})`),
            outcomes.decisions.length ? h('ul', { class: 'archive-decisions' }, ...outcomes.decisions.map((decision) => h('li', {}, decision))) : h('p', { class: 'hint' }, 'None recorded.'),
            h('h2', {}, `Action items (${outcomes.actions.length})`),
            outcomes.actions.length
              ? h(
                  'ul',
                  { class: 'owner-actions' },
                  ...outcomes.actions.map((action, index) =>
                    h('li', { class: `owned-action${action.done ? ' done' : ''}`, id: `action-${index}` }, h('span', { class: 'action-state' }, action.done ? 'Done' : 'Open'), h('span', { class: 'action-text' }, action.text), action.owner ? h('span', { class: 'action-owner' }, `@${action.owner}`) : null, action.due ? h('span', { class: 'action-due' }, `due ${action.due}`) : null),
                  ),
                )
              : h('p', { class: 'hint' }, 'None recorded.'),
            h('h2', {}, `Participants (${participants.length})`),
            participants.length ? h('ul', { class: 'participants' }, ...participants.map((name) => h('li', {}, name))) : h('p', { class: 'hint' }, 'Nobody recorded.'),
            h('h2', {}, `Chat (${chat.length})`),
            chatTranscript(chat),
          ),
        ),
      ),
    ),
  )
}

/** Links to the session this one continues and to the ones continuing it (filled in when known). */
function followLinks(sessionId: string): HTMLElement {
  const nav = h('nav', { class: 'follow-links', 'aria-label': 'Follow-up sessions', hidden: true })
  void followsApi.neighbours(sessionId).then(
    ({ before, after }) => {
      const link = (s: { id: string; title: string; state: string }) => h('a', { href: s.state === 'ended' ? `/s/${s.id}/archive` : `/s/${s.id}` }, s.title)
      if (before) nav.append(h('span', {}, 'Continues ', link(before)))
      for (const later of after) nav.append(h('span', {}, 'Continued in ', link(later)))
      nav.hidden = !before && after.length === 0
    },
    () => undefined,
  )
  return nav
}
