/**
 * The event index on the home page: the summit's schedule as a grid (one day at a time; rows are
 * start times, columns rooms) or as a list by track, each session with its state (scheduled; live
 * with time left; ended, linking to its outcomes), filterable by track (kept in the URL as
 * `?track=`), and refreshed every few seconds so sessions starting and ending show up by
 * themselves. Polling the sessions list works the same whichever instance answers.
 */
import type { Session } from '../../shared/api.ts'
import { api } from '../api.ts'
import { h } from '../dom.ts'
import { serverNow } from '../sync/server-clock.ts'
import { phaseNames, phaseOf, timeLeftText } from '../../shared/session-phase.ts'
import { dayInZone } from '../../shared/time-zone.ts'
import { loadEventZone, shownZone, timeZoneChange, zonedTime } from '../time-display.ts'

const refreshMs = 5000
// Days are `YYYY-MM-DD` in the shown zone (issue 19); their names need no zone of their own.
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' })

type View = 'grid' | 'tracks'

/** What a page holding the index may ask of it. */
export interface EventIndex {
  /** Reloads the sessions now (e.g. right after a schedule import) and redraws. */
  refresh(): Promise<void>
}

/** Fills `container` with the index and keeps it current. */
export async function renderEventIndex(container: HTMLElement): Promise<EventIndex> {
  const params = new URLSearchParams(location.search)
  // A phone shows the list by track unless asked for the grid: a grid of rooms does not fit 390 px.
  const defaultView: View = window.matchMedia('(max-width: 600px)').matches ? 'tracks' : 'grid'
  const asked = params.get('view')
  let view: View = asked === 'tracks' || asked === 'grid' ? asked : defaultView
  let track = params.get('track') ?? ''
  let day = params.get('day') ?? ''
  let sessions: Session[] = []
  const controls = h('div', { class: 'index-controls' })
  const body = h('div', { class: 'index-body', 'aria-live': 'polite' })
  container.append(controls, body)
  await loadEventZone()

  const remember = () => {
    const next = new URLSearchParams()
    if (view !== defaultView) next.set('view', view)
    if (track) next.set('track', track)
    if (day) next.set('day', day)
    history.replaceState(null, '', `${location.pathname}${next.size > 0 ? `?${next}` : ''}`)
  }

  const draw = () => {
    const tracks = [...new Set(sessions.map((session) => session.track).filter(Boolean))].sort()
    const shown = sessions.filter((session) => !track || session.track === track)
    const days = [...new Set(shown.filter((s) => s.scheduledStart).map((s) => dayKey(s.scheduledStart!)))].sort()
    if (!days.includes(day)) day = days.find((d) => d >= dayKey(new Date(serverNow()).toISOString())) ?? days[0] ?? ''
    const trackSelect = h('select', { id: 'track-filter' }, h('option', { value: '' }, 'All tracks'), ...tracks.map((name) => h('option', { value: name, selected: name === track }, name)))
    trackSelect.addEventListener('change', () => {
      track = trackSelect.value
      remember()
      draw()
    })
    const viewButton = (value: View, label: string) => {
      const button = h('button', { type: 'button', class: 'view-toggle', 'aria-pressed': String(view === value) }, label)
      button.addEventListener('click', () => {
        view = value
        remember()
        draw()
      })
      return button
    }
    controls.replaceChildren(
      h('div', { class: 'field inline' }, h('label', { class: 'field-label', for: 'track-filter' }, 'Filter'), trackSelect),
      h('div', { class: 'view-toggles', role: 'group', 'aria-label': 'View' }, viewButton('grid', 'Grid'), viewButton('tracks', 'By track')),
    )
    if (shown.length === 0) {
      body.replaceChildren(h('p', { class: 'empty' }, sessions.length === 0 ? 'No sessions yet. Create one, or import the schedule.' : 'No session in this track.'))
      return
    }
    body.replaceChildren(view === 'grid' ? grid(shown, days, day, (next) => ((day = next), remember(), draw())) : byTrack(shown))
  }

  const refresh = async () => {
    try {
      sessions = await api.listSessions()
    } catch {
      // Keep showing what we have; the next refresh tries again.
    }
    draw()
  }
  await refresh()
  setInterval(() => void refresh(), refreshMs)
  window.addEventListener(timeZoneChange, draw)
  return { refresh }
}

/** The day of `iso` in the zone the index shows (the event's, or the viewer's by choice). */
function dayKey(iso: string): string {
  return dayInZone(iso, shownZone())
}

function grid(sessions: Session[], days: string[], day: string, pick: (day: string) => void): HTMLElement {
  const tabs = h(
    'div',
    { class: 'day-tabs', role: 'group', 'aria-label': 'Day' },
    ...days.map((key) => {
      const button = h('button', { type: 'button', class: 'view-toggle', 'aria-pressed': String(key === day) }, dayFormat.format(new Date(`${key}T12:00:00Z`)))
      button.addEventListener('click', () => pick(key))
      return button
    }),
  )
  const ofDay = sessions.filter((session) => session.scheduledStart && dayKey(session.scheduledStart) === day)
  const rooms = [...new Set(ofDay.map((session) => session.room || 'No room'))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
  const times = [...new Set(ofDay.map((session) => session.scheduledStart!))].sort()
  const table = h(
    'table',
    { class: 'schedule-grid' },
    h('caption', {}, day ? dayFormat.format(new Date(`${day}T12:00:00Z`)) : 'Unscheduled'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Time'), ...rooms.map((room) => h('th', { scope: 'col' }, room)))),
    h(
      'tbody',
      {},
      ...times.map((time) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, zonedTime(time)),
          ...rooms.map((room) => {
            const here = ofDay.filter((session) => session.scheduledStart === time && (session.room || 'No room') === room)
            return h('td', {}, ...here.map((session) => sessionCard(session, false)))
          }),
        ),
      ),
    ),
  )
  const unscheduled = sessions.filter((session) => !session.scheduledStart)
  return h(
    'div',
    {},
    days.length > 1 ? tabs : null,
    ofDay.length > 0 ? h('div', { class: 'grid-scroll' }, table) : null,
    unscheduled.length > 0 ? h('div', {}, h('h3', { class: 'track' }, 'Unscheduled'), h('ul', { class: 'session-list' }, ...unscheduled.map((s) => h('li', {}, sessionCard(s, true))))) : null,
  )
}

function byTrack(sessions: Session[]): HTMLElement {
  const tracks = new Map<string, Session[]>()
  for (const session of sessions) tracks.set(session.track || 'No track', [...(tracks.get(session.track || 'No track') ?? []), session])
  return h(
    'div',
    {},
    ...[...tracks]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([name, list]) => [h('h3', { class: 'track' }, name), h('ul', { class: 'session-list' }, ...list.map((session) => h('li', {}, sessionCard(session, true))))]),
  )
}

/** One session: title (to its pad, or its outcomes once ended), when and where, and its state. */
function sessionCard(session: Session, withTime: boolean): HTMLElement {
  const ended = session.state === 'ended'
  const meta = [`${session.durationMinutes} min`, withTime ? session.room : null, session.moderator && `moderated by ${session.moderator}`]
  return h(
    'div',
    { class: `session-card state-${session.state}`, 'data-session': session.id, 'data-phase': phaseOf(session, serverNow()).phase },
    h('a', { href: ended ? `/s/${session.id}/archive` : `/s/${session.id}`, class: 'session-title' }, session.title),
    h('span', { class: 'session-meta' }, withTime && session.scheduledStart ? zonedTime(session.scheduledStart, null, { date: true }) : null, withTime && session.scheduledStart ? ' · ' : null, meta.filter(Boolean).join(' · ')),
    h('span', { class: `state state-${session.state}` }, stateLabel(session)),
  )
}

/** The session's phase by the rule every page follows (`shared/session-phase.ts`), with its time left. */
function stateLabel(session: Session): string {
  const { phase, endsAt } = phaseOf(session, serverNow())
  if (phase === 'ended') return 'ended · outcomes'
  const name = phase === 'due' ? 'due now · not started' : phaseNames[phase].toLowerCase()
  return endsAt === null ? name : `${name} · ${timeLeftText(endsAt - serverNow())}`
}
