/**
 * The organizer's schedule import (on `/organizer/import`, signed in): pick a CSV or iCalendar
 * file and name the event, preview what would change (a dry run), import, and get every new
 * session's links (with their keys, shown this once) on the page and as a CSV download. The
 * sign-in cookie goes with the request; the server refuses anyone but an organizer.
 */
import { h } from '../dom.ts'

interface ImportedSession {
  id: string
  line: number
  title: string
  outcome: 'created' | 'updated' | 'unchanged' | 'skipped'
  reason?: string
  changes?: Record<string, { from: unknown; to: unknown }>
  links?: { moderator: string; attendee: string; projector: string }
}

interface ImportAnswer {
  dryRun: boolean
  created: number
  updated: number
  unchanged: number
  skipped: number
  sessions: ImportedSession[]
  error?: { message: string; details?: { problems?: { line: number; message: string }[] } }
}

/** The form; the event index beside it picks the new sessions up on its next refresh. */
export function scheduleImportForm(): HTMLElement {
  const event = h('input', { id: 'import-event', name: 'event', required: true, maxlength: 80, placeholder: 'e.g. Summit 2026', autocomplete: 'off' })
  const file = h('input', { id: 'import-file', name: 'schedule', type: 'file', required: true, accept: '.csv,.ics,text/csv,text/calendar' })
  const etherpads = h('input', { id: 'import-etherpads', name: 'etherpads', type: 'file', multiple: true, accept: '.etherpad,.html,.htm,.txt,application/json,text/html,text/plain' })
  const preview = h('button', { type: 'button' }, 'Preview')
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Import')
  const result = h('div', { class: 'import-result', role: 'status', 'aria-live': 'polite' })
  const form = h(
    'form',
    { class: 'import-form', 'aria-labelledby': 'import-heading' },
    h('h2', { id: 'import-heading' }, 'Import the schedule'),
    h('label', { class: 'field', for: 'import-event' }, h('span', { class: 'field-label' }, 'Event'), event),
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
      result.replaceChildren(h('p', { class: 'error' }, 'Name the event and choose a file first.'))
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
        body: JSON.stringify({ event: event.value, format: /\.ics$/i.test(chosen.name) ? 'ics' : 'csv', content: await chosen.text(), dryRun, etherpadFiles }),
      })
      const answer = (await res.json()) as ImportAnswer
      if (!res.ok) {
        const problems = answer.error?.details?.problems ?? []
        result.replaceChildren(
          h('p', { class: 'error' }, answer.error?.message ?? `The import failed (${res.status}).`),
          h('ul', { class: 'import-problems' }, ...problems.map((problem) => h('li', {}, `Line ${problem.line}: ${problem.message}`))),
        )
        return
      }
      result.replaceChildren(...summary(answer))
    } catch (error) {
      result.replaceChildren(h('p', { class: 'error' }, `The import failed: ${(error as Error).message}`))
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
    const csv = rows.map((row) => row.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',')).join('\r\n')
    const download = h('a', { class: 'button', href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })), download: 'session-links.csv' }, 'Download the links (CSV)')
    parts.push(
      h('p', { class: 'hint' }, 'The moderator links carry their keys and are shown only now: download them and hand each to its moderator.'),
      download,
      h(
        'table',
        { class: 'import-links' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Session'), h('th', { scope: 'col' }, 'Moderator link'))),
        h('tbody', {}, ...created.map((s) => h('tr', {}, h('td', {}, h('a', { href: s.links!.attendee }, s.title)), h('td', {}, h('code', {}, origin + s.links!.moderator))))),
      ),
    )
  }
  return parts
}
