/**
 * Archiver: reads a pad's final content and turns an ended session into its archive record
 * (frozen doc, outcomes, participants, chat, full-text row). Also serves a live pad's current
 * content for exports and the whole archive as a zip of Markdown files.
 */
import { zipSync, strToU8 } from 'fflate'
import type { ArchivedSession, Session } from '../../shared/api.ts'
import { chatArrayName, toChatMessages, type ChatMessage } from '../../shared/chat.ts'
import { formatDocName } from '../../shared/doc-name.ts'
import { exportMarkdown } from '../../shared/export/markdown.ts'
import { exportText } from '../../shared/export/text.ts'
import { extractOutcomes } from '../../shared/outcomes.ts'
import { padFragmentName } from '../../shared/schema.ts'
import type { PMJSON } from '../../shared/template.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'
import { exportMeta, fileStem, type ExportSource } from './exports.ts'
import { padJsonOf } from './pad-json.ts'

export class Archiver {
  constructor(
    private readonly meta: MetaStore,
    private readonly rooms: RoomRegistry,
  ) {}

  /** The pad's current content as ProseMirror JSON (every accepted update included). */
  padJson(sessionId: string): Promise<PMJSON> {
    // Read without y-prosemirror's reader, which throws on content outside the schema's shape
    // and recurses without bound (see pad-json.ts); the exporters repair what does not fit.
    return this.rooms.read(formatDocName({ sessionId, kind: 'pad' }), (ydoc) => padJsonOf(ydoc.getXmlFragment(padFragmentName)))
  }

  /**
   * The session chat's messages in order. Entries that are not well-formed messages (any editor
   * may write the array) are dropped. A session nobody chatted in has an empty chat doc: `[]`.
   */
  chatMessages(sessionId: string): Promise<ChatMessage[]> {
    return this.rooms.read(formatDocName({ sessionId, kind: 'chat' }), (ydoc) => toChatMessages(ydoc.getArray(chatArrayName).toArray()))
  }

  /** Freezes `session` (which has ended) into its archive record and indexes it for search. */
  async archive(session: Session): Promise<ArchivedSession> {
    const source = await this.liveSource(session)
    await this.meta.saveArchive({
      sessionId: session.id,
      doc: source.doc,
      outcomes: source.outcomes,
      participants: source.participants,
      chat: source.chat,
      text: exportText(source.doc, exportMeta(source)),
    })
    return (await this.meta.getArchive(session.id))!
  }

  /** What an export of `session` is made from: its archive when ended, else the live pad. */
  async exportSource(session: Session): Promise<ExportSource> {
    if (session.state === 'ended') {
      const archived = await this.meta.getArchive(session.id)
      if (archived) return { session, doc: archived.doc, outcomes: archived.outcomes, participants: archived.participants, chat: archived.chat }
    }
    return this.liveSource(session)
  }

  /** A zip with every archived session's Markdown (by track) and an `index.md` linking them. */
  async zipAll(): Promise<Uint8Array> {
    const summaries = await this.meta.listArchives()
    const files: Record<string, Uint8Array> = {}
    const index: string[] = ['# Summit archive', '', `${summaries.length} archived sessions.`, '']
    let currentTrack: string | null = null
    for (const summary of summaries) {
      const archived = (await this.meta.getArchive(summary.session.id))!
      const track = summary.session.track || 'No track'
      const folder = fileStem({ ...summary.session, title: track })
      const path = `sessions/${folder}/${fileStem(summary.session)}-${summary.session.id}.md`
      files[path] = strToU8(exportMarkdown(archived.doc, exportMeta({ ...archived, session: summary.session })))
      if (track !== currentTrack) {
        index.push(`## ${track}`, '')
        currentTrack = track
      }
      const { decisions, actions } = summary.outcomes
      index.push(`- [${summary.session.title}](${path}): ${decisions.length} decisions, ${actions.length} action items`)
    }
    files['index.md'] = strToU8(`${index.join('\n')}\n`)
    return zipSync(files, { level: 6 })
  }

  private async liveSource(session: Session): Promise<ExportSource> {
    const doc = await this.padJson(session.id)
    return { session, doc, outcomes: extractOutcomes(doc), participants: await this.meta.listParticipants(session.id), chat: await this.chatMessages(session.id) }
  }
}
