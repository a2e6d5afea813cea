/**
 * ControlConnection: the session's control doc (`<id>/control`), read-only for every client,
 * written by the server when the moderator acts. Exposes the live state as a plain object and a
 * `change` event.
 */
import { ObservableV2 } from 'lib0/observable'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { controlMapName, currentSinceKey, quarantinedUpdatesKey, type ControlState } from '../../shared/control-state.ts'
import { tokenQueryParam } from '../../shared/protocol.ts'
import { retryWithJitter } from './reconnect.ts'


export class ControlConnection extends ObservableV2<{ change: (state: ControlState) => void }> {
  readonly ydoc = new Y.Doc()
  readonly provider: WebsocketProvider
  private readonly map: Y.Map<unknown>
  private readonly stopRetrying: () => void

  constructor(sessionId: string, token: string | null, initial: ControlState) {
    super()
    this.map = this.ydoc.getMap(controlMapName)
    this._state = initial
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    this.provider = new WebsocketProvider(`${scheme}://${location.host}/sync`, `${sessionId}/control`, this.ydoc, {
      params: token ? { [tokenQueryParam]: token } : {},
      maxBackoffTime: 5000,
    })
    this.stopRetrying = retryWithJitter(this.provider)
    // Presence lives on the pad: the control doc publishes none (y-websocket's default `{}` state,
    // renewed every 15 s by every tab, was sent to every other tab of the room and read by none).
    this.provider.awareness.setLocalState(null)
    // Nobody writes the control doc; the stock permission-denied warning is expected noise.
    ;(this.provider.messageHandlers as unknown[])[2] = () => {}
    this.map.observe(() => {
      this._state = this.read()
      this.emit('change', [this._state])
    })
  }

  private _state: ControlState

  get state(): ControlState {
    return this._state
  }

  override destroy(): void {
    this.stopRetrying()
    this.provider.destroy()
    this.ydoc.destroy()
    super.destroy()
  }

  private read(): ControlState {
    const get = <T>(key: string, fallback: T): T => (this.map.has(key) ? (this.map.get(key) as T) : fallback)
    return {
      state: get('state', this._state.state),
      startedAt: get('startedAt', this._state.startedAt),
      endsAt: get('endsAt', this._state.endsAt),
      endedAt: get('endedAt', this._state.endedAt),
      locked: get('locked', this._state.locked),
      currentItem: get('currentItem', this._state.currentItem),
      durationMinutes: get('durationMinutes', this._state.durationMinutes),
      projectorChat: get('projectorChat', this._state.projectorChat),
      joinCode: get('joinCode', this._state.joinCode),
      recapMail: get('recapMail', this._state.recapMail),
      quarantinedUpdates: get(quarantinedUpdatesKey, 0),
      ...(this.map.has(currentSinceKey) ? { currentSince: this.map.get(currentSinceKey) as number } : {}),
    }
  }
}

export type { ControlState }
