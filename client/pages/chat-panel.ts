/**
 * The chat beside the pad: a collapsible panel in the pad's side bar (open or closed is
 * remembered in this browser) with the messages, each with its author's name and colour and the
 * time, and a form to post. Who may post follows `canWrite(role, 'chat', state)`: a viewer, or
 * anyone once the session has ended, sees the messages with the form disabled and the reason.
 *
 * Messages are text from other people: they are built with `h()` and `textContent`, never
 * innerHTML. http(s) URLs become links (through `safeHref`) that open in a new tab without
 * a Referer. `chatMessageItem` is the one renderer, shared with the projector and the archive.
 */
import type { ChatMessage } from '../../shared/chat.ts'
import { chatSegments, maxChatTextLength } from '../../shared/chat.ts'
import { canWrite, chatReadOnlyReason, type Role } from '../../shared/roles.ts'
import { safeHref } from '../../shared/schema.ts'
import { h } from '../dom.ts'
import { timeText } from '../time-display.ts'
import { ChatConnection, chatAuthorId, type ChatAuthor } from '../sync/chat.ts'
import type { ControlConnection, ControlState } from '../sync/control.ts'

const openKey = 'summitpad.chat.open'
/** Closer than this to the bottom counts as "reading the newest": new messages keep it in view. */
const stickyPx = 48

/** `time` (ms since the epoch) as HH:MM in the zone the page shows (the event's, or the viewer's by choice). */
export function chatTime(time: number): string {
  return timeText(new Date(time).toISOString(), null, { zone: false })
}

/** The text of a message as DOM nodes: text nodes, and `<a>` for each http(s) URL. */
export function chatTextNodes(text: string): (Node | string)[] {
  return chatSegments(text).map((segment) =>
    segment.type === 'text' ? segment.text : h('a', { href: safeHref(segment.url), target: '_blank', rel: 'noopener noreferrer nofollow' }, segment.text),
  )
}

/** One message as an `<li>`: colour dot, name, HH:MM, text. `own` marks this browser's posts. */
export function chatMessageItem(message: ChatMessage, own = false): HTMLLIElement {
  const when = new Date(message.time)
  return h(
    'li',
    { class: 'chat-message', 'data-id': message.id, 'data-own': own ? 'true' : null },
    h(
      'div',
      { class: 'chat-meta' },
      h('span', { class: 'dot', style: `background:${message.color}`, 'aria-hidden': 'true' }),
      h('span', { class: 'chat-name' }, message.name),
      h('time', { class: 'chat-time', datetime: when.toISOString(), title: timeText(when.toISOString(), null, { date: true }) }, chatTime(message.time)),
    ),
    h('p', { class: 'chat-text' }, ...chatTextNodes(message.text)),
  )
}

/** A read-only transcript (the archive page): every message in order, or a line saying there were none. */
export function chatTranscript(messages: readonly ChatMessage[]): HTMLElement {
  if (messages.length === 0) return h('p', { class: 'hint' }, 'Nobody wrote in the chat.')
  return h('ol', { class: 'chat-messages chat-transcript', 'aria-label': 'Chat transcript' }, ...messages.map((message) => chatMessageItem(message)))
}

export interface ChatPanelOptions {
  sessionId: string
  /** This browser's key for the session (null: none). */
  token: string | null
  role: Role
  /** The session's live state: posting stops when it ends. */
  control: ControlConnection
  /** The current name and colour, read at every post. */
  author: () => ChatAuthor
}

export interface ChatPanel {
  element: HTMLElement
  connection: ChatConnection
  destroy(): void
}

/** The side-bar chat panel, connected to `<sessionId>/chat`. */
export function createChatPanel(options: ChatPanelOptions): ChatPanel {
  const connection = new ChatConnection(options.sessionId, options.token, options.author)
  const me = chatAuthorId()
  const bodyId = `chat-body-${options.sessionId}`
  let open = localStorage.getItem(openKey) !== 'false'
  let unread = 0

  const badge = h('span', { class: 'chat-badge' })
  // The chevron is decoration: hidden, so the button's accessible name is just "Chat".
  const toggle = h('button', { type: 'button', class: 'chat-toggle', 'aria-controls': bodyId }, h('span', { class: 'chat-chevron', 'aria-hidden': 'true' }), 'Chat')
  const list = h('ol', { class: 'chat-messages', role: 'log', 'aria-live': 'polite', 'aria-label': 'Chat messages' })
  const empty = h('p', { class: 'chat-empty hint' }, 'No messages yet.')
  const input = h('input', { type: 'text', class: 'chat-input', name: 'message', maxlength: maxChatTextLength, autocomplete: 'off', placeholder: 'Message everyone', 'aria-label': 'Chat message' })
  const send = h('button', { type: 'submit', class: 'chat-send' }, 'Send')
  const reason = h('p', { class: 'chat-reason hint', hidden: true })
  const form = h('form', { class: 'chat-form' }, input, send)
  const body = h('div', { class: 'chat-body', id: bodyId }, list, empty, form, reason)
  const element = h('section', { class: 'chat-panel', 'aria-label': 'Chat' }, h('h2', { class: 'chat-heading' }, toggle, badge), body)

  const scrollToNewest = () => {
    list.scrollTop = list.scrollHeight
  }

  const applyOpen = () => {
    toggle.setAttribute('aria-expanded', String(open))
    toggle.title = open ? 'Hide the chat' : 'Show the chat'
    element.dataset.open = String(open)
    body.hidden = !open
    if (open) unread = 0
    badge.textContent = unread > 0 ? `${unread} new` : ''
    if (open) scrollToNewest()
  }
  toggle.addEventListener('click', () => {
    open = !open
    localStorage.setItem(openKey, String(open))
    applyOpen()
  })

  // One <li> per message id, reused across renders: a change re-orders, never rebuilds.
  const items = new Map<string, HTMLLIElement>()
  let shown = 0
  const render = (messages: ChatMessage[]) => {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight <= stickyPx
    const seen = new Set<string>()
    let ownNew = false
    const nodes = messages.map((message) => {
      seen.add(message.id)
      let item = items.get(message.id)
      if (!item) {
        const own = message.authorId === me
        item = chatMessageItem(message, own)
        items.set(message.id, item)
        if (own) ownNew = true
      }
      return item
    })
    for (const id of items.keys()) if (!seen.has(id)) items.delete(id)
    list.replaceChildren(...nodes)
    empty.hidden = messages.length > 0
    if (!open && messages.length > shown) unread += messages.length - shown
    shown = messages.length
    badge.textContent = !open && unread > 0 ? `${unread} new` : ''
    if (atBottom || ownNew) scrollToNewest()
  }
  connection.on('change', render)

  const applyState = (state: ControlState) => {
    const writable = canWrite(options.role, 'chat', state)
    input.disabled = !writable
    send.disabled = !writable
    const why = writable ? null : chatReadOnlyReason(options.role, state)
    reason.hidden = !why
    reason.textContent = why ?? ''
    form.dataset.disabled = String(!writable)
  }
  options.control.on('change', applyState)

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (input.disabled || !input.value.trim()) return
    connection.post(input.value)
    input.value = ''
    input.focus()
  })

  render(connection.messages)
  applyState(options.control.state)
  applyOpen()

  return {
    element,
    connection,
    destroy() {
      options.control.off('change', applyState)
      connection.destroy()
    },
  }
}
