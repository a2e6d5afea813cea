/**
 * The recap of an ended session (issue 20): what the recap mail says and the `recap` export is.
 * Title, track, room, time, decisions, action items grouped by owner (unowned last), participants,
 * and the link to the archive page, as plain text and as a small HTML body (inline styles only:
 * mail clients drop style sheets). Pure.
 */
import type { Session } from '../api.ts'
import type { ActionOutcome, Outcomes } from '../outcomes.ts'
import { escapeHtml } from './html.ts'
import { formatMetaTime } from './meta.ts'

/** The recap's export formats (text, and the mail as `.eml`), beside the pad's own (`exportFormats`). */
export const recapFormats = ['recap', 'eml'] as const
export type RecapFormat = (typeof recapFormats)[number]

/** What a recap is made of. */
export interface RecapSource {
  session: Pick<Session, 'id' | 'title' | 'track' | 'room' | 'moderator' | 'scheduledStart' | 'startedAt' | 'endedAt'>
  outcomes: Outcomes
  participants: string[]
  /** The archive page, absolute when PUBLIC_URL is set (`https://pads.example/s/<id>/archive`). */
  archiveUrl: string
}

/**
 * Most decisions, and most action items, a recap lists; past it a line says how many more the
 * archive has (a pathological pad must not make a mail of megabytes, nor keep the event loop).
 */
export const maxRecapItems = 500

/** Owner heading for action items without an `@owner`. */
export const noOwnerLabel = 'No owner'

/** The mail's subject: `[Recap] <title>` with the track when there is one. */
export function recapSubject(source: RecapSource): string {
  const title = oneLine(source.session.title) || 'Untitled session'
  const track = oneLine(source.session.track)
  return track ? `[Recap] ${track}: ${title}` : `[Recap] ${title}`
}

/** The action items grouped by owner: owners in order of first appearance, unowned last. */
export function actionsByOwner(actions: ActionOutcome[]): { owner: string; actions: ActionOutcome[] }[] {
  const groups = new Map<string, ActionOutcome[]>()
  for (const action of actions) {
    const owner = action.owner ? `@${action.owner}` : noOwnerLabel
    groups.set(owner, [...(groups.get(owner) ?? []), action])
  }
  const unowned = groups.get(noOwnerLabel)
  groups.delete(noOwnerLabel)
  const result = [...groups].map(([owner, list]) => ({ owner, actions: list }))
  if (unowned) result.push({ owner: noOwnerLabel, actions: unowned })
  return result
}

function facts(source: RecapSource): [string, string][] {
  const { session } = source
  const rows: [string, string | null][] = [
    ['Track', session.track],
    ['Room', session.room],
    ['Moderator', session.moderator],
    ['Time', timeSpan(session)],
  ]
  return rows.flatMap(([label, value]) => (value?.trim() ? [[label, oneLine(value)] as [string, string]] : []))
}

function timeSpan(session: RecapSource['session']): string | null {
  const start = formatMetaTime(session.startedAt ?? session.scheduledStart)
  const end = formatMetaTime(session.endedAt)
  if (start && end) return `${start} – ${end.slice(start.slice(0, 10) === end.slice(0, 10) ? 11 : 0)}`
  return start ?? end
}

function actionLine(action: ActionOutcome): string {
  const due = action.due ? ` (due ${action.due})` : ''
  return `${action.done ? '[x]' : '[ ]'} ${oneLine(action.text)}${due}`
}

/** `source` with at most `maxRecapItems` decisions and action items, and how many were left out. */
function bounded(source: RecapSource): { decisions: string[]; actions: ActionOutcome[]; moreDecisions: number; moreActions: number } {
  const { decisions, actions } = source.outcomes
  return {
    decisions: decisions.slice(0, maxRecapItems),
    actions: actions.slice(0, maxRecapItems),
    moreDecisions: Math.max(0, decisions.length - maxRecapItems),
    moreActions: Math.max(0, actions.length - maxRecapItems),
  }
}

const moreLine = (count: number, what: string) => `… and ${count} more ${what} in the archive`

/** The recap as plain text, ending with one newline. */
export function recapText(source: RecapSource): string {
  const items = bounded(source)
  const title = oneLine(source.session.title) || 'Untitled session'
  const out = [`Recap: ${title}`, '='.repeat(Math.min(80, `Recap: ${title}`.length)), '']
  for (const [label, value] of facts(source)) out.push(`${label}: ${value}`)
  out.push('', 'Decisions', '---------')
  if (items.decisions.length === 0) out.push('(none recorded)')
  items.decisions.forEach((decision, index) => out.push(`${index + 1}. ${oneLine(decision)}`))
  if (items.moreDecisions) out.push(moreLine(items.moreDecisions, 'decisions'))
  out.push('', 'Action items', '------------')
  const groups = actionsByOwner(items.actions)
  if (groups.length === 0) out.push('(none recorded)')
  for (const group of groups) {
    out.push(`${group.owner}:`)
    for (const action of group.actions) out.push(`  ${actionLine(action)}`)
  }
  if (items.moreActions) out.push(moreLine(items.moreActions, 'action items'))
  out.push('', 'Participants', '------------', source.participants.length ? source.participants.map(oneLine).join(', ') : '(none recorded)')
  out.push('', `The whole pad, its history and exports: ${source.archiveUrl}`)
  return `${out.join('\n')}\n`
}

/** The recap as an HTML mail body (a whole document, inline styles, no scripts or images). */
export function recapHtml(source: RecapSource): string {
  const items = bounded(source)
  const title = escapeHtml(oneLine(source.session.title) || 'Untitled session')
  const url = escapeHtml(source.archiveUrl)
  const h2 = 'style="font-size:1.1em;margin:1.2em 0 0.4em"'
  const factRows = facts(source)
    .map(([label, value]) => `<tr><th style="text-align:left;padding-right:1em">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('')
  const more = (count: number, what: string) => (count ? `<p>${escapeHtml(moreLine(count, what))}</p>` : '')
  const decisions =
    (items.decisions.length ? `<ol>${items.decisions.map((decision) => `<li>${escapeHtml(oneLine(decision))}</li>`).join('')}</ol>` : '<p>(none recorded)</p>') +
    more(items.moreDecisions, 'decisions')
  const groups = actionsByOwner(items.actions)
  const actions = groups.length
    ? groups
        .map((group) => `<h3 style="font-size:1em;margin:0.8em 0 0.2em">${escapeHtml(group.owner)}</h3><ul>${group.actions.map((action) => `<li>${escapeHtml(actionLine(action))}</li>`).join('')}</ul>`)
        .join('')
    : '<p>(none recorded)</p>'
  const actionsMore = more(items.moreActions, 'action items')
  const participants = source.participants.length ? escapeHtml(source.participants.map(oneLine).join(', ')) : '(none recorded)'
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>Recap: ${title}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.4;color:#111;background:#fff">',
    `<h1 style="font-size:1.3em">Recap: ${title}</h1>`,
    factRows ? `<table>${factRows}</table>` : '',
    `<h2 ${h2}>Decisions</h2>${decisions}`,
    `<h2 ${h2}>Action items</h2>${actions}${actionsMore}`,
    `<h2 ${h2}>Participants</h2><p>${participants}</p>`,
    `<p>The whole pad, its history and exports: <a href="${url}">${url}</a></p>`,
    '</body></html>',
    '',
  ].join('\n')
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
