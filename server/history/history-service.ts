/**
 * HistoryService: a pad's revisions for the history page, the pad as it was at any revision, and
 * the moderator's restore (the old revision becomes a new edit on top; history is never rewritten).
 */
import { updateYFragment } from 'y-prosemirror'
import * as Y from 'yjs'
import type { Session } from '../../shared/api.ts'
import { formatDocName } from '../../shared/doc-name.ts'
import { AppError } from '../../shared/errors.ts'
import { padNode } from '../../shared/export/pad-node.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { padJsonOf } from '../archive/pad-json.ts'
import type { PMJSON } from '../../shared/template.ts'
import type { SessionService } from '../sessions/session-service.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'
import { describeAuthors, type Author } from './authors.ts'
import type { RevisionKeeper } from './revision-keeper.ts'

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

  /** The pad as it was at revision `rev`; throws not_found for an unknown revision. */
  async docAt(session: Session, rev: number): Promise<PMJSON> {
    const snapshot = await this.snapshotOf(session, rev)
    return this.rooms.read(padName(session.id), (ydoc) => {
      const old = Y.createDocFromSnapshot(ydoc, snapshot)
      const json = fragmentJson(old.getXmlFragment(padFragmentName))
      old.destroy()
      return json
    })
  }

  /** Makes the pad look as it did at `rev`, as a new edit, and saves that as a new revision. */
  async restore(session: Session, rev: number, secret: string | null): Promise<number> {
    if (!secret) throw new AppError('unauthorized', 'restoring a revision needs the moderator secret as a Bearer token')
    const role = await this.sessions.roleFor(session.id, secret)
    if (role !== 'moderator') throw new AppError('forbidden', `only the moderator may restore a revision; this secret grants "${role}"`)
    if (session.state === 'ended') throw new AppError('conflict', 'the session has ended')
    const snapshot = await this.snapshotOf(session, rev)
    await this.rooms.change(padName(session.id), (scratch) => {
      const old = Y.createDocFromSnapshot(scratch, snapshot)
      const target = padNode(fragmentJson(old.getXmlFragment(padFragmentName))).node
      old.destroy()
      scratch.transact(() => {
        updateYFragment(scratch, scratch.getXmlFragment(padFragmentName), target, { mapping: new Map(), isOMark: new Map() })
      })
    })
    return (await this.keeper.capture(padName(session.id), 'restore', true))!
  }

  private async snapshotOf(session: Session, rev: number): Promise<Y.Snapshot> {
    const revision = (await this.store.listRevisions(padName(session.id))).find((candidate) => candidate.rev === rev)
    if (!revision) throw new AppError('not_found', `no revision ${rev} of this pad`)
    return Y.decodeSnapshot(revision.snapshot)
  }
}
