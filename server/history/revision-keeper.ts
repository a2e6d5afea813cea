/**
 * RevisionKeeper: saves a revision (a Yjs snapshot with its time and authors) of a pad whenever
 * it has changed and then been quiet for `quietMs`, at least every `maxIntervalMs` while people
 * keep typing, and on demand (session start, end, restore). Snapshots work because pads keep
 * their history (gc off): any revision can be rebuilt from the doc (`Y.createDocFromSnapshot`).
 *
 * The safety net: `watch` a pad's live doc, and a client's change that deletes more than a fifth
 * of its text makes a revision (`before-delete`) of the pad as it was just before that change.
 *
 * Most changes that wake the keeper are bookkeeping (a tab opening the pad registers its author),
 * and telling them from content meant rebuilding the last revision from the doc and comparing the
 * two as JSON (issue 21: a summit's worth of tabs joining rebuilt every pad). So a watched doc
 * also records whether its ProseMirror fragment changed since the keeper last found it equal to
 * the last revision; while it did not, a capture stops at once. A doc loaded afresh is unknown
 * and compared as before.
 */
import * as Y from 'yjs'
import { padJsonOf } from '../archive/pad-json.ts'
import { parseDocName } from '../../shared/doc-name.ts'
import { padFragmentName } from '../../shared/schema.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { Logger } from '../observability/log.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'
import { authorsBetween } from './authors.ts'
import { watchDeletions } from './deletion-guard.ts'
import { scratchDoc } from '../sync/scratch-doc.ts'

export interface RevisionKeeperOptions {
  /** @default 3000 */
  quietMs: number
  /** @default 60000 */
  maxIntervalMs: number
}

interface Pending {
  timer: NodeJS.Timeout | null
  firstChangeAt: number
  lastChangeAt: number
}

/** Whether a watched pad's content changed since it was last found equal to its last revision. */
interface ContentState {
  changed: boolean
}

export class RevisionKeeper {
  private readonly pending = new Map<string, Pending>()
  private readonly content = new WeakMap<Y.Doc, ContentState>()
  private readonly queues = new Map<string, Promise<unknown>>()
  private closed = false

  constructor(
    private readonly store: DocStore,
    private readonly rooms: RoomRegistry,
    private readonly logger: Logger,
    private readonly options: RevisionKeeperOptions,
  ) {}

  /**
   * Notes that `docName` changed; pads get a revision once quiet (or after the max interval).
   * Called for every stored change, so it only records the time: the one timer a pad has re-arms
   * itself when it fires before the pad has been quiet long enough.
   */
  noteChange(docName: string): void {
    if (this.closed || parseDocName(docName)?.kind !== 'pad') return
    const now = Date.now()
    const existing = this.pending.get(docName)
    if (existing) {
      existing.lastChangeAt = now
      return
    }
    const pending: Pending = { timer: null, firstChangeAt: now, lastChangeAt: now }
    this.pending.set(docName, pending)
    this.arm(docName, pending)
  }

  private arm(docName: string, pending: Pending): void {
    const due = Math.min(pending.lastChangeAt + this.options.quietMs, pending.firstChangeAt + this.options.maxIntervalMs)
    pending.timer = setTimeout(() => this.fire(docName, pending), Math.max(0, due - Date.now()))
    pending.timer.unref()
  }

  private fire(docName: string, pending: Pending): void {
    if (this.pending.get(docName) !== pending) return
    const now = Date.now()
    const overdue = now - pending.firstChangeAt >= this.options.maxIntervalMs
    if (!overdue && now - pending.lastChangeAt < this.options.quietMs) {
      this.arm(docName, pending)
      return
    }
    this.pending.delete(docName)
    // reason: capture logs its own failures (see below); this caller has nothing to add.
    void this.capture(docName, overdue ? 'interval' : 'quiet').catch(() => {})
  }

  /**
   * Saves a revision now (unless nothing changed since the last one and `force` is false).
   * Captures of one doc run one at a time. Resolves with the revision number, or null if skipped.
   */
  capture(docName: string, reason: string, force = false): Promise<number | null> {
    const pending = this.pending.get(docName)
    if (pending) {
      if (pending.timer) clearTimeout(pending.timer)
      this.pending.delete(docName)
    }
    const previous = this.queues.get(docName) ?? Promise.resolve()
    const run = previous.then(() => this.doCapture(docName, reason, force))
    this.queues.set(
      docName,
      run.catch((error: unknown) => this.logger.error({ err: error, docName }, 'saving a revision failed')),
    )
    return run
  }

  /**
   * Watches the live doc of `docName` (pads only) for large deletions: each saves a revision
   * (`before-delete`) of the pad as it was just before. Call when a room's doc is made.
   */
  watch(docName: string, ydoc: Y.Doc): void {
    if (parseDocName(docName)?.kind !== 'pad') return
    const state: ContentState = { changed: true }
    this.content.set(ydoc, state)
    const fragment = ydoc.getXmlFragment(padFragmentName)
    // Yjs lists every type whose subtree changed, the fragment included, in changedParentTypes.
    // reason: the map is keyed by AbstractType<YEvent>, which the fragment's typings do not widen to.
    const fragmentType = fragment as unknown as Y.AbstractType<Y.YEvent<Y.AbstractType<unknown>>>
    ydoc.on('afterTransaction', (tr: Y.Transaction) => {
      if (!state.changed && tr.changedParentTypes.has(fragmentType)) state.changed = true
    })
    watchDeletions(ydoc, (before) => {
      if (this.closed) return
      const snapshot = Y.encodeSnapshot(before)
      const previous = this.queues.get(docName) ?? Promise.resolve()
      const run = previous.then(() => this.store.appendRevision(docName, { snapshot, authors: [], createdAt: Date.now(), reason: 'before-delete' }))
      this.queues.set(
        docName,
        run.catch((error: unknown) => this.logger.error({ err: error, docName }, 'saving the revision before a large deletion failed')),
      )
    })
  }

  /** Saves every pending revision, then stops taking new ones. */
  async close(): Promise<void> {
    const docNames = [...this.pending.keys()]
    await Promise.allSettled(docNames.map((docName) => this.capture(docName, 'quiet')))
    this.closed = true
    await Promise.allSettled([...this.queues.values()])
  }

  private async doCapture(docName: string, reason: string, force: boolean): Promise<number | null> {
    // A watched pad whose content is as its last revision has it needs nothing, not even the
    // store's listing of its revisions: the flag is cleared only by a capture that found or saved
    // such a revision, and a doc's captures run one at a time.
    if (!force && (await this.rooms.read(docName, (ydoc) => this.content.get(ydoc)?.changed === false))) return null
    const revisions = await this.store.listRevisions(docName)
    const last = revisions.at(-1)
    const lastSnapshot = last ? Y.decodeSnapshot(last.snapshot) : null
    let content: ContentState | undefined
    const taken = await this.rooms.read(docName, (ydoc) => {
      const fragment = ydoc.getXmlFragment(padFragmentName)
      content = this.content.get(ydoc)
      const snapshot = Y.snapshot(ydoc)
      if (!force && lastSnapshot) {
        if (Y.equalSnapshots(snapshot, lastSnapshot)) return null
        // Only a change to the pad's content makes a revision, not authorship bookkeeping.
        const then = Y.createDocFromSnapshot(ydoc, lastSnapshot, scratchDoc(true))
        // Compared as bounded JSON: `toString` recurses without bound (issue 15: 20,000 levels).
        const unchanged = JSON.stringify(padJsonOf(then.getXmlFragment(padFragmentName))) === JSON.stringify(padJsonOf(fragment))
        then.destroy()
        if (unchanged) {
          if (content) content.changed = false
          return null
        }
      }
      const authors = authorsBetween(ydoc, fragment, lastSnapshot?.sv ?? new Map())
      // The first revision needs someone's edit: a client opening the pad only registers its
      // author (bookkeeping), and the template nobody has touched is not a revision.
      if (!force && !lastSnapshot && authors.length === 0) return null
      // The revision about to be saved holds the content as it is now.
      if (content) content.changed = false
      return { snapshot: Y.encodeSnapshot(snapshot), authors }
    })
    if (!taken) return null
    try {
      return await this.store.appendRevision(docName, { ...taken, createdAt: Date.now(), reason })
    } catch (error) {
      // No revision holds this content after all: the next capture compares again.
      if (content) content.changed = true
      throw error
    }
  }
}
