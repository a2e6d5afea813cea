/**
 * Frame encoding for the bench's raw clients: the y-websocket protocol (see shared/protocol.ts)
 * at the level of bytes, without a Y.Doc.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { messageSync } from '../shared/protocol.ts'

export const { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } = syncProtocol

/** `[messageSync][syncType][varUint8Array payload]` */
export function syncFrame(syncType: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageSync)
  encoding.writeVarUint(encoder, syncType)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

/** Sync step 1 with the empty state vector: "send me the whole doc". */
export const emptyStep1Frame: Uint8Array = syncFrame(messageYjsSyncStep1, new Uint8Array([0]))

/** The message tag of a frame and, for sync frames, the sync type (else -1). */
export function frameKind(frame: Uint8Array): { tag: number; syncType: number } {
  const decoder = decoding.createDecoder(frame)
  const tag = decoding.readVarUint(decoder)
  const syncType = tag === messageSync ? decoding.readVarUint(decoder) : -1
  return { tag, syncType }
}

/** The `ws` message payload as one Uint8Array (without copying when possible). */
export function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
