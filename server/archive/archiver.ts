/**
 * Archiver: reads a pad's final content and turns an ended session into its archive record
 * (frozen doc, outcomes, participants, chat, full-text row). Also serves a live pad's current
 * content for exports (the whole archive as a zip is `archive-zip.ts`).
 */
import { yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import * as Y from 'yjs'
import type { ArchivedSession, Session } from '../../shared/api.ts'
import { chatArrayName, toChatMessages, type ChatMessage } from '../../shared/chat.ts'
import { formatDocName } from '../../shared/doc-name.ts'
import { extractOutcomes } from '../../shared/outcomes.ts'
import { padFragmentName } from '../../shared/schema.ts'
import type { PMJSON } from '../../shared/template.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'
import type { PadSource } from '../workers/export-worker.ts'
import { snapshotInWorker } from '../workers/heavy-work.ts'
import type { ExportSource } from './exports.ts'

export class Archiver {
  constructor(
    private readonly meta: MetaStore,
    private readonly rooms: RoomRegistry,
  ) {}

  /** The pad's current content as ProseMirror JSON (every accepted update included). */
  padJson(sessionId: string): Promise<PMJSON> {
    return this.rooms.read(formatDocName({ sessionId, kind: 'pad' }), (ydoc) => {
      const json = yXmlFragmentToProsemirrorJSON(ydoc.getXmlFragment(padFragmentName)) as PMJSON
      // An empty fragment has no content array; the schema wants at least one block.
      return json.content?.length ? json : { type: 'doc', content: [{ type: 'paragraph' }] }
    })
  }

  /**
   * The session chat's messages in order. Entries that are not well-formed messages (any editor
   * may write the array) are dropped. A session nobody chatted in has an empty chat doc: `[]`.
   */
  chatMessages(sessionId: string): Promise<ChatMessage[]> {
    return this.rooms.read(formatDocName({ sessionId, kind: 'chat' }), (ydoc) => toChatMessages(ydoc.getArray(chatArrayName).toArray()))
  }

  /**
   * Freezes `session` (which has ended) into its archive record and indexes it for search. The
   * pad's JSON, outcomes and text are made in a worker (`snapshotInWorker`).
   */
  async archive(session: Session): Promise<ArchivedSession> {
    const source = await this.padSource(session, { live: true })
    const snapshot = await snapshotInWorker(source)
    await this.meta.saveArchive({
      sessionId: session.id,
      doc: snapshot.doc,
      outcomes: snapshot.outcomes,
      participants: source.participants,
      chat: source.chat,
      text: snapshot.text,
    })
    return (await this.meta.getArchive(session.id))!
  }

  /**
   * What an export of `session` is made from, for a worker: its archive when ended (JSON), else
   * the live pad as one Yjs update, which the worker turns into JSON. `live` skips the archive.
   */
  async padSource(session: Session, options: { live?: boolean } = {}): Promise<PadSource> {
    if (session.state === 'ended' && !options.live) {
      const archived = await this.meta.getArchive(session.id)
      if (archived) return { session, doc: archived.doc, outcomes: archived.outcomes, participants: archived.participants, chat: archived.chat }
    }
    const padUpdate = await this.rooms.read(formatDocName({ sessionId: session.id, kind: 'pad' }), (ydoc) => Y.encodeStateAsUpdate(ydoc))
    return { session, padUpdate, participants: await this.meta.listParticipants(session.id), chat: await this.chatMessages(session.id) }
  }

  /** What an export of `session` is made from: its archive when ended, else the live pad. */
  async exportSource(session: Session): Promise<ExportSource> {
    if (session.state === 'ended') {
      const archived = await this.meta.getArchive(session.id)
      if (archived) return { session, doc: archived.doc, outcomes: archived.outcomes, participants: archived.participants, chat: archived.chat }
    }
    return this.liveSource(session)
  }

  private async liveSource(session: Session): Promise<ExportSource> {
    const doc = await this.padJson(session.id)
    return { session, doc, outcomes: extractOutcomes(doc), participants: await this.meta.listParticipants(session.id), chat: await this.chatMessages(session.id) }
  }
}
