/**
 * Renders a pad in one of the export formats, with the Content-Type and file name to send it
 * under. The exporters themselves are the pure functions of `shared/export/`. Only the JSON
 * export carries the chat; Markdown, HTML and text are the pad alone.
 */
import type { ExportFormat, Session } from '../../shared/api.ts'
import type { ChatMessage } from '../../shared/chat.ts'
import { exportHtml } from '../../shared/export/html.ts'
import { exportMarkdown } from '../../shared/export/markdown.ts'
import type { ExportMeta } from '../../shared/export/meta.ts'
import { exportText } from '../../shared/export/text.ts'
import type { Outcomes } from '../../shared/outcomes.ts'
import type { PMJSON } from '../../shared/template.ts'

export interface RenderedExport {
  body: string
  contentType: string
  fileName: string
}

export interface ExportSource {
  session: Session
  doc: PMJSON
  outcomes: Outcomes
  participants: string[]
  /** The session chat, in order. */
  chat: ChatMessage[]
}

const extension: Record<ExportFormat, string> = { md: 'md', html: 'html', txt: 'txt', json: 'json' }
const contentType: Record<ExportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
}

/** A file name from the session title: lowercase words joined by dashes, or the session id. */
export function fileStem(session: Session): string {
  const slug = session.title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  return slug || session.id
}

export function exportMeta(source: ExportSource): ExportMeta {
  const { session } = source
  return {
    title: session.title,
    track: session.track,
    room: session.room,
    moderator: session.moderator,
    scheduledStart: session.scheduledStart,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    participants: source.participants,
    url: `/s/${session.id}`,
    timeZone: session.timeZone ?? 'UTC',
  }
}

export function renderExport(format: ExportFormat, source: ExportSource): RenderedExport {
  const meta = exportMeta(source)
  let body: string
  switch (format) {
    case 'md':
      body = exportMarkdown(source.doc, meta)
      break
    case 'html':
      body = exportHtml(source.doc, meta, source.outcomes)
      break
    case 'txt':
      body = exportText(source.doc, meta)
      break
    case 'json':
      body = `${JSON.stringify({ session: source.session, participants: source.participants, outcomes: source.outcomes, doc: source.doc, chat: source.chat }, null, 2)}\n`
      break
  }
  return { body, contentType: contentType[format], fileName: `${fileStem(source.session)}.${extension[format]}` }
}
