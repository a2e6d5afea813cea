/**
 * A cheap first look at a client's Yjs update (v1 encoding, as y-websocket sends it), before the
 * room spends real work on it. Decoding and integrating an update costs time in proportion to the
 * structs and deletions it claims, and a crafted megabyte can claim half a million of them: the
 * scan reads only headers and lengths, allocates nothing per struct, and stops as soon as a limit
 * is passed, so a hostile update is refused in microseconds instead of blocking the event loop.
 *
 * The scan follows Yjs' own reader (`readClientsStructRefs`, `readItemContent`, `readDeleteSet`)
 * field by field, including what makes Yjs throw later (JSON content that does not parse, unknown
 * type refs, subdocument options that are not an object), so an update it accepts decodes in Yjs:
 * the room relies on that to store it before applying it.
 */
import * as decoding from 'lib0/decoding'

export interface UpdateShape {
  /** Structs (items, GC and skip ranges) the update carries, over all clients. */
  structs: number
  /** Deleted ranges in the update's delete set. */
  deleteRanges: number
  /** For each client with structs in the update: the clock its first struct starts at. */
  firstClocks: Map<number, number>
  /** For each client with structs in the update: the clock right after its last struct. */
  endClocks: Map<number, number>
  /** Items the update names as parents (by id); each must be a type (see `typeItems`, the doc). */
  parentRefs: StructId[]
  /** Ids (`idKey`) of the update's own items that are types, i.e. may be parents. */
  typeItems: Set<string>
  /**
   * For each client the update's items refer to (as origin, right origin or parent): the clock
   * right after the highest id referred to. What the update builds on (see refused-writes.ts).
   */
  refEnds: Map<number, number>
  /** For each client in the update's delete set: the clock right after its highest deleted range. */
  deleteEnds: Map<number, number>
}

export interface StructId {
  client: number
  clock: number
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
  const shape: UpdateShape = {
    structs: 0,
    deleteRanges: 0,
    firstClocks: new Map(),
    endClocks: new Map(),
    parentRefs: [],
    typeItems: new Set(),
    refEnds: new Map(),
    deleteEnds: new Map(),
  }
  try {
    const clients = decoding.readVarUint(decoder)
    for (let c = 0; c < clients; c++) {
      const count = decoding.readVarUint(decoder)
      shape.structs += count
      if (shape.structs > limits.maxStructs) throw new UpdateTooComplexError(`update carries more than ${limits.maxStructs} structs`)
      const client = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      if (count > 0 && !shape.firstClocks.has(client)) shape.firstClocks.set(client, clock)
      let at = clock
      for (let i = 0; i < count; i++) at += skipStruct(decoder, client, at, shape)
      if (count > 0 && at > (shape.endClocks.get(client) ?? 0)) shape.endClocks.set(client, at)
    }
    const deleteClients = decoding.readVarUint(decoder)
    for (let c = 0; c < deleteClients; c++) {
      const client = decoding.readVarUint(decoder)
      const ranges = decoding.readVarUint(decoder)
      shape.deleteRanges += ranges
      if (shape.deleteRanges > limits.maxDeleteRanges) throw new UpdateTooComplexError(`update deletes more than ${limits.maxDeleteRanges} ranges`)
      for (let r = 0; r < ranges; r++) {
        const end = decoding.readVarUint(decoder) + readLength(decoder)
        if (end > (shape.deleteEnds.get(client) ?? 0)) shape.deleteEnds.set(client, end)
      }
    }
  } catch (error) {
    if (error instanceof UpdateTooComplexError || error instanceof MalformedShapeError) throw error
    throw new MalformedShapeError(error instanceof Error ? error.message : String(error))
  }
  if (decoding.hasContent(decoder)) throw new MalformedShapeError('trailing bytes after the delete set')
  return shape
}

/**
 * Walks one struct of `client` starting at `clock` and returns its length (the clocks it takes).
 * An item may only build on what existed when it was made: a reference to its own client at or
 * after its own clock would make Yjs' integration throw half-way, so it is malformed here.
 * Throws MalformedShapeError or lib0's decoding errors on bytes that do not follow the encoding.
 */
export function skipStruct(decoder: decoding.Decoder, client: number, clock: number, shape: UpdateShape | null): number {
  const info = decoding.readUint8(decoder)
  const kind = info & contentKind
  if (kind === 0 || kind === 10) {
    // GC or Skip: a length.
    return readLength(decoder)
  }
  if (info & hasOrigin) noteReference(shape, readReference(decoder, client, clock))
  if (info & hasRightOrigin) noteReference(shape, readReference(decoder, client, clock))
  if ((info & (hasOrigin | hasRightOrigin)) === 0) {
    // No origins: the parent is written out, as a root type name or the id of its item.
    if (decoding.readVarUint(decoder) === 1) readString(decoder)
    else {
      const parent = readReference(decoder, client, clock)
      shape?.parentRefs.push(parent)
      noteReference(shape, parent)
    }
    if (info & hasParentSub) readString(decoder)
  }
  if (kind === 7) shape?.typeItems.add(idKey(client, clock))
  return skipContent(decoder, kind)
}

/** Records that the update builds on `id` (see `UpdateShape.refEnds`). */
function noteReference(shape: UpdateShape | null, id: StructId): void {
  if (shape && id.clock >= (shape.refEnds.get(id.client) ?? 0)) shape.refEnds.set(id.client, id.clock + 1)
}

function readReference(decoder: decoding.Decoder, client: number, clock: number): StructId {
  const refClient = decoding.readVarUint(decoder)
  const refClock = decoding.readVarUint(decoder)
  if (refClient === client && refClock >= clock) throw new MalformedShapeError('an item refers to a later item of its own client')
  return { client: refClient, clock: refClock }
}

/**
 * The state of a doc holding just `update` (a whole stored doc, typically): for each client, the
 * clock its structs reach contiguously from 0, up to the first range the update skips, as Yjs'
 * `encodeStateVectorFromUpdate` computes it, from the same walk as `scanUpdate` (several times
 * faster: nothing is decoded). Throws MalformedShapeError when the bytes do not follow the encoding.
 */
export function stateFromUpdate(update: Uint8Array): Map<number, number> {
  const decoder = decoding.createDecoder(update)
  const state = new Map<number, number>()
  try {
    const clients = decoding.readVarUint(decoder)
    for (let c = 0; c < clients; c++) {
      const count = decoding.readVarUint(decoder)
      const client = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      // Structs the doc cannot integrate (after a gap, or after a skipped range) do not count.
      let counting = clock === (state.get(client) ?? 0)
      let at = clock
      for (let i = 0; i < count; i++) {
        if ((update[decoder.pos]! & contentKind) === 10) counting = false
        at += skipStruct(decoder, client, at, null)
        if (counting && at > 0) state.set(client, at)
      }
    }
  } catch (error) {
    if (error instanceof MalformedShapeError) throw error
    throw new MalformedShapeError(error instanceof Error ? error.message : String(error))
  }
  return state
}

/** `client:clock`, for sets of ids. */
export function idKey(client: number, clock: number): string {
  return `${client}:${clock}`
}

/** Walks an item's content and returns its length in clocks (as Yjs' `getLength`). */
function skipContent(decoder: decoding.Decoder, kind: number): number {
  switch (kind) {
    case 1: // deleted: a length
      return readLength(decoder)
    case 2: {
      // JSON: a count of JSON strings ('undefined' stands for undefined)
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) {
        const json = readString(decoder)
        if (json !== 'undefined') checkJson(json)
      }
      return nonZero(count)
    }
    case 3: // binary
      skipBytes(decoder)
      return 1
    case 4: // string: its length in UTF-16 code units
      return nonZero(readString(decoder).length)
    case 5: // embed (JSON)
      checkJson(readString(decoder))
      return 1
    case 6: // format: key and JSON value
      readString(decoder)
      checkJson(readString(decoder))
      return 1
    case 7: {
      const typeRef = decoding.readVarUint(decoder)
      if (typeRef > lastTypeRef) throw new MalformedShapeError(`unknown type ref ${typeRef}`)
      if (typeRef === typeRefXmlElement || typeRef === typeRefXmlHook) readString(decoder)
      return 1
    }
    case 8: {
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) decoding.readAny(decoder)
      return nonZero(count)
    }
    case 9: {
      // subdocument: guid and options (Yjs reads properties of the options)
      readString(decoder)
      const options = decoding.readAny(decoder)
      if (options === null || options === undefined) throw new MalformedShapeError('subdocument options missing')
      return 1
    }
    default:
      throw new MalformedShapeError(`unknown content kind ${kind}`)
  }
}

/** Items take at least one clock; Yjs never writes an empty one. */
function nonZero(length: number): number {
  if (length === 0) throw new MalformedShapeError('empty item')
  return length
}

/** A struct or range length: Yjs never writes 0, and cannot re-encode one (pending delete sets). */
export function readLength(decoder: decoding.Decoder): number {
  const length = decoding.readVarUint(decoder)
  if (length === 0) throw new MalformedShapeError('zero length')
  return length
}

function checkJson(json: string): void {
  try {
    JSON.parse(json)
  } catch {
    throw new MalformedShapeError('content is not valid JSON')
  }
}

/** Reads a length-prefixed UTF-8 string; Yjs' decoder (lib0, fatal) refuses invalid UTF-8 too. */
function readString(decoder: decoding.Decoder): string {
  const length = decoding.peekVarUint(decoder)
  if (decoder.pos + length > decoder.arr.length) throw new MalformedShapeError('length past the end of the update')
  return decoding.readVarString(decoder)
}

/** Skips a length-prefixed byte run without decoding it. */
function skipBytes(decoder: decoding.Decoder): void {
  const length = decoding.readVarUint(decoder)
  if (decoder.pos + length > decoder.arr.length) throw new MalformedShapeError('length past the end of the update')
  decoder.pos += length
}
