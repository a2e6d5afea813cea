/**
 * Remote people's cursors and selections, drawn by y-prosemirror's cursor plugin from the
 * awareness states. The caret carries the person's name in their colour; names are inserted as
 * text, never as HTML, because they come from other peers.
 */
import type { Plugin } from 'prosemirror-state'
import type { Awareness } from 'y-protocols/awareness'
import { yCursorPlugin } from 'y-prosemirror'
import { toIdentity } from '../../sync/presence.ts'

export function remoteCursors(awareness: Awareness): Plugin {
  return yCursorPlugin(awareness, {
    cursorBuilder: (user: unknown, clientId: number) => {
      const identity = toIdentity(user) ?? { name: `Guest ${clientId % 1000}`, color: '#37474f' }
      const caret = document.createElement('span')
      caret.className = 'remote-cursor'
      caret.style.borderColor = identity.color
      caret.dataset.clientId = String(clientId)
      const label = document.createElement('span')
      label.className = 'remote-cursor-label'
      label.style.backgroundColor = identity.color
      label.textContent = identity.name
      caret.append(document.createTextNode('\u2060'), label, document.createTextNode('\u2060'))
      return caret
    },
    selectionBuilder: (user: unknown) => {
      const identity = toIdentity(user)
      return { class: 'remote-selection', style: `background-color: ${identity?.color ?? '#37474f'}33` }
    },
  })
}
