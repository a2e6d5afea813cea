/**
 * RoomClient: one client of the rooms scenario, a raw `ws` socket that speaks either the stock
 * y-websocket protocol (summitpad, the reference) or Hocuspocus's (every message prefixed with
 * the document name, an authentication message before the first sync; read from
 * `@hocuspocus/server` 3.4: `ClientConnection.handleQueueingMessage`, `MessageReceiver`).
 *
 * A client sends sync step 1 with the empty state vector and is synced when the server's step 2
 * arrives; `connectMs` is from creating the socket (TCP connect and upgrade included) to then.
 * A `writer` keeps a Y.Doc: it applies the step 2, appends its own paragraph to the pad fragment
 * (summitpad's schema, the same doc shape for every server) and types markers (marker.ts) into it,
 * one update per `type()`. Other clients keep no doc: they read the markers out of the update
 * frames' bytes (Yjs v1 updates carry strings as UTF-8) and record edit-to-delivery latency.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { messageSync, messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate, schemaQueryParam, syncFrame } from '../shared/protocol.ts'
import { padFragmentName, SCHEMA_VERSION } from '../shared/schema.ts'
import { nowMicros, nowMs } from './clock.ts'
import { forEachMarker, formatMarker } from './marker.ts'

/** How a server frames its messages. */
export type WireProtocol = 'stock' | 'hocuspocus'

/** Hocuspocus message types (`@hocuspocus/server` `MessageType`) the client uses. */
const hocuspocusSync = 0
const hocuspocusAuth = 2
/** Auth submessage "token" (`@hocuspocus/common` `writeAuthentication`). */
const hocuspocusAuthToken = 0

const remote = Symbol('remote')

export interface RoomClientOptions {
  /** `ws://host:port/sync/<id>` (summitpad), `ws://host:port/<room>` (reference), `ws://host:port` (Hocuspocus). */
  url: string
  /** The document name inside Hocuspocus messages (ignored by the stock protocol). */
  docName: string
  protocol: WireProtocol
  /** Keep a Y.Doc and type markers. */
  writer: boolean
  timeoutMs: number
}

export class RoomClient {
  /** Socket created → server's step 2 received, ms. */
  connectMs = Number.NaN
  /** Socket created → open (TCP connect and HTTP upgrade), ms. */
  openMs = Number.NaN
  /** Edit-to-delivery latencies of markers typed at or after `timedFromMicros`, ms. */
  readonly latencies: number[] = []
  /** Markers received (every one, timed or not). */
  markersReceived = 0
  /** Markers typed (writer). */
  markersTyped = 0
  /** Close code if the socket closed, else 0. */
  closeCode = 0
  /** Only markers typed at or after this monotonic µs are timed. */
  timedFromMicros = 0

  private synced = false
  private readonly ydoc: Y.Doc | null
  private text: Y.XmlText | null = null
  private readonly prefix: Uint8Array

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: RoomClientOptions,
  ) {
    this.ydoc = options.writer ? new Y.Doc() : null
    const encoder = encoding.createEncoder()
    if (options.protocol === 'hocuspocus') encoding.writeVarString(encoder, options.docName)
    this.prefix = encoding.toUint8Array(encoder)
    this.ydoc?.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== remote) this.send(syncFrame(messageYjsUpdate, update))
    })
  }

  /** Connects and resolves once synced (a writer has appended its paragraph by then); rejects after `timeoutMs`. */
  static connect(options: RoomClientOptions): Promise<RoomClient> {
    const started = nowMs()
    const url = options.protocol === 'stock' ? `${options.url}?${schemaQueryParam}=${SCHEMA_VERSION}` : options.url
    const ws = new WebSocket(url, { perMessageDeflate: false })
    const client = new RoomClient(ws, options)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate()
        reject(new Error(`room client not synced after ${options.timeoutMs} ms`))
      }, options.timeoutMs)
      ws.on('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      ws.on('close', (code) => {
        client.closeCode = code
        clearTimeout(timer)
        reject(new Error(`room client closed before synced: ${code}`))
      })
      ws.on('open', () => {
        client.openMs = nowMs() - started
        if (options.protocol === 'hocuspocus') {
          const encoder = encoding.createEncoder()
          encoding.writeVarString(encoder, options.docName)
          encoding.writeVarUint(encoder, hocuspocusAuth)
          encoding.writeVarUint(encoder, hocuspocusAuthToken)
          encoding.writeVarString(encoder, '')
          ws.send(encoding.toUint8Array(encoder))
        }
        client.send(syncFrame(messageYjsSyncStep1, new Uint8Array([0])))
      })
      ws.on('message', (data: Buffer) => {
        if (client.receive(data) && !client.synced) {
          client.synced = true
          client.connectMs = nowMs() - started
          clearTimeout(timer)
          if (client.ydoc) {
            client.text = new Y.XmlText()
            const paragraph = new Y.XmlElement('paragraph')
            paragraph.insert(0, [client.text])
            client.ydoc.getXmlFragment(padFragmentName).push([paragraph])
          }
          resolve(client)
        }
      })
    })
  }

  /** Types one marker (writer only): one update frame. */
  type(): void {
    if (!this.text) throw new Error('only a synced writer types')
    this.text.insert(this.text.length, formatMarker(this.markersTyped++, nowMicros()))
  }

  /** Closes the socket. */
  close(): void {
    this.ws.close()
    this.ydoc?.destroy()
  }

  private send(stockFrame: Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    if (this.prefix.length === 0) {
      this.ws.send(stockFrame)
      return
    }
    const frame = new Uint8Array(this.prefix.length + stockFrame.length)
    frame.set(this.prefix)
    frame.set(stockFrame, this.prefix.length)
    this.ws.send(frame)
  }

  /** Handles one frame; true when it was the server's sync step 2. */
  private receive(data: Buffer): boolean {
    const decoder = decoding.createDecoder(data)
    if (this.options.protocol === 'hocuspocus') {
      decoding.readVarString(decoder)
      // Sync replies (4) carry the server's step 1, auth (2) and sync status (8) acks: nothing to do.
      if (decoding.readVarUint(decoder) !== hocuspocusSync) return false
    } else if (decoding.readVarUint(decoder) !== messageSync) return false
    const syncType = decoding.readVarUint(decoder)
    if (syncType === messageYjsSyncStep2) {
      if (this.ydoc && !this.synced) Y.applyUpdate(this.ydoc, decoding.readVarUint8Array(decoder), remote)
      return true
    }
    if (syncType === messageYjsUpdate && this.synced && !this.ydoc) {
      const received = nowMicros()
      forEachMarker(data.toString('utf8', decoder.pos), (_id, micros) => {
        this.markersReceived++
        if (micros >= this.timedFromMicros) this.latencies.push((received - micros) / 1000)
      })
    }
    return false
  }
}
