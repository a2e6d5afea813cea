/**
 * The summitpad wire protocol: the standard y-websocket protocol plus one extension.
 *
 * Every WebSocket frame is binary and starts with a varUint message tag:
 *
 *   [0 messageSync][varUint syncType][varUint8Array payload]   y-protocols/sync: step 1 (state
 *                                                               vector), step 2 (update), update
 *   [1 messageAwareness][varUint8Array awarenessUpdate]        y-protocols/awareness
 *   [3 messageQueryAwareness]                                  ask for every awareness state
 *   [10 messageAck][varUint8Array stateVector]                 summitpad only (see below)
 *
 * `messageAck` is the acknowledgement the stock protocol lacks: the server sends it to a
 * connection after that connection's update has been durably stored, carrying the server doc's
 * state vector at that moment. A client whose local state vector is covered by an acked one knows
 * all of its edits are saved. The server sends acks only to clients that asked for them with the
 * `ack=1` query parameter, so a stock y-websocket client never sees the unknown tag.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as authProtocol from 'y-protocols/auth'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'

export const messageSync = 0
export const messageAwareness = 1
export const messageAuth = 2
export const messageQueryAwareness = 3
export const messageAck = 10

/** The query parameter carrying the capability secret (the provider's `params`). */
export const tokenQueryParam = 'token'

/**
 * The query parameter naming the schema version (`SCHEMA_VERSION` of shared/schema.ts) a client
 * edits the pad with. Without it, or with another version, the pad connection is read-only (see
 * docs/connections.md); the server says so with `schemaOutdatedReason` to clients that named one.
 */
export const schemaQueryParam = 'schema'

/**
 * The reason of the y-protocols permission-denied message (`messageAuth`) the server sends right
 * away to a pad connection that named a schema version other than its own: reload to edit.
 */
export const schemaOutdatedReason = 'schema-outdated'

/** The query parameter a client sets to `1` to receive `messageAck` frames. */
export const ackQueryParam = 'ack'

/** Encodes a `messageAck` frame carrying `stateVector` (as from `Y.encodeStateVector`). */
export function writeAck(stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageAck)
  encoding.writeVarUint8Array(encoder, stateVector)
  return encoding.toUint8Array(encoder)
}

/** Reads the state vector of a `messageAck` frame whose tag has already been read from `decoder`. */
export function readAck(decoder: decoding.Decoder): Map<number, number> {
  return Y.decodeStateVector(decoding.readVarUint8Array(decoder))
}

/**
 * True when `acked` covers `local`: for every client in `local`, the acked clock is at least as
 * large. Both are decoded state vectors (clientId → clock).
 */
export function isCoveredBy(local: Map<number, number>, acked: Map<number, number>): boolean {
  for (const [client, clock] of local) {
    if ((acked.get(client) ?? 0) < clock) return false
  }
  return true
}

/** Sync message types of y-protocols/sync (`messageYjsSyncStep1`, `…Step2`, `…Update`), by name. */
const syncStep1 = 0
const syncStep2 = 1
const syncUpdate = 2

function writeSyncFrame(syncType: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageSync)
  encoding.writeVarUint(encoder, syncType)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

/** Encodes a sync step 1 frame `[0, 0, stateVector]` (the sender's state vector). */
export function writeSyncStep1Frame(stateVector: Uint8Array): Uint8Array {
  return writeSyncFrame(syncStep1, stateVector)
}

/** Encodes a sync step 2 frame `[0, 1, update]` (what the peer's step 1 lacked). */
export function writeSyncStep2Frame(update: Uint8Array): Uint8Array {
  return writeSyncFrame(syncStep2, update)
}

/** Encodes a sync update frame `[0, 2, update]`. */
export function writeUpdateFrame(update: Uint8Array): Uint8Array {
  return writeSyncFrame(syncUpdate, update)
}

/** Encodes an awareness frame `[1, awarenessUpdate]` (as from `encodeAwarenessUpdate`). */
export function writeAwarenessFrame(awarenessUpdate: Uint8Array): Uint8Array {
  return awarenessFrame(awarenessUpdate)
}

/** True for the empty Yjs update `[0, 0]` (no structs, no deletions): what a client with nothing new sends as its sync step 2. */
export function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0
}

/** Encodes y-protocols' permission-denied frame `[2 messageAuth, 0, reason]` (y-protocols/auth `writePermissionDenied`). */
export function writePermissionDeniedFrame(reason: string): Uint8Array {
  return permissionDeniedFrame(reason)
}

// --- Frames as bytes ---------------------------------------------------------------------------
// Every frame built or read outside a y-protocols handler (the bench's raw clients, tests, the
// server's refusals) goes through these, so the encoding lives here once.

export const { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } = syncProtocol

/** `[messageSync][syncType][varUint8Array payload]`: a step 1 (state vector), step 2 or update. */
export function syncFrame(syncType: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageSync)
  encoding.writeVarUint(encoder, syncType)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

/** Sync step 1 with the empty state vector: "send me the whole doc". */
export const emptyStep1Frame: Uint8Array = syncFrame(messageYjsSyncStep1, new Uint8Array([0]))

/** `[messageAwareness][varUint8Array update]`, `update` as from `encodeAwarenessUpdate`. */
export function awarenessFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageAwareness)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** y-protocols' permission-denied frame (`messageAuth`) with `reason`. */
export function permissionDeniedFrame(reason: string): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageAuth)
  authProtocol.writePermissionDenied(encoder, reason)
  return encoding.toUint8Array(encoder)
}

/** The reason of a permission-denied frame, or null when `frame` is another message. */
export function permissionDeniedReason(frame: Uint8Array): string | null {
  const decoder = decoding.createDecoder(frame)
  if (decoding.readVarUint(decoder) !== messageAuth || decoding.readVarUint(decoder) !== authProtocol.messagePermissionDenied) return null
  return decoding.readVarString(decoder)
}

/** The message tag of a frame and, for sync frames, the sync type (else -1). */
export function frameKind(frame: Uint8Array): { tag: number; syncType: number } {
  const decoder = decoding.createDecoder(frame)
  const tag = decoding.readVarUint(decoder)
  const syncType = tag === messageSync ? decoding.readVarUint(decoder) : -1
  return { tag, syncType }
}
