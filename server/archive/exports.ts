/**
 * Renders a pad in one of the export formats, with the Content-Type and file name to send it
 * under. The exporters themselves are the pure functions of `shared/export/`. Only the JSON
 * export carries the chat; Markdown, HTML and text are the pad alone, as `readableDoc` makes it
 * ready to read (no empty template sections, no white space at line ends, absolute links). The
 * JSON export keeps the frozen pad whole: it is the record, for programs.
 */
import type { ExportFormat, Session } from '../../shared/api.ts'
import type { ChatMessage } from '../../shared/chat.ts'
import { exportHtml } from '../../shared/export/html.ts'
import { exportMarkdown } from '../../shared/export/markdown.ts'
import type { ExportMeta } from '../../shared/export/meta.ts'
import { absoluteHref, readableDoc } from '../../shared/export/readable-doc.ts'
import { exportText } from '../../shared/export/text.ts'
import type { Outcomes } from '../../shared/outcomes.ts'
import type { PMJSON } from '../../shared/template.ts'
import { fileStem } from './file-stem.ts'

export { fileStem } from './file-stem.ts'

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
  /**
   * `PUBLIC_URL`: links in an export are made absolute against it; without it, the session link
   * and relative links in the pad are left out (never a relative path).
   */
  publicUrl?: string | null
  /**
   * Keep the template sections nobody filled (a revision's export: the pad as it was at that
   * moment). Otherwise they are left out, as on the archive page. @default false
   */
  keepEmptySections?: boolean
}

const extension: Record<ExportFormat, string> = { md: 'md', html: 'html', txt: 'txt', json: 'json' }
const contentType: Record<ExportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
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
    url: absoluteHref(`/s/${encodeURIComponent(session.id)}`, source.publicUrl ?? null) ?? undefined,
    timeZone: session.timeZone ?? 'UTC',
  }
}

export function renderExport(format: ExportFormat, source: ExportSource): RenderedExport {
  const meta = exportMeta(source)
  const readable = () => readableDoc(source.doc, source.publicUrl ?? null, { keepEmptySections: source.keepEmptySections === true })
  let body: string
  switch (format) {
    case 'md':
      body = exportMarkdown(readable(), meta)
      break
    case 'html':
      body = exportHtml(readable(), meta, source.outcomes)
      break
    case 'txt':
      body = exportText(readable(), meta)
      break
    case 'json':
      body = `${JSON.stringify({ session: source.session, participants: source.participants, outcomes: source.outcomes, doc: source.doc, chat: source.chat }, null, 2)}\n`
      break
  }
  return { body, contentType: contentType[format], fileName: `${fileStem(source.session)}.${extension[format]}` }
}
