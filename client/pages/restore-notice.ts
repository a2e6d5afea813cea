/**
 * The pad's restore notice (issue 16, part 5): when the moderator restores a revision, every
 * open pad says who restored which revision and when, and that this is why the text changed;
 * the moderator gets "Undo restore", which restores the revision saved just before. The notice
 * comes from the control doc (`shared/restore-notice.ts`), so it reaches every pad within a
 * second and a pad opened in the next minutes still explains what happened.
 *
 * The live region is always in the page and only its content changes, so screen readers
 * announce the notice when it appears.
 */
import type { ControlConnection } from '../sync/control.ts'
import { controlMapName } from '../../shared/control-state.ts'
import { readRestoreNotice, restoreNoticeKey, type RestoreNotice } from '../../shared/restore-notice.ts'
import { h } from '../dom.ts'
import { timeText } from '../time-display.ts'
import { serverNow } from '../sync/server-clock.ts'

/** How long after a restore a newly opened pad still shows its notice. @default 600000 */
export const restoreNoticeRecentMs = 10 * 60_000

export interface RestoreNoticeOptions {
  sessionId: string
  control: ControlConnection
  /** Whether this person may undo (the moderator with their link, while the session has not ended). */
  canUndo: () => boolean
  /** Restores revision `rev` as the undo of the restore that saved revision `undoes`. */
  undo: (rev: number, undoes: number) => Promise<void>
}


/** What the notice says, in one sentence or two. */
export function describeRestore(notice: RestoreNotice): string {
  const who = notice.by || 'The moderator'
  // In the zone the page shows times in (issue 19).
  const when = timeText(new Date(notice.at).toISOString(), null, { seconds: true })
  if (notice.undoes !== null) {
    return `${who} undid the restore at ${when}: the pad is back as it was before it (revision ${notice.from}). The text changed because of this undo.`
  }
  return `${who} restored revision ${notice.from} (saved ${timeText(new Date(notice.fromAt).toISOString(), null, { date: true, seconds: true })}) at ${when}. The text changed because of this restore: the pad is now as it was then.`
}

/** The notice's live region; it fills itself from the control doc. */
export function createRestoreNotice(options: RestoreNoticeOptions): { element: HTMLElement; destroy: () => void } {
  const region = h('div', { class: 'restore-notice-region', role: 'status', 'aria-live': 'polite' })
  const map = options.control.ydoc.getMap(controlMapName)
  let dismissed: number | null = null
  let shown: number | null = null
  const openedAt = serverNow()

  const render = () => {
    const notice = readRestoreNotice(map.get(restoreNoticeKey))
    const recent = notice !== null && Math.max(serverNow(), openedAt) - notice.at < restoreNoticeRecentMs
    if (!notice || !recent || notice.rev === dismissed) {
      if (shown !== null) region.replaceChildren()
      shown = null
      return
    }
    if (shown === notice.rev) return
    shown = notice.rev
    const message = h('p', { class: 'restore-notice-text' }, describeRestore(notice))
    const history = h('a', { href: `/s/${options.sessionId}/history?rev=${notice.before}` }, 'See the pad before it in the history')
    const dismiss = h('button', { type: 'button', class: 'restore-dismiss' }, 'Dismiss')
    dismiss.addEventListener('click', () => {
      dismissed = notice.rev
      render()
    })
    const actions = h('div', { class: 'restore-notice-actions' })
    if (notice.undoes === null && options.canUndo()) {
      const undo = h('button', { type: 'button', class: 'primary restore-undo' }, 'Undo restore')
      undo.addEventListener('click', async () => {
        undo.disabled = true
        undo.textContent = 'Undoing…'
        try {
          await options.undo(notice.before, notice.rev)
        } catch (error) {
          undo.disabled = false
          undo.textContent = 'Undo restore'
          message.textContent = `${describeRestore(notice)} The undo failed: ${(error as Error).message}`
        }
      })
      actions.append(undo)
    }
    actions.append(history, dismiss)
    region.replaceChildren(h('div', { class: 'restore-notice', 'data-rev': String(notice.rev) }, message, actions))
  }

  const onChange = (event: { keysChanged: Set<string> }) => {
    if (event.keysChanged.has(restoreNoticeKey)) render()
  }
  map.observe(onChange)
  render()
  return { element: region, destroy: () => map.unobserve(onChange) }
}
