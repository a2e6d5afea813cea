/**
 * Keeps a session's current agenda item and its pad's "Now" mark in agreement after any change of
 * the pad (issue 19, bug 6): an item pasted with the mark, the mark set or cleared by an edit, a
 * restore that brings back other items. It watches each pad's live Y.Doc; after a change that
 * touched an agenda item or list (by a client or by the server itself), it leaves one item marked
 * `now` and, when that is another item than the session names, records it as the session's
 * current item (MetaStore, then the control doc, with its clock restarted).
 *
 * Changes that arrive from another instance (`bus`) are settled there; loading (`store`) changes
 * nothing. Settling is idempotent, so a change the keeper itself makes only re-checks.
 */
import * as Y from 'yjs'
import { formatDocName, parseDocName } from '../../shared/doc-name.ts'
import { padFragmentName } from '../../shared/schema.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import type { Logger } from '../observability/log.ts'
import { isUpdateOrigin } from '../sync/origin.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'
import { nowMarkedItems, settleCurrentItem } from './agenda.ts'
import { writeControl } from './control-doc.ts'

/** How long the keeper waits after a change before settling, so a burst settles once. @default 50 */
const settleDelayMs = 50

export class CurrentItemKeeper {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
  private closed = false

  constructor(
    private readonly meta: MetaStore,
    private readonly rooms: RoomRegistry,
    private readonly logger: Logger,
  ) {}

  /** Watches `ydoc` when `docName` is a pad (call when the live doc is created). */
  watch(docName: string, ydoc: Y.Doc): void {
    const parsed = parseDocName(docName)
    if (!parsed || parsed.kind !== 'pad') return
    // Types the pad's root as the fragment it is: an untyped root (no one asked for it yet) shows
    // up in a transaction as a plain AbstractType, which `touchesAgenda` would not recognise.
    ydoc.getXmlFragment(padFragmentName)
    ydoc.on('afterTransaction', (tr: Y.Transaction) => {
      if (!isUpdateOrigin(tr.origin) || (tr.origin.kind !== 'connection' && tr.origin.kind !== 'server')) return
      if (touchesAgenda(tr)) this.schedule(parsed.sessionId)
    })
  }

  /** Stops settling; pending settles are dropped. Idempotent. */
  close(): void {
    this.closed = true
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }

  private schedule(sessionId: string): void {
    if (this.closed || this.timers.has(sessionId)) return
    const timer = setTimeout(() => {
      this.timers.delete(sessionId)
      this.settle(sessionId).catch((error: unknown) => this.logger.error({ err: error, sessionId }, 'settling the current agenda item failed'))
    }, settleDelayMs)
    timer.unref?.()
    this.timers.set(sessionId, timer)
  }

  private async settle(sessionId: string): Promise<void> {
    const session = await this.meta.getSession(sessionId)
    // An ended session's pad takes no writes; a deleted one has none.
    if (!session || session.state === 'ended' || this.closed) return
    const pad = formatDocName({ sessionId, kind: 'pad' })
    // Read first: most changes leave one item marked or none, and then there is nothing to
    // write (a server change copies the whole doc: issue 21, a thousand rooms joining at once).
    const marked = await this.rooms.read(pad, (ydoc) => nowMarkedItems(ydoc).map((element) => element.getAttribute('id')))
    let current: string | null = marked.length === 1 && typeof marked[0] === 'string' ? marked[0] : null
    if (marked.length > 1) {
      await this.rooms.change(pad, (ydoc) => {
        current = settleCurrentItem(ydoc, session.currentItem)
      })
    }
    if (current === session.currentItem) return
    const updated = await this.meta.updateSession(sessionId, { currentItem: current })
    if (!updated) return
    await this.rooms.change(formatDocName({ sessionId, kind: 'control' }), (ydoc) => writeControl(ydoc, updated, Date.now()))
  }
}

/** True when `tr` changed an agenda item's attributes or the items of a list or of the pad. */
function touchesAgenda(tr: Y.Transaction): boolean {
  for (const type of tr.changed.keys()) {
    if (type instanceof Y.XmlElement) {
      if (type.nodeName === 'agenda_item' || type.nodeName === 'agenda_list') return true
    } else if (type instanceof Y.XmlFragment) {
      return true
    }
  }
  return false
}
