/**
 * Archiver: reads a pad's final content and turns an ended session into its archive record
 * (frozen doc, outcomes, participants, chat, full-text row), and gives what an export is made
 * from. Walking the pad's Y.XmlFragment and rendering happen in a worker (`export-worker.ts`);
 * the whole archive as a zip is `archive-zip.ts`.
 */
import * as Y from 'yjs'
import type { ArchivedSession, Session } from '../../shared/api.ts'
import { chatArrayName, toChatMessages, type ChatMessage } from '../../shared/chat.ts'
import { formatDocName } from '../../shared/doc-name.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import type { OutboxEffects } from '../outbox/outbox-message.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'
import type { PadSource } from '../workers/export-worker.ts'
import { snapshotInWorker } from '../workers/heavy-work.ts'

export class Archiver {
  /** `PUBLIC_URL`, or null: what links in exports are made absolute against (see ExportSource). */
  readonly publicUrl: string | null

  constructor(
    private readonly meta: MetaStore,
    private readonly rooms: RoomRegistry,
    options: { publicUrl?: string | null } = {},
  ) {
    this.publicUrl = options.publicUrl ?? null
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
   * pad's JSON, outcomes and text are made in a worker (`snapshotInWorker`). The deliveries
   * `effects` returns for the record are stored in the same transaction (issue 20).
   */
  async archive(session: Session, effects?: OutboxEffects<ArchivedSession>): Promise<ArchivedSession> {
    const source = await this.padSource(session, { live: true })
    const snapshot = await snapshotInWorker(source)
    await this.meta.saveArchive(
      {
        sessionId: session.id,
        doc: snapshot.doc,
        outcomes: snapshot.outcomes,
        participants: source.participants,
        chat: source.chat,
        text: snapshot.text,
      },
      effects,
    )
    return (await this.meta.getArchive(session.id))!
  }

  /**
   * What an export of `session` is made from, for a worker: its archive when ended (JSON), else
   * the live pad as one Yjs update, which the worker turns into JSON. `live` skips the archive.
   */
  async padSource(session: Session, options: { live?: boolean } = {}): Promise<PadSource> {
    if (session.state === 'ended' && !options.live) {
      const archived = await this.meta.getArchive(session.id)
      if (archived) return { session, doc: archived.doc, outcomes: archived.outcomes, participants: archived.participants, chat: archived.chat, publicUrl: this.publicUrl }
    }
    const padUpdate = await this.rooms.read(formatDocName({ sessionId: session.id, kind: 'pad' }), (ydoc) => Y.encodeStateAsUpdate(ydoc))
    return { session, padUpdate, participants: await this.meta.listParticipants(session.id), chat: await this.chatMessages(session.id), publicUrl: this.publicUrl }
  }
}
