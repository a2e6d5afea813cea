/**
 * The deliveries each change causes (issue 20): one webhook delivery per endpoint subscribed to
 * the event, and for `session.ended` the recap mail to the track's list. Bodies are built here,
 * once, and frozen in the outbox row: a retry sends the same bytes (re-signed). Called inside the
 * MetaStore transaction of the change (as its `effects`), so nothing here does I/O.
 *
 * A webhook body is `{ id, event, time, data }`; `id` is the delivery's id (unique per delivery
 * and endpoint, the same on every retry), `time` when the change happened (ISO 8601).
 */
import { randomUUID } from 'node:crypto'
import type { ArchivedSession, Session } from '../../shared/api.ts'
import { recapHtml, recapSubject, recapText, type RecapSource } from '../../shared/export/recap.ts'
import type { NewOutboxMessage } from './outbox-message.ts'
import { recapListFor, type NotifyConfig, type WebhookEvent } from './notify-config.ts'

/** Most decisions, and most action items, a `session.ended` body lists (`counts` has the totals). */
export const maxWebhookItems = 1000

/** A recap mail as the outbox keeps it (the `body` of a `mail` delivery, as JSON). */
export interface RecapMail {
  from: string
  to: string
  subject: string
  text: string
  html: string
  /** `<delivery id@from's domain>`: the same on every retry, so list archives drop duplicates. */
  messageId: string
  /** RFC 5322 date of the session's end. */
  date: string
  sessionId: string
}

/** What a schedule import reports in `schedule.imported`. */
export interface ImportSummary {
  event: string
  created: number
  updated: number
  unchanged: number
  skipped: number
  sessions: { id: string; title: string; outcome: string }[]
}

/** Links to a session's pages and exports; absolute when PUBLIC_URL is set. */
export function sessionLinks(publicUrl: string | null, id: string): { pad: string; archive: string; exports: Record<string, string> } {
  const base = `${publicUrl?.replace(/\/+$/, '') ?? ''}`
  const exportUrl = (format: string) => `${base}/api/sessions/${id}/export?format=${format}`
  return {
    pad: `${base}/s/${id}`,
    archive: `${base}/s/${id}/archive`,
    exports: { md: exportUrl('md'), html: exportUrl('html'), txt: exportUrl('txt'), json: exportUrl('json'), recap: exportUrl('recap'), eml: exportUrl('eml') },
  }
}

/** The session fields a webhook shows (no capability hashes exist on a Session anyway). */
function sessionFacts(session: Session) {
  const { id, title, track, room, moderator, scheduledStart, durationMinutes, state, startedAt, endsAt, endedAt } = session
  return { id, title, track, room, moderator, scheduledStart, durationMinutes, state, startedAt, endsAt, endedAt }
}

export class OutcomeEvents {
  constructor(
    private readonly notify: NotifyConfig,
    private readonly publicUrl: string | null,
    private readonly newId: () => string = randomUUID,
  ) {}

  /** Whether anything is configured at all (else every method returns []). */
  get enabled(): boolean {
    return this.notify.webhooks.length > 0 || this.notify.mail !== null
  }

  sessionStarted(session: Session): NewOutboxMessage[] {
    return this.webhooks('session.started', session.startedAt ?? session.updatedAt, { session: sessionFacts(session), links: sessionLinks(this.publicUrl, session.id) })
  }

  /** A schedule change (`changes`: each field's old and new value). */
  sessionUpdated(session: Session, changes: Record<string, { from: unknown; to: unknown }>): NewOutboxMessage[] {
    return this.webhooks('session.updated', session.updatedAt, { session: sessionFacts(session), changes, links: sessionLinks(this.publicUrl, session.id) })
  }

  /** The end, with the outcomes of the archive record; plus the recap mail unless turned off. */
  sessionEnded(archived: ArchivedSession): NewOutboxMessage[] {
    const { session } = archived
    const links = sessionLinks(this.publicUrl, session.id)
    const messages = this.webhooks('session.ended', session.endedAt ?? archived.archivedAt, {
      session: sessionFacts(session),
      outcomes: {
        decisions: archived.outcomes.decisions.slice(0, maxWebhookItems),
        actions: archived.outcomes.actions.slice(0, maxWebhookItems).map(({ text, owner, due, done }) => ({ text, owner, due, state: done ? 'done' : 'open' })),
        // The lists stop at maxWebhookItems; these say how many the archive has.
        counts: { decisions: archived.outcomes.decisions.length, actions: archived.outcomes.actions.length },
      },
      participants: archived.participants,
      links,
    })
    const mail = this.notify.mail
    const to = mail ? recapListFor(mail, session.track) : null
    if (mail && to && session.recapMail) {
      const id = this.newId()
      const recap = recapMail({ session, outcomes: archived.outcomes, participants: archived.participants, archiveUrl: links.archive }, mail.from, to, id)
      messages.push({ id, channel: 'mail', target: to, event: 'recap.mail', body: JSON.stringify(recap) })
    }
    return messages
  }

  scheduleImported(summary: ImportSummary, at: number): NewOutboxMessage[] {
    return this.webhooks('schedule.imported', new Date(at).toISOString(), summary)
  }

  private webhooks(event: WebhookEvent, time: string, data: unknown): NewOutboxMessage[] {
    return this.notify.webhooks
      .filter((endpoint) => endpoint.events.includes(event))
      .map((endpoint) => {
        const id = this.newId()
        return { id, channel: 'webhook', target: endpoint.name, event, body: JSON.stringify({ id, event, time, data }) }
      })
  }
}

/** The recap mail of a session (also the `eml` export's content). */
export function recapMail(source: RecapSource & { session: Session }, from: string, to: string, id: string): RecapMail {
  const domain = from.slice(from.lastIndexOf('@') + 1) || 'summitpad.invalid'
  return {
    from,
    to,
    subject: recapSubject(source),
    text: recapText(source),
    html: recapHtml(source),
    messageId: `<${id}@${domain}>`,
    date: new Date(source.session.endedAt ?? Date.now()).toUTCString(),
    sessionId: source.session.id,
  }
}
