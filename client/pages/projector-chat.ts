/**
 * The projector's chat column: hidden until the moderator shows it (`projectorChat` on the
 * control doc), then the last few messages in large type, newest at the bottom. It connects to
 * the chat only once shown, without a key: the projector never posts.
 */
import type { ChatMessage } from '../../shared/chat.ts'
import { h } from '../dom.ts'
import { ChatConnection } from '../sync/chat.ts'
import type { ControlConnection, ControlState } from '../sync/control.ts'
import { chatMessageItem } from './chat-panel.ts'

/** How many of the newest messages the projector shows. @default 8 */
export const projectorChatMessages = 8

export interface ProjectorChat {
  element: HTMLElement
  destroy(): void
}

export function createProjectorChat(sessionId: string, control: ControlConnection): ProjectorChat {
  const list = h('ol', { class: 'chat-messages', 'aria-live': 'polite', 'aria-label': 'Latest chat messages' })
  const empty = h('p', { class: 'chat-empty' }, 'No messages yet.')
  const element = h('aside', { class: 'projector-chat', 'aria-label': 'Chat', hidden: true }, h('h2', {}, 'Chat'), list, empty)
  let connection: ChatConnection | null = null

  const render = (messages: ChatMessage[]) => {
    const latest = messages.slice(-projectorChatMessages)
    list.replaceChildren(...latest.map((message) => chatMessageItem(message)))
    // The column is bottom-aligned (CSS): when long messages overflow it, the oldest are cut.
    empty.hidden = latest.length > 0
  }

  const apply = (state: ControlState) => {
    element.hidden = !state.projectorChat
    if (state.projectorChat && !connection) {
      connection = new ChatConnection(sessionId, null)
      connection.on('change', render)
      render(connection.messages)
    }
  }
  control.on('change', apply)
  apply(control.state)

  return {
    element,
    destroy() {
      control.off('change', apply)
      connection?.destroy()
    },
  }
}
