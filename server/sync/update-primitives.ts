/**
 * The primitives of the Yjs v1 update encoding, read without trusting it (update-content.ts and
 * update-shape.ts walk updates with them; stored-walk.ts walks stored pads): varint numbers
 * bounded by `maxClockValue`, lengths, strings (decoded, or only checked and counted), byte runs.
 * Each refuses an update that ends inside it with MalformedShapeError.
 */
import * as decoding from 'lib0/decoding'

/** The update does not follow the encoding. */
export class MalformedShapeError extends Error {
  override name = 'MalformedShapeError'
}

/** Reads a length-prefixed UTF-8 string; Yjs' decoder (lib0, fatal) refuses invalid UTF-8 too. */
export function readString(decoder: decoding.Decoder): string {
  const length = decoding.peekVarUint(decoder)
  if (decoder.pos + length > decoder.arr.length) throw new MalformedShapeError('length past the end of the update')
  return decoding.readVarString(decoder)
}

/**
 * Skips a length-prefixed UTF-8 string without decoding it and returns its length in UTF-16 code
 * units (what `readString(decoder).length` returns), refusing the bytes `readString` refuses:
 * invalid UTF-8 as the Encoding Standard's decoder (lib0's `TextDecoder`, fatal) judges it, a BOM
 * kept. Nothing is allocated: a stored pad holds tens of thousands of strings, and decoding each
 * (a view, a call into the decoder, a string) was most of the walk of a cold load (issue 21).
 */
export function skipString(decoder: decoding.Decoder): number {
  const length = readNumber(decoder)
  const arr = decoder.arr
  const end = decoder.pos + length
  if (end > arr.length) throw new MalformedShapeError('length past the end of the update')
  let units = 0
  let i = decoder.pos
  while (i < end) {
    const lead = arr[i]!
    if (lead < 0x80) {
      i++
      units++
      continue
    }
    // Continuation bytes after `lead`, and the range of the first (the Encoding Standard's UTF-8
    // decoder: no overlong forms, no surrogates, nothing past U+10FFFF).
    let more: number
    let low = 0x80
    let high = 0xbf
    if (lead >= 0xc2 && lead <= 0xdf) more = 1
    else if (lead >= 0xe0 && lead <= 0xef) {
      more = 2
      if (lead === 0xe0) low = 0xa0
      else if (lead === 0xed) high = 0x9f
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      more = 3
      if (lead === 0xf0) low = 0x90
      else if (lead === 0xf4) high = 0x8f
    } else throw new MalformedShapeError('invalid UTF-8')
    if (i + more >= end) throw new MalformedShapeError('invalid UTF-8')
    const first = arr[i + 1]!
    if (first < low || first > high) throw new MalformedShapeError('invalid UTF-8')
    for (let k = 2; k <= more; k++) {
      const next = arr[i + k]!
      if (next < 0x80 || next > 0xbf) throw new MalformedShapeError('invalid UTF-8')
    }
    // A code point past U+FFFF takes two UTF-16 code units (a surrogate pair).
    units += more === 3 ? 2 : 1
    i += more + 1
  }
  decoder.pos = end
  return units
}

/** Skips a length-prefixed byte run without decoding it; returns its length. */
export function skipBytes(decoder: decoding.Decoder): number {
  const length = decoding.readVarUint(decoder)
  if (decoder.pos + length > decoder.arr.length) throw new MalformedShapeError('length past the end of the update')
  decoder.pos += length
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

/**
 * A client id, clock or length (lib0's unsigned varint), refused past `maxClockValue` or when the
 * update ends inside it. Read here rather than with lib0's `readVarUint` (which reads and writes
 * the decoder's position at every byte): a stored pad holds about five of these per struct, and a
 * freshly started server interprets this code before V8 compiles it (issue 21).
 */
export function readNumber(decoder: decoding.Decoder): number {
  const arr = decoder.arr
  let pos = decoder.pos
  let value = 0
  let scale = 1
  for (;;) {
    if (pos >= arr.length) throw new MalformedShapeError('unexpected end of the update')
    const byte = arr[pos++]!
    value += (byte & 0x7f) * scale
    if (value > maxClockValue) throw new MalformedShapeError(`number past ${maxClockValue}`)
    if (byte < 0x80) break
    scale *= 128
  }
  decoder.pos = pos
  return value
}
