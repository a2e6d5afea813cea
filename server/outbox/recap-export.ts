/**
 * The recap as an export (issue 20), for operators who post it by hand: `format=recap` is the
 * plain-text recap, `format=eml` the whole mail (headers, text and HTML parts) as the recap mail
 * sends it, to open in a mail client and send. An ended session's recap is made from its archive
 * record; a live one's from the pad now (outcomes extracted in a worker).
 */
import type { Session } from '../../shared/api.ts'
import type { Archiver } from '../archive/archiver.ts'
import type { RenderedExport } from '../archive/exports.ts'
import { fileStem } from '../archive/file-stem.ts'
import { snapshotInWorker } from '../workers/heavy-work.ts'
import { recapListFor, type NotifyConfig } from './notify-config.ts'
import { recapMail, sessionLinks } from './outcome-events.ts'
import { randomUUID } from 'node:crypto'

import type { RecapFormat } from '../../shared/export/recap.ts'

/** What the recap export needs from the configuration. */
export interface RecapExportDeps {
  notify: NotifyConfig
  publicUrl: string | null
}

/** Renders `session`'s recap as `format`. */
export async function renderRecapExport(format: RecapFormat, session: Session, archiver: Archiver, deps: RecapExportDeps): Promise<RenderedExport> {
  const source = await archiver.padSource(session)
  const outcomes = source.outcomes ?? (await snapshotInWorker(source)).outcomes
  const mail = deps.notify.mail
  const list = mail ? recapListFor(mail, session.track) : null
  const recap = recapMail(
    { session, outcomes, participants: source.participants, archiveUrl: sessionLinks(deps.publicUrl, session.id).archive },
    mail?.from ?? 'summitpad@localhost',
    list ?? '',
    randomUUID(),
  )
  if (format === 'recap') return { body: recap.text, contentType: 'text/plain; charset=utf-8', fileName: `${fileStem(session)}-recap.txt` }
  // Loaded with the first .eml export: nodemailer costs memory a server that makes none never needs.
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer')
  const composer = new MailComposer({
    ...(mail ? { from: recap.from } : {}),
    ...(list ? { to: list } : {}),
    subject: recap.subject,
    text: recap.text,
    html: recap.html,
    messageId: recap.messageId,
    date: new Date(recap.date),
    headers: { 'X-Summitpad-Session': session.id },
  })
  const eml = await composer.compile().build()
  return { body: eml.toString('utf8'), contentType: 'message/rfc822', fileName: `${fileStem(session)}-recap.eml` }
}
