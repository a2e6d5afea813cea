/**
 * The "Not saved" panel of the pad page (issue 16, part 2): after the server refused a write of
 * this browser's copy and the page loaded the pad afresh (client/sync/refused-recovery.ts), it
 * shows the text the person had typed that the pad does not hold, to copy, until dismissed.
 */
import { h } from '../dom.ts'
import { forgetKeptLocalText, keptLocalText } from '../sync/refused-recovery.ts'
import type { PadConnection } from '../sync/provider.ts'
import { padPlainText, unsavedPieces } from '../sync/unsaved-text.ts'

/**
 * Once `pad` has synced with the server, inserts the panel after `anchor` when text kept from a
 * refused copy is missing from the pad; forgets the kept text when nothing is missing. Does
 * nothing when no text was kept.
 */
export function showUnsavedAfterSync(anchor: HTMLElement, pad: PadConnection): void {
  const kept = keptLocalText(pad.sessionId)
  if (kept === null) return
  const show = (synced: boolean) => {
    if (!synced) return
    pad.provider.off('sync', show)
    const pieces = unsavedPieces(kept, padPlainText(pad.fragment))
    if (pieces.length === 0) {
      forgetKeptLocalText(pad.sessionId)
      return
    }
    anchor.after(unsavedPanel(pieces.join('\n'), () => forgetKeptLocalText(pad.sessionId)))
  }
  if (pad.provider.synced) show(true)
  else pad.provider.on('sync', show)
}

function unsavedPanel(text: string, dismissed: () => void): HTMLElement {
  const copy = h('button', { type: 'button', class: 'copy' }, 'Copy')
  const dismiss = h('button', { type: 'button' }, 'Dismiss')
  const panel = h(
    'section',
    { class: 'unsaved-panel', role: 'region', 'aria-label': 'Not saved' },
    h('h2', {}, 'Not saved'),
    h('p', {}, 'The pad did not take these edits (it was locked, the session ended, or this link may only read), so they are not in the pad. Your later edits are saved as usual. Copy this text if you need it:'),
    h('pre', { class: 'unsaved-text' }, text),
    copy,
    ' ',
    dismiss,
  )
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text)
      copy.textContent = 'Copied'
    } catch {
      // Without clipboard access (permission, insecure origin) the text is selected to copy by hand.
      const range = document.createRange()
      range.selectNodeContents(panel.querySelector('pre')!)
      getSelection()?.removeAllRanges()
      getSelection()?.addRange(range)
    }
  })
  dismiss.addEventListener('click', () => {
    dismissed()
    panel.remove()
  })
  return panel
}
