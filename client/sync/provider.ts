/**
 * PadConnection: the pad's Y.Doc kept in sync with the server (y-websocket's WebsocketProvider)
 * and with this browser's IndexedDB (y-indexeddb, so edits made offline survive a reload), plus
 * the connection status the sync indicator shows.
 *
 * "Saved" means the server acknowledged (summitpad's `messageAck`) a state vector covering every
 * change made in this browser, so a server crash can no longer lose them.
 */
import * as decoding from 'lib0/decoding'
import { ObservableV2 } from 'lib0/observable'
import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { CloseCode, isFatalCloseCode } from '../../shared/close-codes.ts'
import { ackQueryParam, isCoveredBy, messageAck, messageAuth, readAck, schemaOutdatedReason, schemaQueryParam, tokenQueryParam } from '../../shared/protocol.ts'
import { padFragmentName, SCHEMA_VERSION } from '../../shared/schema.ts'
import { retryWithJitter } from './reconnect.ts'

/** What the page says when the server runs a newer summitpad than this page. */
export const outdatedMessage = 'summitpad was updated: reload'
import { dropDivergedCopy, localCopyName } from './refused-recovery.ts'
import { padPlainText } from './unsaved-text.ts'

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'refused'

export interface ConnectionStatus {
  link: LinkState
  /** Every local change is acknowledged as stored by the server. */
  saved: boolean
  /** Set when the server refused the connection for good (e.g. unknown session). */
  refusal: string | null
  /** Why the server last closed the connection when reconnecting may help (e.g. storage down). */
  notice: string | null
  /**
   * The server runs a newer summitpad (another schema version): this page may read the pad but
   * not write it until it is reloaded. Unsaved edits stay in this browser (IndexedDB) and are
   * sent by the reloaded page.
   */
  outdated: boolean
}

export class PadConnection extends ObservableV2<{ status: (status: ConnectionStatus) => void; ready: () => void }> {
  readonly ydoc = new Y.Doc({ gc: false })
  readonly provider: WebsocketProvider
  readonly local: IndexeddbPersistence
  private acked = new Map<number, number>()
  private pending: Map<number, number> | null = null
  private everConnected = false
  private _status: ConnectionStatus = { link: 'connecting', saved: true, refusal: null, notice: null, outdated: false }
  private _ready = false
  private readonly stopRetrying: () => void

  constructor(
    readonly sessionId: string,
    token: string | null,
  ) {
    super()
    this.local = new IndexeddbPersistence(localCopyName(sessionId), this.ydoc)
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    this.provider = new WebsocketProvider(`${scheme}://${location.host}/sync`, sessionId, this.ydoc, {
      params: { [ackQueryParam]: '1', [schemaQueryParam]: String(SCHEMA_VERSION), ...(token ? { [tokenQueryParam]: token } : {}) },
      maxBackoffTime: 5000,
      // Tabs of one browser sync through the server only: a tab's copy holding a refused write
      // must not flow into another tab's fresh copy (see refused-recovery.ts).
      disableBc: true,
    })
    this.stopRetrying = retryWithJitter(this.provider)
    // reason: y-websocket types its handler table loosely; slot `messageAck` takes summitpad's handler.
    ;(this.provider.messageHandlers as unknown[])[messageAck] = (_encoder: unknown, decoder: decoding.Decoder) => this.onAck(readAck(decoder))

    // The server drops a read-only client's updates and says so; the page shows why from the
    // session state, so the stock console warning is not needed. One reason is news to the page:
    // the server's schema is not this page's (summitpad was updated).
    ;(this.provider.messageHandlers as unknown[])[messageAuth] = (_encoder: unknown, decoder: decoding.Decoder) => {
      if (readPermissionDenied(decoder) === schemaOutdatedReason) this.markOutdated()
    }
    this.ydoc.on('update', this.onUpdate)
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') {
        this.everConnected = true
        this._status = { ...this._status, notice: null }
      }
      this.refresh()
    })
    this.provider.on('connection-close', (event) => {
      if (event?.code === CloseCode.diverged) {
        void this.recover()
        return
      }
      if (event && isFatalCloseCode(event.code)) {
        if (event.code === CloseCode.schemaMismatch) this.markOutdated()
        this._status = { ...this._status, refusal: refusalMessage(event.code, event.reason) }
        this.provider.disconnect()
      } else if (event && event.code >= 1011 && event.code !== CloseCode.goingAway && event.reason) {
        this._status = { ...this._status, notice: event.reason }
      }
      this.refresh()
    })
    this.provider.on('sync', (synced) => {
      if (synced) this.markReadyIfContent()
      this.refresh()
    })
    this.local.on('synced', () => this.markReadyIfContent())
    window.addEventListener('online', this.refresh)
    window.addEventListener('offline', this.refresh)
  }

  get status(): ConnectionStatus {
    return this._status
  }

  /** True once the doc holds the pad (from the server or from this browser's copy). */
  get ready(): boolean {
    return this._ready
  }

  get fragment(): Y.XmlFragment {
    return this.ydoc.getXmlFragment(padFragmentName)
  }

  override destroy(): void {
    window.removeEventListener('online', this.refresh)
    window.removeEventListener('offline', this.refresh)
    this.stopRetrying()
    this.provider.destroy()
    void this.local.destroy()
    this.ydoc.destroy()
    super.destroy()
  }

  /**
   * The server refused a write of this copy (4409): keep its text for the "Not saved" panel, drop
   * the copy and load the pad afresh (see refused-recovery.ts).
   */
  private async recover(): Promise<void> {
    this.provider.disconnect()
    this._status = { ...this._status, notice: 'an edit was refused; reloading the pad' }
    this.refresh()
    if (await dropDivergedCopy(this.sessionId, padPlainText(this.fragment), this.local)) {
      location.reload()
      return
    }
    this._status = { ...this._status, refusal: refusalMessage(CloseCode.diverged, '') }
    this.refresh()
  }

  // Create the editor only once the pad has content: an editor bound to an empty fragment would
  // write its own empty paragraph into the shared doc.
  private markReadyIfContent(): void {
    if (this._ready) return
    if (this.fragment.length > 0 || this.provider.synced) {
      this._ready = true
      this.emit('ready', [])
    }
  }

  private readonly onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider) return
    // A change made here (or restored from IndexedDB): unsaved until an ack covers it.
    this.pending = Y.decodeStateVector(Y.encodeStateVector(this.ydoc))
    this.refresh()
  }

  private markOutdated(): void {
    if (this._status.outdated) return
    this._status = { ...this._status, outdated: true }
    this.emit('status', [this._status])
  }

  private onAck(stateVector: Map<number, number>): void {
    for (const [client, clock] of stateVector) {
      if ((this.acked.get(client) ?? 0) < clock) this.acked.set(client, clock)
    }
    if (this.pending && isCoveredBy(this.pending, this.acked)) this.pending = null
    this.refresh()
  }

  private readonly refresh = (): void => {
    const { wsconnected, synced } = this.provider
    let link: LinkState
    if (this._status.refusal) link = 'refused'
    else if (!navigator.onLine) link = 'offline'
    else if (wsconnected && synced) link = 'connected'
    else link = this.everConnected ? 'reconnecting' : 'connecting'
    const next: ConnectionStatus = { link, saved: this.pending === null, refusal: this._status.refusal, notice: this._status.notice, outdated: this._status.outdated }
    if (next.link === this._status.link && next.saved === this._status.saved && next.refusal === this._status.refusal && next.notice === this._status.notice) return
    this._status = next
    this.emit('status', [next])
  }
}

/** The reason of a y-protocols auth message whose tag was read; null for a kind other than permission denied. */
function readPermissionDenied(decoder: decoding.Decoder): string | null {
  try {
    return decoding.readVarUint(decoder) === 0 ? decoding.readVarString(decoder) : null
  } catch {
    return null
  }
}

function refusalMessage(code: number, reason: string): string {
  if (code === CloseCode.schemaMismatch) return outdatedMessage
  if (code === CloseCode.unknownSession) return 'This session does not exist.'
  if (code === CloseCode.badToken) return 'The key in this link is not valid for this session.'
  if (code === CloseCode.diverged) return 'The pad refused this browser’s edits again. Copy any text you need, then reload the page.'
  return `The server refused this pad: ${reason}`
}
