/**
 * "My summit" (issue 20 part 4): the sessions one person took part in or listened to, grouped by
 * track and day, each with its decisions and the person's own action items, and the summit
 * report made of it (Markdown or HTML, ready to post). Pure: the server gathers the data, a
 * worker renders the report.
 */
import type { Session } from './api.ts'
import { escapeHtml } from './export/html.ts'
import type { ActionOutcome } from './outcomes.ts'

/** Most sessions a person may add as listened. @default 500 */
export const maxListenedSessions = 500

/** One session of a person's summit. */
export interface MySession {
  session: Pick<Session, 'id' | 'title' | 'track' | 'room' | 'state' | 'scheduledStart' | 'startedAt' | 'endedAt'>
  /** The person wrote in its pad or chat (recorded when it ended). */
  tookPart: boolean
  /** The person added it as a session they listened to. */
  listened: boolean
  /** Its decisions (empty until it has ended). */
  decisions: string[]
  /** Its action items owned by the person (by `@name`; see `isOwnAction`). */
  actions: ActionOutcome[]
}

/** A person's summit: tracks in name order (no track last), days in order, sessions by time. */
export interface MySummit {
  personId: string
  /** The names the person's own action items are recognised by. */
  names: string[]
  /** The IANA time zone the days are in. */
  timeZone: string
  tracks: { track: string; days: { day: string; sessions: MySession[] }[] }[]
}

/** When a session happened, for grouping: its start, else its schedule, else its end; null if none. */
export function sessionTime(session: MySession['session']): string | null {
  return session.startedAt ?? session.scheduledStart ?? session.endedAt
}

/** `YYYY-MM-DD` of `iso` in `timeZone`, or `undated`. */
export function dayOf(iso: string | null, timeZone: string): string {
  if (!iso) return 'undated'
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(iso))
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00'
  return `${part('year')}-${part('month')}-${part('day')}`
}

/** `HH:MM` of `iso` in `timeZone`, or empty. */
export function timeOf(iso: string | null, timeZone: string): string {
  if (!iso) return ''
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso))
}

const fold = (value: string) => value.normalize('NFKD').replace(/[^\p{L}\p{N}]/gu, '').toLowerCase()

/**
 * Whether an action owned by `@owner` is the person's, who is known by `names`: the owner equals
 * a name, or a name's first word, ignoring case, accents, spaces and punctuation (`@ada`,
 * `@AdaLovelace` and `@ada.lovelace` are all "Ada Lovelace"'s).
 */
export function isOwnAction(owner: string | null, names: string[]): boolean {
  if (!owner) return false
  const wanted = fold(owner)
  if (!wanted) return false
  return names.some((name) => fold(name) === wanted || fold(name.trim().split(/\s+/)[0] ?? '') === wanted)
}

/** Groups `sessions` by track (name order, no track last), then day in `timeZone`, then time. */
export function groupSessions(sessions: MySession[], timeZone: string): MySummit['tracks'] {
  const sorted = [...sessions].sort((a, b) => (sessionTime(a.session) ?? '~').localeCompare(sessionTime(b.session) ?? '~') || a.session.title.localeCompare(b.session.title))
  const tracks = new Map<string, Map<string, MySession[]>>()
  for (const entry of sorted) {
    const days = tracks.get(entry.session.track) ?? new Map<string, MySession[]>()
    tracks.set(entry.session.track, days)
    const day = dayOf(sessionTime(entry.session), timeZone)
    days.set(day, [...(days.get(day) ?? []), entry])
  }
  return [...tracks]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
    .map(([track, days]) => ({ track, days: [...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, list]) => ({ day, sessions: list })) }))
}

/** Report formats. */
export const reportFormats = ['md', 'html'] as const
export type ReportFormat = (typeof reportFormats)[number]

/** What the report is made from: the summit, who it is by, and the absolute base of links. */
export interface ReportSource {
  summit: MySummit
  /** The person's name as the report's author. */
  author: string
  /** Absolute origin for links to archive pages, e.g. `https://pad.example.org`. */
  origin: string
}

const mdEscape = (text: string) => text.replace(/([\\`*_[\]<>#|])/g, '\\$1').replace(/\s+/g, ' ')

function actionLine(action: ActionOutcome): string {
  return action.due ? `${action.text} (due ${action.due})` : action.text
}

/** The summit report as Markdown: a heading per track and day, a section per session. */
export function reportMarkdown({ summit, author, origin }: ReportSource): string {
  const lines = [`# My summit${author ? `: ${mdEscape(author)}` : ''}`, '']
  const count = summit.tracks.reduce((sum, track) => sum + track.days.reduce((n, day) => n + day.sessions.length, 0), 0)
  lines.push(`${count} session${count === 1 ? '' : 's'}, times in ${summit.timeZone}.`, '')
  for (const { track, days } of summit.tracks) {
    lines.push(`## ${mdEscape(track || 'No track')}`, '')
    for (const { day, sessions } of days) {
      lines.push(`### ${day}`, '')
      for (const entry of sessions) {
        const { session } = entry
        const when = timeOf(sessionTime(session), summit.timeZone)
        const facts = [when, session.room, entry.tookPart ? 'took part' : 'listened'].filter(Boolean).join(', ')
        lines.push(`#### [${mdEscape(session.title)}](${origin}/s/${session.id}/archive)`, '', `*${mdEscape(facts)}*`, '')
        if (session.state !== 'ended') lines.push('Not ended yet.', '')
        if (entry.decisions.length > 0) lines.push('Decisions:', '', ...entry.decisions.map((d) => `- ${mdEscape(d)}`), '')
        if (entry.actions.length > 0) lines.push('My action items:', '', ...entry.actions.map((a) => `- [${a.done ? 'x' : ' '}] ${mdEscape(actionLine(a))}`), '')
      }
    }
  }
  return `${lines.join('\n').trimEnd()}\n`
}

/** The summit report as a standalone HTML page (inline style, no scripts, every text escaped). */
export function reportHtml({ summit, author, origin }: ReportSource): string {
  const title = `My summit${author ? `: ${author}` : ''}`
  const body: string[] = [`<h1>${escapeHtml(title)}</h1>`]
  for (const { track, days } of summit.tracks) {
    body.push(`<h2>${escapeHtml(track || 'No track')}</h2>`)
    for (const { day, sessions } of days) {
      body.push(`<h3>${escapeHtml(day)}</h3>`)
      for (const entry of sessions) {
        const { session } = entry
        const facts = [timeOf(sessionTime(session), summit.timeZone), session.room, entry.tookPart ? 'took part' : 'listened'].filter(Boolean).join(', ')
        body.push(`<section><h4><a href="${escapeHtml(`${origin}/s/${session.id}/archive`)}">${escapeHtml(session.title)}</a></h4><p class="facts">${escapeHtml(facts)}</p>`)
        if (session.state !== 'ended') body.push('<p>Not ended yet.</p>')
        if (entry.decisions.length > 0) body.push(`<p>Decisions:</p><ul>${entry.decisions.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>`)
        if (entry.actions.length > 0) {
          body.push(`<p>My action items:</p><ul>${entry.actions.map((a) => `<li>${a.done ? '&#9745;' : '&#9744;'} ${escapeHtml(actionLine(a))}</li>`).join('')}</ul>`)
        }
        body.push('</section>')
      }
    }
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}a{color:#0b57d0}.facts{color:#444;margin-top:0}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`
}
