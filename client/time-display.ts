/**
 * How every page shows a time (issue 19): in the event's time zone with its abbreviation
 * ("09:00 GMT+8"), or, once the viewer asks for it, in the viewer's own zone; the choice is kept in
 * localStorage. Times are `<time data-zoned>` elements, so the switch rewrites every one on the
 * page at once; pages that group by day listen for `timeZoneChange`.
 */
import { formatInZone, isTimeZone, zoneAbbreviation, type ZonedFormatOptions } from '../shared/time-zone.ts'
import { h } from './dom.ts'

const storageKey = 'summitpad.timeZoneView'
/** Dispatched on `window` when the viewer switches between the event's zone and their own. */
export const timeZoneChange = 'summitpad:time-zone'

let eventZone = 'UTC'
let loading: Promise<string> | null = null

/** The event's zone from `GET /api/event` (fetched once per page; UTC if it cannot be read). */
export function loadEventZone(): Promise<string> {
  loading ??= fetch('/api/event', { headers: { accept: 'application/json' } })
    .then(async (res) => {
      const body = (await res.json()) as { timeZone?: string }
      if (res.ok && body.timeZone && isTimeZone(body.timeZone)) eventZone = body.timeZone
      return eventZone
    })
    .catch(() => eventZone)
  return loading
}

/** The viewer's own zone, as the browser reports it. */
export function viewerZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
  return zone && isTimeZone(zone) ? zone : 'UTC'
}

/** True when the viewer chose to see times in their own zone. */
export function showsViewerZone(): boolean {
  try {
    return localStorage.getItem(storageKey) === 'viewer'
  } catch {
    // reason: storage can be blocked (private mode, policies); then the event's zone is shown.
    return false
  }
}

/** The zone times are shown in: the viewer's when chosen, else the session's (or the event's). */
export function shownZone(sessionZone?: string | null): string {
  if (showsViewerZone()) return viewerZone()
  return sessionZone && isTimeZone(sessionZone) ? sessionZone : eventZone
}

/** `iso` as text in the shown zone ("09:00 GMT+8"; with `date`, "Tue 5 Nov, 09:00 GMT+8"). */
export function timeText(iso: string, sessionZone?: string | null, options: ZonedFormatOptions = {}): string {
  return formatInZone(iso, shownZone(sessionZone), options)
}

/** A `<time>` showing `iso` in the shown zone; the switch rewrites it in place. */
export function zonedTime(iso: string, sessionZone?: string | null, options: ZonedFormatOptions = {}): HTMLTimeElement {
  return h('time', {
    datetime: iso,
    'data-zoned': '',
    'data-session-zone': sessionZone ?? '',
    'data-date': options.date ? '1' : null,
    'data-no-zone': options.zone === false ? '1' : null,
  }, timeText(iso, sessionZone, options))
}

function rewriteTimes(): void {
  for (const element of document.querySelectorAll<HTMLTimeElement>('time[data-zoned]')) {
    element.textContent = timeText(element.dateTime, element.dataset.sessionZone || null, { date: element.dataset.date === '1', zone: element.dataset.noZone !== '1' })
  }
}

/** "Hong Kong" for Asia/Hong_Kong; the name itself for UTC and the like. */
function placeName(zone: string): string {
  return (zone.split('/').pop() ?? zone).replace(/_/g, ' ')
}

/**
 * The switch between the event's zone and the viewer's: says which zone the page shows and offers
 * the other; remembered across pages and visits. `sessionZone` is the page's session's zone, if any.
 */
export function zoneSwitch(sessionZone?: string | null): HTMLElement {
  const status = h('span', { class: 'zone-status' })
  const button = h('button', { type: 'button', class: 'zone-toggle', 'data-testid': 'zone-switch' })
  const draw = () => {
    const own = showsViewerZone()
    const zone = shownZone(sessionZone)
    const other = own ? (sessionZone && isTimeZone(sessionZone) ? sessionZone : eventZone) : viewerZone()
    const now = Date.now()
    status.textContent = `Times in ${own ? 'your time' : 'event time'}: ${placeName(zone)} (${zoneAbbreviation(zone, now)})`
    button.textContent = own ? `Show event time (${zoneAbbreviation(other, now)})` : `Show my time (${zoneAbbreviation(other, now)})`
    button.setAttribute('aria-pressed', String(own))
  }
  button.addEventListener('click', () => {
    try {
      localStorage.setItem(storageKey, showsViewerZone() ? 'event' : 'viewer')
    } catch {
      // reason: storage blocked by the browser; the page keeps showing the event's zone.
    }
    rewriteTimes()
    window.dispatchEvent(new Event(timeZoneChange))
  })
  window.addEventListener(timeZoneChange, draw)
  draw()
  void loadEventZone().then(() => {
    draw()
    rewriteTimes()
  })
  return h('div', { class: 'zone-switch', role: 'group', 'aria-label': 'Time zone' }, status, ' ', button)
}
