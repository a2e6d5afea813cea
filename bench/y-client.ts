/**
 * YClient: a Y.Doc synced with the server over one raw `ws` WebSocket, speaking the sync
 * protocol directly (no y-websocket provider: no awareness, no reconnects, no timers), so the
 * bench controls exactly what goes over the wire and can time each step of the handshake.
 *
 * On open it sends sync step 1 with its doc's state vector; it answers the server's step 1 with
 * step 2; it applies the server's step 2 (that is "synced") and later updates. Local changes to
 * the doc are sent as update frames unless `autoSend` is off (then the caller sends batches with
 * `sendUpdate`).
 */
import * as decoding from 'lib0/decoding'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { messageAck, messageSync, messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate, readAck, schemaQueryParam, syncFrame } from '../shared/protocol.ts'
import { SCHEMA_VERSION } from '../shared/schema.ts'
import { nowMs } from './clock.ts'
import { toBytes } from './wire.ts'

/** Options for `YClient.connect`. */
export interface YClientOptions {
  /** Full WebSocket URL: `ws://127.0.0.1:<port>/sync/<docName>`. */
  url: string
  /** Ask the server for acknowledgements (`ack=1`) of stored updates. @default false */
  ack?: boolean
  /**
   * `always`: apply every remote update (a full replica). `untilSynced`: apply the initial state
   * only and ignore later remote updates (a write-only client that never reads). @default 'always'
   */
  applyRemote?: 'always' | 'untilSynced'
  /** Send every local doc change as it happens. @default true */
  autoSend?: boolean
  /** How long to wait for the socket to open. @default 15000 */
  openTimeoutMs?: number
}

/** When each step of the initial sync happened (monotonic ms, see clock.ts). */
export interface SyncTimes {
  started: number
  opened: number
  /** The server's step 2 (the doc) arrived. */
  step2Received: number
  /** ... and was applied to the local doc. */
  step2Applied: number
  /** Size of the step 2 payload (the encoded doc) in bytes. */
  step2Bytes: number
}

const remote = Symbol('remote')

export class YClient {
  readonly ydoc = new Y.Doc()
  /** Update frames (sync type 2) received after the initial sync, and their bytes. */
  updateFrames = 0
  updateBytes = 0
  /** Update frames sent (non-empty local changes or batches). */
  sentFrames = 0
  /** Number of `messageAck` frames received, and the latest acknowledged state vector. */
  acks = 0
  readonly acked = new Map<number, number>()
  readonly times: SyncTimes
  /** Resolves once the server's step 2 has been applied. */
  readonly synced: Promise<void>
  private resolveSynced!: () => void
  private isSynced = false
  private readonly applyRemote: 'always' | 'untilSynced'

  private constructor(
    readonly ws: WebSocket,
    options: YClientOptions,
    started: number,
  ) {
    this.applyRemote = options.applyRemote ?? 'always'
    this.times = { started, opened: Number.NaN, step2Received: Number.NaN, step2Applied: Number.NaN, step2Bytes: 0 }
    this.synced = new Promise((resolve) => {
      this.resolveSynced = resolve
    })
    if (options.autoSend ?? true) {
      this.ydoc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== remote) this.sendUpdate(update)
      })
    }
    ws.on('message', (data: Buffer) => this.receive(toBytes(data)))
  }

  /** Opens the socket and sends sync step 1; resolves once open (not yet synced). */
  static async connect(options: YClientOptions): Promise<YClient> {
    const started = nowMs()
    // Bench writers edit with the current schema version (`schema=`), as summitpad's page does.
    const url = `${options.url}?${schemaQueryParam}=${SCHEMA_VERSION}${options.ack ? '&ack=1' : ''}`
    const ws = new WebSocket(url, { perMessageDeflate: false })
    const client = new YClient(ws, options, started)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate()
        reject(new Error(`WebSocket ${url} did not open in time`))
      }, options.openTimeoutMs ?? 15_000)
      ws.once('open', () => {
        clearTimeout(timer)
        resolve()
      })
      ws.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
    })
    client.times.opened = nowMs()
    ws.on('error', () => {}) // reported through 'close'
    ws.send(syncFrame(messageYjsSyncStep1, Y.encodeStateVector(client.ydoc)))
    return client
  }

  /** Resolves once synced, or rejects after `timeoutMs` or when the socket closes first. */
  waitSynced(timeoutMs: number): Promise<void> {
    if (this.isSynced) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not synced after ${timeoutMs} ms`)), timeoutMs)
      const onClose = (code: number, reason: Buffer) => {
        clearTimeout(timer)
        reject(new Error(`closed before synced: ${code} ${reason.toString()}`))
      }
      this.ws.once('close', onClose)
      void this.synced.then(() => {
        clearTimeout(timer)
        this.ws.off('close', onClose)
        resolve()
      })
    })
  }

  /** Sends one update frame (if the socket is open). */
  sendUpdate(update: Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    this.ws.send(syncFrame(messageYjsUpdate, update))
    this.sentFrames++
  }

  /** Closes the socket and destroys the doc. */
  close(): void {
    this.ws.close()
    this.ydoc.destroy()
  }

  private receive(frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame)
    const tag = decoding.readVarUint(decoder)
    if (tag === messageAck) {
      this.acks++
      for (const [client, clock] of readAck(decoder)) {
        if ((this.acked.get(client) ?? 0) < clock) this.acked.set(client, clock)
      }
      return
    }
    if (tag !== messageSync) return // awareness and anything else: not needed here
    const syncType = decoding.readVarUint(decoder)
    if (syncType === messageYjsSyncStep1) {
      const stateVector = decoding.readVarUint8Array(decoder)
      this.ws.send(syncFrame(messageYjsSyncStep2, Y.encodeStateAsUpdate(this.ydoc, stateVector)))
    } else if (syncType === messageYjsSyncStep2) {
      const received = nowMs()
      const update = decoding.readVarUint8Array(decoder)
      Y.applyUpdate(this.ydoc, update, remote)
      if (!this.isSynced) {
        this.times.step2Received = received
        this.times.step2Applied = nowMs()
        this.times.step2Bytes = update.byteLength
        this.isSynced = true
        this.resolveSynced()
      }
    } else if (syncType === messageYjsUpdate) {
      this.updateFrames++
      this.updateBytes += frame.byteLength
      if (this.applyRemote === 'always' || !this.isSynced) {
        Y.applyUpdate(this.ydoc, decoding.readVarUint8Array(decoder), remote)
      }
    }
  }
}
