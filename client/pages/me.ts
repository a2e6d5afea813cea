/**
 * `/me`: "My summit" (issue 20 part 4). The sessions this browser's person took part in (recorded
 * when each ended, by the identity id the pad keeps) and the ones they added as listened, by
 * track and day, with each session's decisions and the person's own action items; one click
 * downloads the summit report as Markdown or HTML; a transfer code carries the identity to
 * another device (`/me/claim`).
 */
import type { Session } from '../../shared/api.ts'
import { sessionTime, timeOf, type MySession, type MySummit, type ReportFormat } from '../../shared/my-summit.ts'
import { api, ApiError } from '../api.ts'
import { h } from '../dom.ts'
import { meApi } from '../me-api.ts'
import { ensureIdentity } from '../sync/person-key.ts'
import { siteHeader } from './site-header.ts'
import { loadEventZone, timeZoneChange } from '../time-display.ts'

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

export async function renderMe(root: HTMLElement): Promise<void> {
  document.title = 'My summit · summitpad'
  const identity = ensureIdentity()
  const list = h('section', { class: 'me-sessions', 'aria-labelledby': 'me-sessions-heading' }, h('h2', { id: 'me-sessions-heading' }, 'Sessions'))
  const status = h('p', { class: 'form-status', role: 'status' })
  const add = addListenedForm(() => void load())
  const download = (format: ReportFormat, label: string) =>
    h('button', {
      type: 'button',
      class: format === 'md' ? 'primary' : '',
      onclick: async () => {
        status.textContent = 'Preparing the report…'
        try {
          const blob = await meApi.report(identity.name, format)
          const url = URL.createObjectURL(blob)
          const link = h('a', { href: url, download: `my-summit.${format}` })
          document.body.append(link)
          link.click()
          link.remove()
          setTimeout(() => URL.revokeObjectURL(url), 10_000)
          status.textContent = `Downloaded my-summit.${format}.`
        } catch (error) {
          status.textContent = `The report could not be made: ${(error as Error).message}`
        }
      },
    }, label)

  root.replaceChildren(
    h(
      'div',
      { class: 'archive-page me-page' },
      siteHeader('me'),
      h(
        'main',
        { class: 'archive-main me-main' },
        h('div', { class: 'archive-top' }, h('h1', {}, 'My summit'), h('div', { class: 'export-links', role: 'group', 'aria-label': 'Summit report' }, download('md', 'Export Markdown'), download('html', 'Export HTML'))),
        h('p', { class: 'me-who' }, 'As ', h('span', { class: 'me-swatch', style: `background-color: ${identity.color}`, 'aria-hidden': 'true' }), h('strong', {}, identity.name), ' in this browser. Sessions you wrote in appear here once they end; add the ones you only listened to.'),
        status,
        list,
        h('div', { class: 'me-side' }, add, transferPanel(identity)),
      ),
    ),
  )

  async function load(): Promise<void> {
    list.replaceChildren(h('h2', { id: 'me-sessions-heading' }, 'Sessions'), h('p', { class: 'hint' }, 'Loading…'))
    try {
      const summit = await meApi.summit(identity.name)
      list.replaceChildren(h('h2', { id: 'me-sessions-heading' }, 'Sessions'), ...summitView(summit, () => void load()))
    } catch (error) {
      list.append(h('p', { class: 'error', role: 'alert' }, `Your summit could not be loaded: ${(error as Error).message}`))
    }
  }
  // The header's zone switch regroups the days, as on the schedule.
  window.addEventListener(timeZoneChange, () => void load())
  await loadEventZone()
  await load()
}

function summitView(summit: MySummit, reload: () => void): HTMLElement[] {
  if (summit.tracks.length === 0) return [h('p', { class: 'empty' }, 'No sessions yet. Write in a pad, or add a session you listened to.')]
  return summit.tracks.map(({ track, days }) =>
    h(
      'section',
      { class: 'me-track' },
      h('h3', { class: 'track' }, track || 'No track'),
      ...days.map(({ day, sessions }) =>
        h('div', { class: 'me-day' }, h('h4', { class: 'me-day-heading' }, day === 'undated' ? 'Not scheduled' : dayFormat.format(new Date(`${day}T12:00:00Z`))), ...sessions.map((entry) => sessionCard(entry, summit.timeZone, reload))),
      ),
    ),
  )
}

function sessionCard(entry: MySession, timeZone: string, reload: () => void): HTMLElement {
  const { session } = entry
  const facts = [timeOf(sessionTime(session), timeZone), session.room, entry.tookPart ? 'took part' : 'listened', session.state === 'ended' ? null : 'not ended yet'].filter(Boolean).join(' · ')
  const href = session.state === 'ended' ? `/s/${session.id}/archive` : `/s/${session.id}`
  return h(
    'article',
    { class: 'me-session' },
    h('div', { class: 'me-session-top' }, h('a', { class: 'me-session-title', href }, session.title), entry.listened ? removeButton(session.id, session.title, reload) : null),
    h('p', { class: 'session-meta' }, facts),
    entry.decisions.length ? h('div', {}, h('p', { class: 'me-label' }, 'Decisions'), h('ul', { class: 'archive-decisions' }, ...entry.decisions.map((d) => h('li', {}, d)))) : null,
    entry.actions.length
      ? h(
          'div',
          {},
          h('p', { class: 'me-label' }, 'My action items'),
          h('ul', { class: 'owner-actions' }, ...entry.actions.map((a) => h('li', { class: `owned-action${a.done ? ' done' : ''}` }, h('span', { class: 'action-state' }, a.done ? 'Done' : 'Open'), h('span', { class: 'action-text' }, a.text), a.due ? h('span', { class: 'action-due' }, `due ${a.due}`) : null))),
        )
      : null,
  )
}

function removeButton(id: string, title: string, reload: () => void): HTMLElement {
  return h('button', { type: 'button', class: 'me-remove', 'aria-label': `Remove “${title}” from the sessions you listened to`, onclick: async () => {
    await meApi.removeListened(id).catch(() => undefined)
    reload()
  } }, 'Remove')
}

/** Picks a session from the schedule to add as listened. */
function addListenedForm(reload: () => void): HTMLElement {
  const select = h('select', { name: 'listened', id: 'me-listened-select' }, h('option', { value: '' }, 'Loading the schedule…'))
  const status = h('p', { class: 'form-status', role: 'status' })
  const submit = h('button', { type: 'submit' }, 'Add')
  const form = h(
    'form',
    { class: 'create-form me-add', 'aria-labelledby': 'me-add-heading' },
    h('h2', { id: 'me-add-heading' }, 'Add a session you listened to'),
    h('label', { class: 'field', for: 'me-listened-select' }, h('span', { class: 'field-label' }, 'Session'), select),
    submit,
    status,
  )
  void api.listSessions().then(
    (sessions: Session[]) => {
      select.replaceChildren(h('option', { value: '' }, 'Choose a session'), ...sessions.map((s) => h('option', { value: s.id }, [s.track, s.title].filter(Boolean).join(' · '))))
    },
    () => select.replaceChildren(h('option', { value: '' }, 'The schedule could not be loaded')),
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (!select.value) {
      status.textContent = 'Choose a session first.'
      return
    }
    submit.disabled = true
    try {
      await meApi.addListened(select.value)
      status.textContent = 'Added.'
      reload()
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : `Could not add it: ${(error as Error).message}`
    } finally {
      submit.disabled = false
    }
  })
  return form
}

/** Makes a one-time code (and link) that carries this identity to another device. */
function transferPanel(identity: { name: string; color: string }): HTMLElement {
  const out = h('div', { class: 'me-transfer-out', 'aria-live': 'polite' })
  const button = h('button', { type: 'button', onclick: async () => {
    button.disabled = true
    try {
      const { code, link, expiresAt } = await meApi.transfer(identity.name, identity.color)
      const url = new URL(link, location.origin).toString()
      out.replaceChildren(
        h('p', {}, 'On your other device, open ', h('a', { href: url, class: 'me-transfer-link' }, url), ' or go to ', h('strong', {}, `${location.host}/me/claim`), ' and type:'),
        h('p', { class: 'me-code' }, code),
        h('p', { class: 'hint' }, `Shown once; works once, until ${new Date(expiresAt).toLocaleTimeString()}.`),
      )
    } catch (error) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, (error as Error).message))
    } finally {
      button.disabled = false
    }
  } }, 'Make a transfer code')
  return h(
    'section',
    { class: 'create-form me-transfer', 'aria-labelledby': 'me-transfer-heading' },
    h('h2', { id: 'me-transfer-heading' }, 'Use this identity on another device'),
    h('p', { class: 'hint' }, 'Your name, colour and summit follow you: pads then show your writing as yours.'),
    button,
    out,
  )
}
