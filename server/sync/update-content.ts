/**
 * The content of one item of a Yjs v1 update, walked without building it (see update-shape.ts,
 * which walks the structs around it): each kind as Yjs' `readItemContent` reads it, refusing
 * what makes Yjs throw later (JSON that does not parse, unknown type refs, subdocument options
 * that are not an object) and, with limits, values nested too deep or too long.
 */
import * as decoding from 'lib0/decoding'
import { MalformedShapeError, readLength, readString, skipBytes, skipString } from './update-primitives.ts'

/** The id of a struct: its client and the clock it starts at. */
export interface StructId {
  client: number
  clock: number
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


const typeRefXmlElement = 3
const typeRefXmlHook = 5
const lastTypeRef = 6

/** Walks an item's content and returns its length in clocks (as Yjs' `getLength`). */
export function skipContent(decoder: decoding.Decoder, kind: number, limits: ContentLimits | null, item: ScannedItem | null): number {
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
      return nonZero(skipString(decoder))
    case 5: // embed (JSON)
      checkJson(readString(decoder), limits)
      return 1
    case 6: {
      // format: key and JSON value
      const key = readName(decoder, limits, item !== null)
      if (item) item.name = key
      checkJson(readString(decoder), limits)
      return 1
    }
    case 7: {
      const typeRef = decoding.readVarUint(decoder)
      if (typeRef > lastTypeRef) throw new MalformedShapeError(`unknown type ref ${typeRef}`)
      if (item) item.typeRef = typeRef
      if (typeRef === typeRefXmlElement || typeRef === typeRefXmlHook) {
        const name = readName(decoder, limits, item !== null)
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
      skipString(decoder)
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
export function checkName(name: string, limits: ContentLimits | null): string {
  if (limits && name.length > limits.maxNameChars) throw new ContentRefusedError(`name longer than ${limits.maxNameChars} characters`)
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
    if (keyed[top]) checkNameLength(skipString(decoder), limits)
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
        if (skipString(decoder) > limits.maxValueChars) throw new ContentRefusedError(`string value longer than ${limits.maxValueChars} characters`)
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

/** A name's length within the name limit (`checkName` without the string). */
function checkNameLength(length: number, limits: ContentLimits | null): void {
  if (limits && length > limits.maxNameChars) throw new ContentRefusedError(`name longer than ${limits.maxNameChars} characters`)
}

/**
 * Reads a name (see `checkName`): the string when `wanted` (an item is visited), else only its
 * length is checked (see `skipString`) and null is returned.
 */
export function readName(decoder: decoding.Decoder, limits: ContentLimits | null, wanted: boolean): string | null {
  if (wanted) return checkName(readString(decoder), limits)
  checkNameLength(skipString(decoder), limits)
  return null
}
