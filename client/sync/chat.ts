/**
 * ChatConnection: the session chat (`<id>/chat`), a Y.Array of messages synced by a y-websocket
 * provider with this browser's key as token. Moderators and editors may post until the session
 * ends (the pad's lock does not apply); the server drops anyone else's writes, so the page
 * disables the form rather than letting a post vanish. Exposes the well-formed messages in order
 * and a `change` event.
 */
import { ObservableV2 } from 'lib0/observable'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { chatArrayName, maxChatTextLength, toChatMessages, type ChatMessage } from '../../shared/chat.ts'
import { isFatalCloseCode } from '../../shared/close-codes.ts'
import { messageAuth, tokenQueryParam } from '../../shared/protocol.ts'
import { serverNow } from './server-clock.ts'
import { retryWithJitter } from './reconnect.ts'
import { loadIdentity } from './presence.ts'
import { randomId } from '../random-id.ts'

/** Who posts: the name and colour shown beside the message. */
export interface ChatAuthor {
  name: string
  color: string
}

const authorIdKey = 'summitpad.chat.author'

export class ChatConnection extends ObservableV2<{ change: (messages: ChatMessage[]) => void }> {
  readonly ydoc = new Y.Doc()
  readonly provider: WebsocketProvider
  private readonly array: Y.Array<unknown>
  private _messages: ChatMessage[] = []
  private readonly stopRetrying: () => void

  /**
   * Connects to `<sessionId>/chat` with `token` (null: no key). `author` is read at every post,
   * so a renamed person posts under the new name; omit it for a connection that only reads.
   */
  constructor(
    sessionId: string,
    token: string | null,
    private readonly author?: () => ChatAuthor,
  ) {
    super()
    this.array = this.ydoc.getArray(chatArrayName)
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    this.provider = new WebsocketProvider(`${scheme}://${location.host}/sync`, `${sessionId}/chat`, this.ydoc, {
      params: token ? { [tokenQueryParam]: token } : {},
      maxBackoffTime: 5000,
    })
    this.stopRetrying = retryWithJitter(this.provider)
    // Presence lives on the pad; the chat publishes none.
    this.provider.awareness.setLocalState(null)
    // reason: y-websocket types its handler table loosely. The page disables posting where the
    // server would refuse it, so the stock permission-denied console warning is noise.
    ;(this.provider.messageHandlers as unknown[])[messageAuth] = () => {}
    this.provider.on('connection-close', (event) => {
      // Unknown session or bad key: retrying cannot help (the pad shows why).
      if (event && isFatalCloseCode(event.code)) this.provider.disconnect()
    })
    this.array.observe(() => {
      this._messages = toChatMessages(this.array.toArray())
      this.emit('change', [this._messages])
    })
  }

  /** The well-formed messages, oldest first (entries that are not messages are left out). */
  get messages(): ChatMessage[] {
    return this._messages
  }

  /**
   * Appends a message with `text` (trimmed) by the current author, timed on the estimated server
   * clock. Throws a RangeError for blank text or text over 2000 characters, and an Error on a
   * connection made without an author. The message shows here at once and reaches the server
   * when connected; the caller decides whether this person may post (see `canWrite`).
   */
  post(text: string): ChatMessage {
    if (!this.author) throw new Error('this chat connection only reads')
    const trimmed = text.trim()
    if (!trimmed) throw new RangeError('a chat message needs some text')
    if (trimmed.length > maxChatTextLength) throw new RangeError(`a chat message has at most ${maxChatTextLength} characters, not ${trimmed.length}`)
    const { name, color } = this.author()
    const message: ChatMessage = { id: randomId(), authorId: chatAuthorId(), name, color, text: trimmed, time: Math.round(serverNow()) }
    this.array.push([message])
    return message
  }

  override destroy(): void {
    this.stopRetrying()
    this.provider.destroy()
    this.ydoc.destroy()
    super.destroy()
  }
}

/**
 * This browser's stable chat author id: the person's identity id (the one authorship records),
 * or for a browser without an identity yet, a random id kept in localStorage.
 */
export function chatAuthorId(): string {
  const identity = loadIdentity()
  if (identity) return identity.id
  let id = localStorage.getItem(authorIdKey)
  if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    id = `a-${randomId()}`
    localStorage.setItem(authorIdKey, id)
  }
  return id
}

