/**
 * Node clients of a running server: the stock y-websocket `WebsocketProvider` (with `ws` as its
 * WebSocket and BroadcastChannel off, so every byte crosses the network), plus a raw ws client
 * for protocol-level tests.
 */
import * as decoding from 'lib0/decoding'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { messageAck, readAck, isCoveredBy, schemaQueryParam } from '../../shared/protocol.ts'
import { SCHEMA_VERSION } from '../../shared/schema.ts'
import { waitFor } from './wait-for.ts'

export interface PadClient {
  ydoc: Y.Doc
  provider: WebsocketProvider
  /** The latest acknowledged server state vector (only with `ack: true`). */
  acked: Map<number, number>
  /**
   * True when every local change is covered by an acknowledgement: the state vector taken at
   * the latest local change (as the browser client does) is covered by the acked one. Changes
   * received from the server do not count; they were stored before the server sent them.
   */
  isSaved(): boolean
  destroy(): void
}

/**
 * A stock provider for `room`. It names the current schema version (`schema=`, so it may write
 * the pad) unless `schema` says otherwise: a number names that version, null names none (a
 * foreign editor or a stock client as shipped).
 */
export function connectPad(wsUrl: string, room: string, options: { ack?: boolean; connect?: boolean; token?: string; ydoc?: Y.Doc; schema?: number | null } = {}): PadClient {
  // An existing doc moves to another server as a browser would after a load balancer reroutes it.
  const ydoc = options.ydoc ?? new Y.Doc({ gc: false })
  const provider = new WebsocketProvider(wsUrl, room, ydoc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: options.connect ?? true,
    params: {
      ...(options.ack ? { ack: '1' } : {}),
      ...(options.token ? { token: options.token } : {}),
      ...(options.schema === null ? {} : { [schemaQueryParam]: String(options.schema ?? SCHEMA_VERSION) }),
    },
    maxBackoffTime: 500,
  })
  let pending: Map<number, number> | null = null
  ydoc.on('update', (_update: Uint8Array, origin: unknown) => {
    if (origin !== provider) pending = Y.decodeStateVector(Y.encodeStateVector(ydoc))
  })
  const client: PadClient = {
    ydoc,
    provider,
    acked: new Map(),
    isSaved: () => pending === null || isCoveredBy(pending, client.acked),
    destroy: () => {
      provider.destroy()
      ydoc.destroy()
    },
  }
  // reason: y-websocket types messageHandlers loosely; this adds summitpad's ack handler.
  ;(provider.messageHandlers as unknown[])[messageAck] = (_encoder: unknown, decoder: decoding.Decoder) => {
    for (const [c, clock] of readAck(decoder)) {
      if ((client.acked.get(c) ?? 0) < clock) client.acked.set(c, clock)
    }
  }
  return client
}

export function waitForSynced(client: PadClient, timeoutMs = 5000): Promise<boolean> {
  return waitFor(() => client.provider.synced, timeoutMs, 'provider synced')
}

/**
 * Opens a raw WebSocket; resolves once open, with every received frame and the close event
 * recorded. A `/sync/` URL without a `schema` parameter gets the current schema version (as
 * summitpad's page sends it) unless `options.schema` is null.
 */
export async function rawClient(url: string, options: { schema?: number | null } = {}): Promise<{
  ws: WebSocket
  frames: Uint8Array[]
  closed: Promise<{ code: number; reason: string }>
}> {
  const ws = new WebSocket(withSchema(url, options.schema === undefined ? SCHEMA_VERSION : options.schema))
  ws.binaryType = 'nodebuffer'
  const frames: Uint8Array[] = []
  ws.on('message', (data: Buffer) => frames.push(new Uint8Array(data)))
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return { ws, frames, closed }
}

/** `url` with `schema=<version>` added when it is a `/sync/` URL without one (null: unchanged). */
export function withSchema(url: string, version: number | null = SCHEMA_VERSION): string {
  if (version === null || !url.includes('/sync/') || /[?&]schema=/.test(url)) return url
  return `${url}${url.includes('?') ? '&' : '?'}${schemaQueryParam}=${version}`
}

// Frames are built with shared/protocol.ts; re-exported for the tests that import them from here.
export { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate, syncFrame } from '../../shared/protocol.ts'
