/**
 * A cheap first look at a client's Yjs update (v1 encoding, as y-websocket sends it), before the
 * room spends real work on it. Decoding and integrating an update costs time in proportion to the
 * structs and deletions it claims, and a crafted megabyte can claim half a million of them: the
 * scan reads only headers and lengths, allocates nothing per struct, and stops as soon as a limit
 * is passed, so a hostile update is refused in microseconds instead of blocking the event loop.
 *
 * The scan follows Yjs' own reader (`readClientsStructRefs`, `readItemContent`, `readDeleteSet`)
 * field by field; anything it cannot walk is malformed. It is a bound, not a full validation:
 * the room still decodes the update with Yjs before storing it.
 */
import * as decoding from 'lib0/decoding'

export interface UpdateShape {
  /** Structs (items, GC and skip ranges) the update carries, over all clients. */
  structs: number
  /** Deleted ranges in the update's delete set. */
  deleteRanges: number
  /** For each client with structs in the update: the clock its first struct starts at. */
  firstClocks: Map<number, number>
}

export interface UpdateLimits {
  /** Most structs one update may carry. */
  maxStructs: number
  /** Most delete-set ranges one update may carry. */
  maxDeleteRanges: number
}

/** The update does not follow the encoding. */
export class MalformedShapeError extends Error {
  override name = 'MalformedShapeError'
}

/** The update is well-formed so far but claims more than the limits allow. */
export class UpdateTooComplexError extends Error {
  override name = 'UpdateTooComplexError'
}

// Bit layout of a struct's info byte (Yjs `binary.BIT6..BIT8`, `BITS5`).
const hasParentSub = 0b0010_0000
const hasRightOrigin = 0b0100_0000
const hasOrigin = 0b1000_0000
const contentKind = 0b0001_1111

const typeRefXmlElement = 3
const typeRefXmlHook = 5
const lastTypeRef = 6

/**
 * Walks `update` and returns its shape. Throws UpdateTooComplexError as soon as a limit is
 * passed, MalformedShapeError when the bytes do not follow the encoding.
 */
export function scanUpdate(update: Uint8Array, limits: UpdateLimits): UpdateShape {
  const decoder = decoding.createDecoder(update)
  const shape: UpdateShape = { structs: 0, deleteRanges: 0, firstClocks: new Map() }
  try {
    const clients = decoding.readVarUint(decoder)
    for (let c = 0; c < clients; c++) {
      const count = decoding.readVarUint(decoder)
      shape.structs += count
      if (shape.structs > limits.maxStructs) throw new UpdateTooComplexError(`update carries more than ${limits.maxStructs} structs`)
      const client = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      if (count > 0 && !shape.firstClocks.has(client)) shape.firstClocks.set(client, clock)
      for (let i = 0; i < count; i++) skipStruct(decoder)
    }
    const deleteClients = decoding.readVarUint(decoder)
    for (let c = 0; c < deleteClients; c++) {
      decoding.readVarUint(decoder) // client
      const ranges = decoding.readVarUint(decoder)
      shape.deleteRanges += ranges
      if (shape.deleteRanges > limits.maxDeleteRanges) throw new UpdateTooComplexError(`update deletes more than ${limits.maxDeleteRanges} ranges`)
      for (let r = 0; r < ranges; r++) {
        decoding.readVarUint(decoder) // clock
        decoding.readVarUint(decoder) // length
      }
    }
  } catch (error) {
    if (error instanceof UpdateTooComplexError || error instanceof MalformedShapeError) throw error
    throw new MalformedShapeError(error instanceof Error ? error.message : String(error))
  }
  if (decoding.hasContent(decoder)) throw new MalformedShapeError('trailing bytes after the delete set')
  return shape
}

function skipStruct(decoder: decoding.Decoder): void {
  const info = decoding.readUint8(decoder)
  const kind = info & contentKind
  if (kind === 0 || kind === 10) {
    // GC or Skip: a length.
    decoding.readVarUint(decoder)
    return
  }
  if (info & hasOrigin) skipId(decoder)
  if (info & hasRightOrigin) skipId(decoder)
  if ((info & (hasOrigin | hasRightOrigin)) === 0) {
    // No origins: the parent is written out, as a root type name or the id of its item.
    if (decoding.readVarUint(decoder) === 1) skipString(decoder)
    else skipId(decoder)
    if (info & hasParentSub) skipString(decoder)
  }
  skipContent(decoder, kind)
}

function skipContent(decoder: decoding.Decoder, kind: number): void {
  switch (kind) {
    case 1: // deleted: a length
      decoding.readVarUint(decoder)
      return
    case 2: {
      // JSON: a count of JSON strings
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) skipString(decoder)
      return
    }
    case 3: // binary
      skipString(decoder)
      return
    case 4: // string
    case 5: // embed (JSON)
      skipString(decoder)
      return
    case 6: // format: key and JSON value
      skipString(decoder)
      skipString(decoder)
      return
    case 7: {
      const typeRef = decoding.readVarUint(decoder)
      if (typeRef > lastTypeRef) throw new MalformedShapeError(`unknown type ref ${typeRef}`)
      if (typeRef === typeRefXmlElement || typeRef === typeRefXmlHook) skipString(decoder)
      return
    }
    case 8: {
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) decoding.readAny(decoder)
      return
    }
    case 9: // subdocument: guid and options
      skipString(decoder)
      decoding.readAny(decoder)
      return
    default:
      throw new MalformedShapeError(`unknown content kind ${kind}`)
  }
}

function skipId(decoder: decoding.Decoder): void {
  decoding.readVarUint(decoder)
  decoding.readVarUint(decoder)
}

/** Skips a length-prefixed byte run (a string or a buffer) without decoding it. */
function skipString(decoder: decoding.Decoder): void {
  const length = decoding.readVarUint(decoder)
  if (decoder.pos + length > decoder.arr.length) throw new MalformedShapeError('length past the end of the update')
  decoder.pos += length
}
