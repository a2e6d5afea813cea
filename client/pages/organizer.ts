/**
 * The organizers' pages: `/organizer` (sign in with a token or the OpenID Connect provider, sign
 * out), `/organizer/import` (the schedule import), `/organizer/audit` (the audit log) and
 * `/organizer/deliveries` (webhooks and recap mails, `deliveries.ts`). All but the first show the sign-in form until the visitor is signed in; the server refuses their API
 * calls to anyone else anyway.
 */
import { ApiError } from '../api.ts'
import { h } from '../dom.ts'
import { zonedTime } from '../time-display.ts'
import { organizerApi } from '../organizer-api.ts'
import type { AuditEntry, OrganizerStatus } from '../../shared/organizer.ts'
import { renderEventIndex, type EventIndex } from './event-index.ts'
import { scheduleImportForm } from './schedule-import.ts'
import { deliveriesList } from './deliveries.ts'
import { siteHeader } from './site-header.ts'

export type OrganizerPage = 'home' | 'import' | 'audit' | 'deliveries'

const titles: Record<OrganizerPage, string> = { home: 'Organizers', import: 'Import the schedule', audit: 'Audit log', deliveries: 'Deliveries' }

/** Renders organizer page `page` into `root`. */
export async function renderOrganizer(root: HTMLElement, page: OrganizerPage): Promise<void> {
  document.title = `${titles[page]} · summitpad`
  const main = h('main', { class: 'archive-main organizer-main' }, h('p', { class: 'loading' }, 'Loading…'))
  root.replaceChildren(h('div', { class: 'archive-page' }, siteHeader('organizer'), main))
  let status: OrganizerStatus
  try {
    status = await organizerApi.status()
  } catch (error) {
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not reach the server: ${(error as Error).message}`))
    return
  }
  const top = h('div', { class: 'archive-top' }, h('h1', {}, titles[page]), status.organizer ? organizerNav(status, page) : null)
  if (!status.organizer) {
    main.replaceChildren(...[top, page === 'home' ? null : h('p', {}, 'This page is for organizers: sign in first.'), signInPanel(status)].filter((node) => node !== null))
    return
  }
  if (page === 'home') main.replaceChildren(top, signedInPanel(status))
  else if (page === 'import') {
    // The schedule beside the form shows what an import created at once (issue 19).
    const schedule = h('section', { class: 'schedule', 'aria-labelledby': 'schedule-heading' }, h('h2', { id: 'schedule-heading' }, 'Schedule'))
    let index: EventIndex | null = null
    main.replaceChildren(top, h('div', { class: 'import-layout' }, scheduleImportForm(() => void index?.refresh()), schedule))
    index = await renderEventIndex(schedule)
  }
  else if (page === 'deliveries') main.replaceChildren(top, deliveriesList())
  else main.replaceChildren(top, auditLog())
}

function organizerNav(status: OrganizerStatus, current: OrganizerPage): HTMLElement {
  const link = (href: string, label: string, page: OrganizerPage) => h('a', { href, ...(page === current ? { 'aria-current': 'page' } : {}) }, label)
  const signOut = h('button', { type: 'button', class: 'bar-button' }, 'Sign out')
  signOut.addEventListener('click', async () => {
    signOut.disabled = true
    // reason: the sign-in page shows whether the sign-out took; nothing else to do here on failure.
    await organizerApi.signOut().catch(() => undefined)
    location.assign('/organizer')
  })
  return h(
    'nav',
    { class: 'archive-links organizer-nav', 'aria-label': 'Organizer' },
    link('/organizer/import', 'Import the schedule', 'import'),
    link('/organizer/audit', 'Audit log', 'audit'),
    link('/organizer/deliveries', 'Deliveries', 'deliveries'),
    h('span', { class: 'hint signed-in-as' }, `Signed in as ${status.organizer!.name}`),
    signOut,
  )
}

function signedInPanel(status: OrganizerStatus): HTMLElement {
  return h(
    'section',
    { class: 'import-form organizer-panel' },
    h('p', {}, `You are signed in as ${status.organizer!.name} (${status.organizer!.kind === 'oidc' ? 'through the sign-in provider' : 'with an organizer token'}).`),
    h('p', {}, 'Organizers import and re-import the schedule, delete any session, download the whole archive, read the audit log of what organizers did and watch the webhook and recap-mail deliveries.'),
    h('p', { class: 'hint' }, status.sessionCreation === 'anyone' ? 'Anyone may create sessions on this server (within rate limits).' : 'Only organizers may create sessions on this server.'),
  )
}

function signInPanel(status: OrganizerStatus): HTMLElement {
  const token = h('input', { id: 'organizer-token', name: 'token', type: 'password', required: true, autocomplete: 'current-password', maxlength: 200 })
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in')
  const message = h('p', { class: 'form-status', role: 'status' })
  const form = h(
    'form',
    { class: 'import-form organizer-panel', 'aria-labelledby': 'sign-in-heading' },
    h('h2', { id: 'sign-in-heading' }, 'Sign in as an organizer'),
    h('label', { class: 'field', for: 'organizer-token' }, h('span', { class: 'field-label' }, 'Organizer token'), token, h('span', { class: 'field-hint hint' }, 'The token the operator gave you.')),
    submit,
    message,
    status.oidc ? h('p', { class: 'oidc-sign-in' }, h('a', { class: 'button-link', href: status.oidc.signInUrl }, `Sign in with ${status.oidc.providerName}`)) : null,
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    submit.disabled = true
    message.classList.remove('error')
    message.textContent = 'Signing in…'
    try {
      await organizerApi.signIn(token.value.trim())
      location.reload()
    } catch (error) {
      message.textContent = error instanceof ApiError ? error.message : `Could not sign in: ${(error as Error).message}`
      message.classList.add('error')
      submit.disabled = false
    }
  })
  return form
}

function auditLog(): HTMLElement {
  const body = h('tbody', {})
  const more = h('button', { type: 'button' }, 'Older entries')
  const status = h('p', { class: 'form-status', role: 'status' })
  const section = h(
    'section',
    { class: 'audit-log' },
    h('table', { class: 'audit-table' }, h('thead', {}, h('tr', {}, ...['When', 'Who', 'Action', 'Target', 'Details'].map((label) => h('th', { scope: 'col' }, label)))), body),
    status,
    more,
  )
  let oldest: number | undefined
  const load = async () => {
    more.disabled = true
    try {
      const entries = await organizerApi.audit(oldest)
      body.append(...entries.map(auditRow))
      oldest = entries.at(-1)?.id
      more.hidden = entries.length < 100
      if (body.childElementCount === 0) status.textContent = 'No organizer action yet.'
    } catch (error) {
      status.textContent = `The audit log could not be loaded: ${(error as Error).message}`
      status.classList.add('error')
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => void load())
  void load()
  return section
}

function auditRow(entry: AuditEntry): HTMLElement {
  const details = entry.details ? Object.entries(entry.details).map(([key, value]) => `${key}: ${String(value)}`).join(', ') : ''
  return h(
    'tr',
    { class: 'audit-entry' },
    h('td', {}, zonedTime(entry.at, null, { date: true })),
    h('td', {}, entry.actor.name, h('span', { class: 'hint' }, ` (${entry.actor.kind === 'oidc' ? 'sign-in' : 'token'})`)),
    h('td', { class: 'audit-action' }, entry.action),
    h('td', {}, entry.target ?? ''),
    h('td', { class: 'hint' }, details),
  )
}
