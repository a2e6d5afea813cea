/**
 * FakeSocket: a SyncSocket that records what the sync core sends and how it closes, for unit
 * tests without a network. `decodeServerFrame` turns recorded bytes back into messages.
 */
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import type { SyncSocket } from '../../server/sync/socket.ts'
import { messageAck, messageAwareness, messageQueryAwareness, messageSync, readAck } from '../../shared/protocol.ts'

export class FakeSocket implements SyncSocket {
  /** Every frame sent while open, copied, in order. */
  readonly sent: Uint8Array[] = []
  /** How the server closed the socket, or null. */
  closedWith: { code: number; reason: string } | null = null
  /** True once the peer side closed (see `closeFromPeer`). */
  closedByPeer = false
  bufferedAmount = 0
  /** Set by a test to make the socket pausable (SyncSocket's optional `pause`/`resume`). */
  pause?: () => void
  resume?: () => void
  /** Called once when the server closes the socket, as a transport's close handshake would end. */
  onClose: ((code: number, reason: string) => void) | null = null

  send(frame: Uint8Array): void {
    // A closing socket drops frames silently, as `ws` does (SyncSocket: must not throw).
    if (this.closedWith || this.closedByPeer) return
    this.sent.push(frame.slice())
  }

  close(code: number, reason: string): void {
    if (this.closedWith) return
    this.closedWith = { code, reason }
    this.onClose?.(code, reason)
  }

  /** Marks the socket closed by the client; frames sent afterwards are dropped. */
  closeFromPeer(): void {
    this.closedByPeer = true
  }

  /** The recorded frames, decoded. */
  frames(): ServerFrame[] {
    return this.sent.map(decodeServerFrame)
  }
}

/** A frame the server sends, decoded. */
export type ServerFrame =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' }
  | { type: 'ack'; stateVector: Map<number, number> }

/** Decodes one server frame; throws on anything the protocol does not define. */
export function decodeServerFrame(frame: Uint8Array): ServerFrame {
  const decoder = decoding.createDecoder(frame)
  const tag = decoding.readVarUint(decoder)
  switch (tag) {
    case messageSync: {
      const syncType = decoding.readVarUint(decoder)
      const payload = decoding.readVarUint8Array(decoder)
      if (syncType === syncProtocol.messageYjsSyncStep1) return { type: 'sync-step1', stateVector: payload }
      if (syncType === syncProtocol.messageYjsSyncStep2) return { type: 'sync-step2', update: payload }
      if (syncType === syncProtocol.messageYjsUpdate) return { type: 'update', update: payload }
      throw new Error(`unknown sync type ${syncType}`)
    }
    case messageAwareness:
      return { type: 'awareness', update: decoding.readVarUint8Array(decoder) }
    case messageQueryAwareness:
      return { type: 'query-awareness' }
    case messageAck:
      return { type: 'ack', stateVector: readAck(decoder) }
    default:
      throw new Error(`unknown message tag ${tag}`)
  }
}

/** The decoded state vector of `ydoc`. */
export function stateVectorOf(ydoc: Y.Doc): Map<number, number> {
  return Y.decodeStateVector(Y.encodeStateVector(ydoc))
}
