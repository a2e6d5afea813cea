/**
 * Home: the summit's event index (see event-index.ts) and the form that creates a design session
 * and lands its creator in the new pad.
 */
import type { EtherpadFormat } from '../../shared/api.ts'
import { api, ApiError } from '../api.ts'
import { h } from '../dom.ts'
import { organizerApi } from '../organizer-api.ts'
import { renderEventIndex } from './event-index.ts'
import { siteHeader } from './site-header.ts'
import { parseZonedDateTime, zoneAbbreviation } from '../../shared/time-zone.ts'
import { loadEventZone } from '../time-display.ts'

export async function renderHome(root: HTMLElement): Promise<void> {
  document.title = 'summitpad'
  const schedule = h('section', { class: 'schedule', 'aria-labelledby': 'schedule-heading' }, h('h2', { id: 'schedule-heading' }, 'Schedule'))
  root.replaceChildren(
    h(
      'div',
      { class: 'home' },
      siteHeader('schedule'),
      h('main', { class: 'home-main' }, h('div', { class: 'home-side' }, createForm(), organizerHint()), schedule),
    ),
  )
  await Promise.all([renderEventIndex(schedule), hideCreateUnlessAllowed(root)])
}

/**
 * With SESSION_CREATION=organizers, the create form is replaced by a pointer to the sign-in for
 * anyone not signed in as an organizer (the server would refuse them anyway).
 */
async function hideCreateUnlessAllowed(root: HTMLElement): Promise<void> {
  // reason: without the status the form stays; the server still refuses a creation it does not allow.
  const status = await organizerApi.status().catch(() => null)
  if (!status || status.sessionCreation === 'anyone' || status.organizer) return
  root.querySelector('.create-form')?.replaceWith(
    h(
      'section',
      { class: 'create-form', 'aria-labelledby': 'create-heading' },
      h('h2', { id: 'create-heading' }, 'New design session'),
      h('p', {}, 'On this server, organizers create the sessions. ', h('a', { href: '/organizer' }, 'Sign in as an organizer'), ' to create one.'),
    ),
  )
}

/** Where the schedule import went: the organizers' pages. */
function organizerHint(): HTMLElement {
  return h('p', { class: 'hint organizer-hint' }, 'Organizers import the whole schedule on ', h('a', { href: '/organizer/import' }, 'the organizers’ page'), '.')
}

/** The format of an Etherpad export by its file name: `.etherpad`, `.html`/`.htm`, else its text export. */
function etherpadFormatOf(name: string): EtherpadFormat {
  return /\.etherpad$/i.test(name) ? 'etherpad' : /\.html?$/i.test(name) ? 'html' : 'text'
}

function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('span', { class: 'field-hint' }, hint) : null)
}

function createForm(): HTMLElement {
  const title = h('input', { name: 'title', required: true, maxlength: 200, placeholder: 'e.g. Nova: scheduler roadmap', autocomplete: 'off' })
  const track = h('input', { name: 'track', maxlength: 100, placeholder: 'e.g. Compute' })
  const room = h('input', { name: 'room', maxlength: 100, placeholder: 'e.g. Room 203' })
  const moderator = h('input', { name: 'moderator', maxlength: 100, placeholder: 'Who runs the session' })
  const start = h('input', { name: 'scheduledStart', type: 'datetime-local' })
  // The form reads the start in the event's zone, not the browser's (issue 19).
  let eventZone = 'UTC'
  const startField = field('Scheduled start', start, 'In the event’s time zone')
  void loadEventZone().then((zone) => {
    eventZone = zone
    startField.querySelector('.field-hint')!.textContent = `Read in the event’s time zone: ${(zone.split('/').pop() ?? zone).replace(/_/g, ' ')} (${zoneAbbreviation(zone, Date.now())})`
  })
  const duration = h('input', { name: 'durationMinutes', type: 'number', min: 5, max: 1440, value: 40, required: true })
  const access = h(
    'select',
    { name: 'access' },
    h('option', { value: 'open', selected: true }, 'Anyone with the attendee link'),
    h('option', { value: 'key' }, 'Only holders of the attendee key'),
  )
  const follows = h('select', { name: 'follows' }, h('option', { value: '' }, 'No: a new topic'))
  void api.listSessions().then(
    (sessions) => follows.append(...sessions.map((s) => h('option', { value: s.id }, [s.track, s.title].filter(Boolean).join(' · ')))),
    () => undefined,
  )
  const agendaFile = h('input', { name: 'agenda', type: 'file', accept: '.md,.markdown,.txt,text/markdown,text/plain' })
  const etherpadFile = h('input', { name: 'etherpad', type: 'file', accept: '.etherpad,.html,.htm,.txt,application/json,text/html,text/plain' })
  const status = h('p', { class: 'form-status', role: 'status' })
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create session')

  const form = h(
    'form',
    { class: 'create-form', 'aria-labelledby': 'create-heading' },
    h('h2', { id: 'create-heading' }, 'New design session'),
    field('Title', title),
    h('div', { class: 'field-row' }, field('Track', track), field('Room', room)),
    field('Moderator', moderator),
    h('div', { class: 'field-row' }, startField, field('Minutes', duration)),
    field('Who can edit', access),
    field('Continues the session', follows, 'Its open action items start this pad, each linking back.'),
    field('Prepared agenda (optional)', agendaFile, 'A Markdown or text file; each line or list item becomes an agenda item.'),
    field('Import an Etherpad pad (optional)', etherpadFile, 'The pad’s .etherpad export brings its text, authors and chat; its HTML or text export brings the text.'),
    submit,
    status,
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    submit.disabled = true
    status.textContent = etherpadFile.files?.[0] ? 'Importing the pad…' : 'Creating…'
    status.classList.remove('error')
    try {
      const file = agendaFile.files?.[0]
      const etherpad = etherpadFile.files?.[0]
      if (file && etherpad) throw new Error('choose either a prepared agenda or an Etherpad pad, not both')
      const content = file ? await file.text() : undefined
      const fields = {
        title: title.value,
        track: track.value,
        room: room.value,
        moderator: moderator.value,
        ...(start.value ? { scheduledStart: readStart(start.value, eventZone) } : {}),
        durationMinutes: duration.value,
        access: access.value === 'key' ? 'key' : 'open',
      }
      const { session, links } = etherpad ? await api.importEtherpad(fields, await etherpad.text(), etherpadFormatOf(etherpad.name)) : await api.createSession({
        ...(content !== undefined ? { content, contentFormat: /\.txt$/i.test(file!.name) ? 'text' : 'markdown' } : {}),
        title: title.value,
        track: track.value,
        room: room.value,
        moderator: moderator.value,
        scheduledStart: start.value ? readStart(start.value, eventZone) : null,
        durationMinutes: Number(duration.value),
        access: access.value === 'key' ? 'key' : 'open',
        ...(follows.value ? { follows: follows.value } : {}),
      })
      // The secrets are shown once: the pad page offers these links to its creator, then forgets them.
      sessionStorage.setItem(`summitpad.links.${session.id}`, JSON.stringify(links))
      location.assign(links.moderator)
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : `Could not create the session: ${(error as Error).message}`
      status.classList.add('error')
      submit.disabled = false
    }
  })
  return form
}

/** A datetime-local value read in the event's zone, as ISO 8601 UTC; throws when it is no date and time. */
function readStart(value: string, zone: string): string {
  const iso = parseZonedDateTime(value, zone)
  if (iso === null) throw new Error(`the start "${value}" is not a date and time (YYYY-MM-DD HH:MM)`)
  return iso
}
