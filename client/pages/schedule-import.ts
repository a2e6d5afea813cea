/**
 * The organizer's schedule import (on `/organizer/import`, signed in): pick a CSV or iCalendar
 * file and name the event, preview what would change (a dry run), import, and get every new
 * session's links (with their keys, shown this once) on the page and as a CSV download. The
 * sign-in cookie goes with the request; the server refuses anyone but an organizer.
 */
import type { ImportedSession, ImportResult } from '../../shared/api.ts'
import { h } from '../dom.ts'
import { loadEventZone } from '../time-display.ts'

/** The import's answer, or on a refusal its error (with the bad lines). */
interface ImportAnswer extends ImportResult {
  error?: { message: string; details?: { problems?: { line: number; message: string }[] } }
}

/** What a schedule file holds, said before a file is chosen (issue 19, "running the room"). */
const csvColumns = 'title, start, duration (required); track, room, moderator, description, etherpad (optional)'
const startFormat = 'a date and time such as 2026-11-24 14:00 (or ISO 8601, 2026-11-24T14:00); times are in the event\'s time zone unless they carry an offset such as +08:00'
const sampleCsv = 'title,track,room,start,duration,moderator\r\nPlacement API roadmap,Nova,Room 201,2026-11-24 09:00,40,Sean\r\n"Quotas, limits and usage",Nova,Room 201,2026-11-24 09:50,40,Kim\r\n'

function expectedFormat(): HTMLElement {
  const sample = h('a', { href: URL.createObjectURL(new Blob([sampleCsv], { type: 'text/csv' })), download: 'schedule-sample.csv' }, 'Download a sample CSV')
  return h(
    'div',
    { class: 'import-expects', id: 'import-expects' },
    h('h3', {}, 'What the file holds'),
    h(
      'ul',
      {},
      h('li', {}, h('strong', {}, 'CSV: '), `a header row naming the columns, in any order and any case: ${csvColumns}. One session per row; quote a field that holds a comma.`),
      h('li', {}, h('strong', {}, 'start: '), `${startFormat}.`),
      h('li', {}, h('strong', {}, 'duration: '), 'whole minutes, from 5 to 1440.'),
      h('li', {}, h('strong', {}, 'iCalendar (.ics): '), 'one VEVENT per session: SUMMARY the title, DTSTART and DTEND (or DURATION) the slot, LOCATION the room, CATEGORIES the track, ORGANIZER (CN) the moderator. A TZID names the time zone.'),
      h('li', {}, 'Importing the same event again updates its sessions (matched by track and title) and creates none twice.'),
    ),
    h('p', {}, sample),
  )
}

/**
 * Turns a problem the server reports for one line into a sentence ending with the format that
 * line should have had.
 */
export function problemSentence(line: number, message: string): string {
  const text = message.trim().replace(/\.$/, '')
  const sentence = `Line ${line}: ${text.charAt(0).toUpperCase()}${text.slice(1)}.`
  if (/\bstart\b|date and time/i.test(text)) return `${sentence} Write start as ${startFormat}.`
  if (/\bduration\b/i.test(text)) return `${sentence} Write duration as whole minutes, from 5 to 1440.`
  if (/header|column/i.test(text)) return `${sentence} The first row names the columns: ${csvColumns}.`
  if (/fields where the header|not valid CSV/i.test(text)) return `${sentence} Each row has as many fields as the header; quote a field that holds a comma ("Quotas, limits").`
  if (/VEVENT|iCalendar|DTSTART/i.test(text)) return `${sentence} Each VEVENT needs SUMMARY, DTSTART and DTEND or DURATION.`
  return sentence
}

/**
 * The form. `onImported` runs after an import that created or updated sessions (the schedule
 * beside the form redraws with them at once).
 */
export function scheduleImportForm(onImported: () => void = () => {}): HTMLElement {
  const event = h('input', { id: 'import-event', name: 'event', required: true, maxlength: 80, placeholder: 'e.g. Summit 2026', autocomplete: 'off' })
  // Issue 19: times without an offset are read in this zone, which becomes the event's.
  const zoneList = h('datalist', { id: 'import-zones' }, ...supportedZones().map((zone) => h('option', { value: zone })))
  const zone = h('input', { id: 'import-zone', name: 'timeZone', list: 'import-zones', maxlength: 64, placeholder: 'e.g. Asia/Hong_Kong', autocomplete: 'off' })
  void loadEventZone().then((current) => zone.setAttribute('placeholder', `now ${current}`))
  const file = h('input', { id: 'import-file', name: 'schedule', type: 'file', required: true, accept: '.csv,.ics,text/csv,text/calendar', 'aria-describedby': 'import-expects' })
  const etherpads = h('input', { id: 'import-etherpads', name: 'etherpads', type: 'file', multiple: true, accept: '.etherpad,.html,.htm,.txt,application/json,text/html,text/plain' })
  const preview = h('button', { type: 'button' }, 'Preview')
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Import')
  const result = h('div', { class: 'import-result', role: 'status', 'aria-live': 'polite' })
  const form = h(
    'form',
    { class: 'import-form', 'aria-labelledby': 'import-heading' },
    h('h2', { id: 'import-heading' }, 'Schedule file'),
    expectedFormat(),
    h('label', { class: 'field', for: 'import-event' }, h('span', { class: 'field-label' }, 'Event'), event),
    h(
      'label',
      { class: 'field', for: 'import-zone' },
      h('span', { class: 'field-label' }, 'Time zone of the event'),
      zone,
      zoneList,
      h('span', { class: 'field-hint' }, 'An IANA name such as Asia/Hong_Kong. Times without an offset (2026-11-24 09:00) are read in it. Left empty: an .ics file’s TZID, else the event’s zone so far.'),
    ),
    h('label', { class: 'field', for: 'import-file' }, h('span', { class: 'field-label' }, 'Schedule file (CSV or .ics)'), file),
    h(
      'label',
      { class: 'field', for: 'import-etherpads' },
      h('span', { class: 'field-label' }, 'Etherpad pads (optional)'),
      etherpads,
      h('span', { class: 'field-hint' }, 'Exports (.etherpad, HTML or text) named in the CSV’s etherpad column: those sessions start from them.'),
    ),
    h('div', { class: 'button-row' }, preview, submit),
    result,
  )

  const run = async (dryRun: boolean) => {
    const chosen = file.files?.[0]
    if (!event.value.trim() || !chosen) {
      result.replaceChildren(h('p', { class: 'error' }, 'Name the event and choose a CSV or .ics file first.'))
      return
    }
    preview.disabled = submit.disabled = true
    result.replaceChildren(h('p', {}, dryRun ? 'Checking…' : 'Importing…'))
    try {
      const etherpadFiles: Record<string, string> = {}
      for (const pad of etherpads.files ?? []) etherpadFiles[pad.name] = await pad.text()
      const res = await fetch('/api/schedule/import', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: event.value, format: /\.ics$/i.test(chosen.name) ? 'ics' : 'csv', content: await chosen.text(), dryRun, etherpadFiles, ...(zone.value.trim() ? { timeZone: zone.value.trim() } : {}) }),
      })
      const answer = (await res.json()) as ImportAnswer
      if (!res.ok) {
        const problems = answer.error?.details?.problems ?? []
        const message = answer.error?.message ?? `the import failed (HTTP ${res.status})`
        result.replaceChildren(
          h('p', { class: 'error' }, `${message.charAt(0).toUpperCase()}${message.slice(1).replace(/\.$/, '')}.`),
          h('ul', { class: 'import-problems' }, ...problems.map((problem) => h('li', {}, problemSentence(problem.line, problem.message)))),
        )
        return
      }
      result.replaceChildren(...summary(answer))
      if (!dryRun && answer.created + answer.updated > 0) onImported()
    } catch (error) {
      result.replaceChildren(h('p', { class: 'error' }, `The import failed: ${(error as Error).message}.`))
    } finally {
      preview.disabled = submit.disabled = false
    }
  }
  preview.addEventListener('click', () => void run(true))
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    void run(false)
  })
  return form
}

function summary(answer: ImportAnswer): HTMLElement[] {
  const verb = answer.dryRun ? 'would be' : 'were'
  const skipped = answer.skipped > 0 ? `, ${answer.skipped} left alone (live or ended)` : ''
  const parts: HTMLElement[] = [h('p', {}, `${answer.created} sessions ${verb} created, ${answer.updated} updated, ${answer.unchanged} unchanged${skipped}.`)]
  const updated = answer.sessions.filter((session) => session.outcome === 'updated')
  if (updated.length > 0) {
    parts.push(
      h(
        'ul',
        { class: 'import-changes' },
        ...updated.map((session) =>
          h('li', {}, `${session.title}: `, Object.entries(session.changes ?? {}).map(([field, change]) => `${field} ${String(change.from)} → ${String(change.to)}`).join(', ')),
        ),
      ),
    )
  }
  const created = answer.sessions.filter((session) => session.links)
  if (created.length > 0) {
    const origin = location.origin
    const rows = [['id', 'title', 'moderator link', 'attendee link', 'projector link'], ...created.map((s) => [s.id, s.title, origin + s.links!.moderator, origin + s.links!.attendee, origin + s.links!.projector])]
    const download = h('a', { class: 'button-link', href: csvUrl(rows), download: 'session-links.csv' }, 'Download all links (CSV)')
    parts.push(
      h('p', { class: 'hint' }, 'The moderator links carry their keys and are shown only now: download them and hand each to its moderator.'),
      download,
      h(
        'table',
        { class: 'import-links' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Session'), h('th', { scope: 'col' }, 'Moderator link'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h('tbody', {}, ...created.map((s) => linkRow(s, origin))),
      ),
    )
  }
  return parts
}

/** A CSV file of `rows` as an object URL. */
function csvUrl(rows: string[][]): string {
  const csv = rows.map((row) => row.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',')).join('\r\n')
  return URL.createObjectURL(new Blob([csv], { type: 'text/csv' }))
}

/** One new session: its title, its moderator link (whole, wrapped), a copy button and a download of its three links. */
function linkRow(session: ImportedSession, origin: string): HTMLElement {
  const links = session.links!
  const moderator = origin + links.moderator
  const copy = h('button', { type: 'button', class: 'bar-button copy-link', 'aria-label': `Copy the moderator link of ${session.title}` }, 'Copy')
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(moderator)
      copy.textContent = 'Copied'
    } catch {
      // Clipboard refused (no permission, or not a secure context): select the link to copy by hand.
      const code = copy.closest('tr')?.querySelector('code')
      if (code) getSelection()?.selectAllChildren(code)
      copy.textContent = 'Select and copy'
    }
  })
  const text = `${session.title}\r\nModerator (keep private): ${moderator}\r\nAttendees: ${origin + links.attendee}\r\nProjector: ${origin + links.projector}\r\n`
  const download = h(
    'a',
    { class: 'button-link', href: URL.createObjectURL(new Blob([text], { type: 'text/plain' })), download: `${session.id}-links.txt`, 'aria-label': `Download the links of ${session.title}` },
    'Download',
  )
  return h(
    'tr',
    {},
    h('td', { class: 'import-link-title' }, h('a', { href: links.attendee }, session.title)),
    h('td', { class: 'import-link-url' }, h('code', {}, moderator)),
    h('td', { class: 'import-link-actions' }, h('div', { class: 'import-link-buttons' }, copy, download)),
  )
}

/** The zones this browser knows, for the time zone field's suggestions. */
function supportedZones(): string[] {
  const intl = Intl as { supportedValuesOf?: (key: string) => string[] }
  return intl.supportedValuesOf?.('timeZone') ?? []
}
