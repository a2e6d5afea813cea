/**
 * HistoryService: a pad's revisions for the history page, the pad as it was at any revision, and
 * the moderator's restore (the old revision becomes a new edit on top; history is never rewritten).
 */
import * as Y from 'yjs'
import type { Session } from '../../shared/api.ts'
import { formatDocName } from '../../shared/doc-name.ts'
import { AppError } from '../../shared/errors.ts'
import { padNode } from '../../shared/export/pad-node.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { padJsonOf } from '../archive/pad-json.ts'
import type { PMJSON } from '../../shared/template.ts'
import type { SessionService } from '../sessions/session-service.ts'
import type { DocStore, Revision } from '../storage/doc-store.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'
import { controlMapName, restoreNoticeKey } from '../../shared/control-state.ts'
import type { RestoreNotice } from '../../shared/restore-notice.ts'
import { fillEmptyTextblocks } from '../../shared/textblock-text.ts'
import { agendaMarks, reapplyAgendaMarks } from './agenda-marks.ts'
import { describeAuthors, type Author } from './authors.ts'
import type { RevisionKeeper } from './revision-keeper.ts'
import { scratchDoc } from '../sync/scratch-doc.ts'

/** A revision as the API lists it. */
export interface RevisionView {
  rev: number
  createdAt: string
  reason: string
  authors: Author[]
  /** `Y.encodeSnapshot` bytes, base64. */
  snapshot: string
}

const padName = (sessionId: string) => formatDocName({ sessionId, kind: 'pad' })

/** The pad as JSON, read so that no stored content can make it throw (see archive/pad-json.ts). */
function fragmentJson(fragment: Y.XmlFragment): PMJSON {
  return padJsonOf(fragment)
}

export class HistoryService {
  constructor(
    private readonly store: DocStore,
    private readonly rooms: RoomRegistry,
    private readonly sessions: SessionService,
    private readonly keeper: RevisionKeeper,
  ) {}

  /** Every revision of the session's pad, oldest first, with its authors' names and colours. */
  async list(session: Session): Promise<RevisionView[]> {
    const revisions = await this.store.listRevisions(padName(session.id))
    return this.rooms.read(padName(session.id), (ydoc) =>
      revisions.map((revision) => ({
        rev: revision.rev,
        createdAt: new Date(revision.createdAt).toISOString(),
        reason: revision.reason,
        authors: describeAuthors(ydoc, revision.authors),
        snapshot: Buffer.from(revision.snapshot).toString('base64'),
      })),
    )
  }

  /**
   * What rebuilding revision `rev` needs, for a worker to do it off the event loop: the pad's
   * whole state (`padUpdate`) and the revision's `Y.encodeSnapshot` bytes. Throws not_found for
   * an unknown revision.
   */
  async revisionSource(session: Session, rev: number): Promise<{ padUpdate: Uint8Array; snapshot: Uint8Array }> {
    const revision = (await this.store.listRevisions(padName(session.id))).find((candidate) => candidate.rev === rev)
    if (!revision) throw new AppError('not_found', `no revision ${rev} of this pad`)
    const padUpdate = await this.rooms.read(padName(session.id), (ydoc) => Y.encodeStateAsUpdate(ydoc))
    return { padUpdate, snapshot: revision.snapshot }
  }

  /**
   * Makes the pad look as it did at `rev`, as a new edit, and saves that as a new revision.
   * First makes sure a revision holds the pad as it is (saving one if the pad changed since the
   * last), so restoring that one undoes this restore. The agenda keeps its live marks and the
   * session's current item (`agenda-marks.ts`). Then tells every open pad through the control
   * doc (`shared/restore-notice.ts`): `by` is the name the moderator gave, `undoes` the restore
   * revision this one undoes. Resolves with that notice (`rev` is the new revision's number).
   */
  async restore(session: Session, rev: number, secret: string | null, by = '', undoes: number | null = null): Promise<RestoreNotice> {
    if (!secret) throw new AppError('unauthorized', 'restoring a revision needs the moderator secret as a Bearer token')
    const role = await this.sessions.roleFor(session.id, secret)
    if (role !== 'moderator') throw new AppError('forbidden', `only the moderator may restore a revision; this secret grants "${role}"`)
    if (session.state === 'ended') throw new AppError('conflict', 'the session has ended')
    const revision = await this.revisionOf(session, rev)
    const snapshot = Y.decodeSnapshot(revision.snapshot)
    const pad = padName(session.id)
    const before = await this.captureCurrent(pad)
    // Loaded with the first restore: y-prosemirror brings the editor's view and state modules.
    const { updateYFragment } = await import('y-prosemirror')
    await this.rooms.change(pad, (scratch) => {
      const old = Y.createDocFromSnapshot(scratch, snapshot, scratchDoc(true))
      const target = padNode(fragmentJson(old.getXmlFragment(padFragmentName))).node
      old.destroy()
      const marks = agendaMarks(scratch)
      scratch.transact(() => {
        const fragment = scratch.getXmlFragment(padFragmentName)
        updateYFragment(scratch, fragment, target, { mapping: new Map(), isOMark: new Map() })
        fillEmptyTextblocks(fragment)
        reapplyAgendaMarks(scratch, marks, session.currentItem)
      })
    })
    const restored = (await this.keeper.capture(pad, 'restore', true))!
    const notice: RestoreNotice = { rev: restored, from: rev, fromAt: revision.createdAt, before, by, at: Date.now(), undoes }
    await this.rooms.change(formatDocName({ sessionId: session.id, kind: 'control' }), (ydoc) => {
      ydoc.getMap(controlMapName).set(restoreNoticeKey, notice)
    })
    return notice
  }

  /** The number of a revision that holds the pad as it is now: the last one if nothing changed since, else a new one. */
  private async captureCurrent(pad: string): Promise<number> {
    const saved = await this.keeper.capture(pad, 'before restore')
    if (saved !== null) return saved
    const last = (await this.store.listRevisions(pad)).at(-1)
    return last ? last.rev : (await this.keeper.capture(pad, 'before restore', true))!
  }

  private async snapshotOf(session: Session, rev: number): Promise<Y.Snapshot> {
    return Y.decodeSnapshot((await this.revisionOf(session, rev)).snapshot)
  }

  private async revisionOf(session: Session, rev: number): Promise<Revision> {
    const revision = (await this.store.listRevisions(padName(session.id))).find((candidate) => candidate.rev === rev)
    if (!revision) throw new AppError('not_found', `no revision ${rev} of this pad`)
    return revision
  }
}
