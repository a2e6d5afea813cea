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
  /**
   * Limits on what the update's content may hold (nesting, sizes, client ids); each is refused
   * with ContentRefusedError. Without them, content is only checked for being decodable.
   */
  content?: ContentLimits
}

/**
 * What Yjs and the exporters can digest (issue 15 part 3): past these, Yjs' own `JSON.stringify`
 * and the exporters' recursion overflow the stack, and a flood of client ids costs its weight in
 * time without a struct. See `docs/update-limits.md`.
 */
export interface ContentLimits {
  /** Deepest nesting of arrays and objects in a JSON or `any` value (ContentJSON, ContentAny, embeds, formats). */
  maxValueDepth: number
  /** Longest string inside a JSON or `any` value, and longest binary value, in UTF-16 code units / bytes. */
  maxValueChars: number
  /** Longest name: root type names, map and attribute keys, element names, format keys. */
  maxNameChars: number
  /** Most distinct client ids one update may name, with structs or in its delete set. */
  maxClients: number
}

/** One item of a scanned update, as the content rules (update-checks.ts) look at it. */
export interface ScannedItem {
  client: number
  clock: number
  /** Clocks it takes. */
  length: number
  /** Yjs content kind: 1 deleted, 2 JSON, 3 binary, 4 string, 5 embed, 6 format, 7 type, 8 any, 9 doc. */
  kind: number
  /** The id of the last clock of its left neighbour when it was made, if any. */
  origin: StructId | null
  /** The id of its right neighbour when it was made, if any. */
  rightOrigin: StructId | null
  /** Written out only when it has no origins: a root type's name or the id of the parent type's item. */
  parent: string | StructId | null
  /** The map key it is set under (attribute name of an element), if any. */
  parentSub: string | null
  /** For kind 7: the type ref (0 array, 1 map, 2 text, 3 XML element, 4 XML fragment, 5 XML hook, 6 XML text). */
  typeRef: number
  /** For an XML element or hook: its name; for a format: its key. */
  name: string | null
}

/** The update breaks a content limit or rule; nothing of it may be stored. */
export class ContentRefusedError extends Error {
  override name = 'ContentRefusedError'
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

/** A Skip struct's info byte: exactly 10 (see `skipStruct`). */
const skipInfo = 10

const typeRefXmlElement = 3
const typeRefXmlHook = 5
const lastTypeRef = 6

/**
 * Walks `update` and returns its shape. Throws UpdateTooComplexError as soon as a limit is
 * passed, MalformedShapeError when the bytes do not follow the encoding.
 */
export function scanUpdate(update: Uint8Array, limits: UpdateLimits, visit?: (item: ScannedItem) => void): UpdateShape {
  const decoder = decoding.createDecoder(update)
  const shape: UpdateShape = { structs: 0, deleteRanges: 0, firstClocks: new Map(), endClocks: new Map(), parentRefs: [], typeItems: new Set(), refEnds: new Map(), deleteEnds: new Map() }
  const walk: Walk = { shape, content: limits.content ?? null, visit: visit ?? null }
  // Distinct client ids named so far (issue 15: 100,000 ids without a struct took 146-194 ms).
  const named = limits.content ? new Set<number>() : null
  const name = (client: number) => {
    if (!named || !limits.content) return
    named.add(client)
    if (named.size > limits.content.maxClients) throw new ContentRefusedError(`update names more than ${limits.content.maxClients} client ids`)
  }
  try {
    const clients = decoding.readVarUint(decoder)
    for (let c = 0; c < clients; c++) {
      const count = decoding.readVarUint(decoder)
      shape.structs += count
      if (shape.structs > limits.maxStructs) throw new UpdateTooComplexError(`update carries more than ${limits.maxStructs} structs`)
      const client = readNumber(decoder)
      name(client)
      const clock = readNumber(decoder)
      if (count > 0 && !shape.firstClocks.has(client)) shape.firstClocks.set(client, clock)
      let at = clock
      for (let i = 0; i < count; i++) at = endOf(at, skipStruct(decoder, client, at, walk))
      if (count > 0 && at > (shape.endClocks.get(client) ?? 0)) shape.endClocks.set(client, at)
    }
    const deleteClients = decoding.readVarUint(decoder)
    for (let c = 0; c < deleteClients; c++) {
      const client = readNumber(decoder)
      name(client)
      const ranges = decoding.readVarUint(decoder)
      shape.deleteRanges += ranges
      if (shape.deleteRanges > limits.maxDeleteRanges) throw new UpdateTooComplexError(`update deletes more than ${limits.maxDeleteRanges} ranges`)
      for (let r = 0; r < ranges; r++) {
        const end = endOf(readNumber(decoder), readLength(decoder))
        if (end > (shape.deleteEnds.get(client) ?? 0)) shape.deleteEnds.set(client, end)
      }
    }
  } catch (error) {
    if (error instanceof UpdateTooComplexError || error instanceof MalformedShapeError || error instanceof ContentRefusedError) throw error
    throw new MalformedShapeError(error instanceof Error ? error.message : String(error))
  }
  if (decoding.hasContent(decoder)) throw new MalformedShapeError('trailing bytes after the delete set')
  return shape
}

/** What one walk collects and checks (`shape` null: only lengths are wanted). */
export interface Walk {
  shape: UpdateShape | null
  content: ContentLimits | null
  visit: ((item: ScannedItem) => void) | null
}

/** A walk that only wants each struct's length (see `skipStruct`). */
export const lengthsOnly: Walk = { shape: null, content: null, visit: null }

/**
 * Walks one struct of `client` starting at `clock` and returns its length (the clocks it takes).
 * An item may only build on what existed when it was made: a reference to its own client at or
 * after its own clock would make Yjs' integration throw half-way, so it is malformed here.
 * Throws MalformedShapeError or lib0's decoding errors on bytes that do not follow the encoding.
 */
export function skipStruct(decoder: decoding.Decoder, client: number, clock: number, walk: Walk): number {
  const info = decoding.readUint8(decoder)
  const kind = info & contentKind
  // GC (whatever the high bits) or Skip (exactly 10): a length. Yjs reads 10 with other bits as
  // an item of content kind 10, and throws.
  if (kind === 0 || info === skipInfo) return readLength(decoder)
  const shape = walk.shape
  const origin = info & hasOrigin ? readReference(decoder, client, clock) : null
  const rightOrigin = info & hasRightOrigin ? readReference(decoder, client, clock) : null
  if (origin) noteReference(shape, origin)
  if (rightOrigin) noteReference(shape, rightOrigin)
  let parent: string | StructId | null = null
  let parentSub: string | null = null
  if ((info & (hasOrigin | hasRightOrigin)) === 0) {
    // No origins: the parent is written out, as a root type name or the id of its item.
    if (decoding.readVarUint(decoder) === 1) parent = checkName(readString(decoder), walk)
    else {
      parent = readReference(decoder, client, clock)
      shape?.parentRefs.push(parent)
      noteReference(shape, parent)
    }
    if (info & hasParentSub) parentSub = checkName(readString(decoder), walk)
  }
  if (kind === 7) shape?.typeItems.add(idKey(client, clock))
  const item: ScannedItem | null = walk.visit ? { client, clock, length: 0, kind, origin, rightOrigin, parent, parentSub, typeRef: -1, name: null } : null
  const length = skipContent(decoder, kind, walk, item)
  if (item) {
    item.length = length
    walk.visit!(item)
  }
  return length
}

/** Records that the update builds on `id` (see `UpdateShape.refEnds`). */
function noteReference(shape: UpdateShape | null, id: StructId): void {
  if (shape && id.clock >= (shape.refEnds.get(id.client) ?? 0)) shape.refEnds.set(id.client, id.clock + 1)
}

function readReference(decoder: decoding.Decoder, client: number, clock: number): StructId {
  const refClient = readNumber(decoder)
  const refClock = readNumber(decoder)
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
      const client = readNumber(decoder)
      const clock = readNumber(decoder)
      // Structs the doc cannot integrate (after a gap, or after a skipped range) do not count.
      let counting = clock === (state.get(client) ?? 0)
      let at = clock
      for (let i = 0; i < count; i++) {
        if (update[decoder.pos] === skipInfo) counting = false
        at = endOf(at, skipStruct(decoder, client, at, lengthsOnly))
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
function skipContent(decoder: decoding.Decoder, kind: number, walk: Walk, item: ScannedItem | null): number {
  const limits = walk.content
  switch (kind) {
    case 1: // deleted: a length
      return readLength(decoder)
    case 2: {
      // JSON: a count of JSON strings ('undefined' stands for undefined)
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) {
        const json = readString(decoder)
        if (json !== 'undefined') checkJson(json, limits)
      }
      return nonZero(count)
    }
    case 3: {
      // binary
      const length = skipBytes(decoder)
      if (limits && length > limits.maxValueChars) throw new ContentRefusedError(`binary value longer than ${limits.maxValueChars} bytes`)
      return 1
    }
    case 4: // string: its length in UTF-16 code units
      return nonZero(readString(decoder).length)
    case 5: // embed (JSON)
      checkJson(readString(decoder), limits)
      return 1
    case 6: {
      // format: key and JSON value
      const key = checkName(readString(decoder), walk)
      if (item) item.name = key
      checkJson(readString(decoder), limits)
      return 1
    }
    case 7: {
      const typeRef = decoding.readVarUint(decoder)
      if (typeRef > lastTypeRef) throw new MalformedShapeError(`unknown type ref ${typeRef}`)
      if (item) item.typeRef = typeRef
      if (typeRef === typeRefXmlElement || typeRef === typeRefXmlHook) {
        const name = checkName(readString(decoder), walk)
        if (item) item.name = name
      }
      return 1
    }
    case 8: {
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) {
        if (limits) skipAny(decoder, limits)
        else decoding.readAny(decoder)
      }
      return nonZero(count)
    }
    case 9: {
      // subdocument: guid and options (Yjs reads properties of the options)
      readString(decoder)
      const tag = decoder.arr[decoder.pos]
      if (tag === anyNull || tag === anyUndefined) throw new MalformedShapeError('subdocument options missing')
      if (limits) skipAny(decoder, limits)
      else decoding.readAny(decoder)
      return 1
    }
    default:
      throw new MalformedShapeError(`unknown content kind ${kind}`)
  }
}

/** `name` when it is within the name limit. */
function checkName(name: string, walk: Walk): string {
  if (walk.content && name.length > walk.content.maxNameChars) throw new ContentRefusedError(`name longer than ${walk.content.maxNameChars} characters`)
  return name
}

// lib0's `any` encoding: a tag byte, 127 - its index in lib0's readAnyLookupTable.
const anyUndefined = 127
const anyNull = 126
const anyInteger = 125
const anyFloat32 = 124
const anyFloat64 = 123
const anyBigInt = 122
const anyFalse = 121
const anyTrue = 120
const anyString = 119
const anyObject = 118
const anyArray = 117
const anyBytes = 116

/**
 * Walks one lib0 `any` value without building it and without recursion (lib0's own reader
 * recurses once per level), refusing it past the depth and string limits. An object's entries
 * are counted twice over on the stack: a key, then a value.
 */
function skipAny(decoder: decoding.Decoder, limits: ContentLimits): void {
  // For each open container: values left to read, and whether a key precedes each (objects).
  const left: number[] = [1]
  const keyed: boolean[] = [false]
  while (left.length > 0) {
    const top = left.length - 1
    if (left[top] === 0) {
      left.pop()
      keyed.pop()
      continue
    }
    left[top]!--
    if (keyed[top]) {
      const key = readString(decoder)
      if (key.length > limits.maxNameChars) throw new ContentRefusedError(`name longer than ${limits.maxNameChars} characters`)
    }
    const tag = decoding.readUint8(decoder)
    switch (tag) {
      case anyUndefined:
      case anyNull:
      case anyFalse:
      case anyTrue:
        break
      case anyInteger:
        decoding.readVarInt(decoder)
        break
      case anyFloat32:
        skipFixed(decoder, 4)
        break
      case anyFloat64:
      case anyBigInt:
        skipFixed(decoder, 8)
        break
      case anyString:
        if (readString(decoder).length > limits.maxValueChars) throw new ContentRefusedError(`string value longer than ${limits.maxValueChars} characters`)
        break
      case anyBytes:
        if (skipBytes(decoder) > limits.maxValueChars) throw new ContentRefusedError(`binary value longer than ${limits.maxValueChars} bytes`)
        break
      case anyObject:
      case anyArray:
        if (left.length > limits.maxValueDepth) throw new ContentRefusedError(`value nested deeper than ${limits.maxValueDepth}`)
        left.push(decoding.readVarUint(decoder))
        keyed.push(tag === anyObject)
        break
      default:
        throw new MalformedShapeError(`unknown value tag ${tag}`)
    }
  }
}

function skipFixed(decoder: decoding.Decoder, bytes: number): void {
  if (decoder.pos + bytes > decoder.arr.length) throw new MalformedShapeError('length past the end of the update')
  decoder.pos += bytes
}

/** Items take at least one clock; Yjs never writes an empty one. */
function nonZero(length: number): number {
  if (length === 0) throw new MalformedShapeError('empty item')
  return length
}

/** A struct or range length: Yjs never writes 0, and cannot re-encode one (pending delete sets). */
export function readLength(decoder: decoding.Decoder): number {
  const length = readNumber(decoder)
  if (length === 0) throw new MalformedShapeError('zero length')
  return length
}

/**
 * Largest client id, clock or clock range end an update may hold. Yjs' clocks are plain numbers:
 * past 2^53 sums round (a range of length 2 at 2^56 ends where it starts), and Yjs keeps pending
 * structs in its v2 encoding, which writes clock differences doubled, unreadable past 2^53 (the
 * property test found both: Yjs threw applying such an update onto a doc holding pending structs).
 * Real clients stay far below: ids are 32-bit, clocks count characters typed.
 */
export const maxClockValue = 2 ** 52

/** A client id, clock or length, refused past `maxClockValue`. */
export function readNumber(decoder: decoding.Decoder): number {
  const value = decoding.readVarUint(decoder)
  if (value > maxClockValue) throw new MalformedShapeError(`number past ${maxClockValue}`)
  return value
}

/** `clock + length`, refused past `maxClockValue`. */
function endOf(clock: number, length: number): number {
  const end = clock + length
  if (end > maxClockValue) throw new MalformedShapeError(`clock past ${maxClockValue}`)
  return end
}

/**
 * Refuses `json` when it does not parse, or (with limits) when it nests deeper than
 * `maxValueDepth` or holds a string longer than `maxValueChars`. The depth is read from the text
 * before parsing: Yjs re-encodes JSON content with `JSON.stringify`, which overflows the stack on
 * a value `JSON.parse` still reads (issue 15: 6,000 levels poisoned a pad).
 */
function checkJson(json: string, limits: ContentLimits | null): void {
  if (limits) {
    let depth = 0
    let inString = false
    let stringStart = 0
    for (let i = 0; i < json.length; i++) {
      const char = json.charCodeAt(i)
      if (inString) {
        if (char === 0x5c) i++ // backslash: skip the escaped character
        else if (char === 0x22) {
          inString = false
          if (i - stringStart > limits.maxValueChars) throw new ContentRefusedError(`string value longer than ${limits.maxValueChars} characters`)
        }
      } else if (char === 0x22) {
        inString = true
        stringStart = i
      } else if (char === 0x5b || char === 0x7b) {
        if (++depth > limits.maxValueDepth) throw new ContentRefusedError(`value nested deeper than ${limits.maxValueDepth}`)
      } else if (char === 0x5d || char === 0x7d) depth--
    }
  }
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

/** Skips a length-prefixed byte run without decoding it; returns its length. */
function skipBytes(decoder: decoding.Decoder): number {
  const length = decoding.readVarUint(decoder)
  if (decoder.pos + length > decoder.arr.length) throw new MalformedShapeError('length past the end of the update')
  decoder.pos += length
  return length
}
