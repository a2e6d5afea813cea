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
 * the room relies on that to store it before applying it. Each item's content is walked by
 * update-content.ts. test/unit/server/sync/update-shape.property.test.ts holds both to Yjs: run it
 * after upgrading Yjs (docs/update-limits.md).
 */
import * as decoding from 'lib0/decoding'
import { ContentRefusedError, readName, skipContent, type ContentLimits, type ScannedItem, type StructId } from './update-content.ts'
import { MalformedShapeError, maxClockValue, readLength, readNumber } from './update-primitives.ts'

export { ContentRefusedError, type ContentLimits, type ScannedItem, type StructId } from './update-content.ts'
export { MalformedShapeError, maxClockValue, readLength, readNumber } from './update-primitives.ts'

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
  /**
   * Accept a client named in more than one run of structs (see `scanUpdate`); only for reading
   * rows stored before the scan refused that (quarantine.ts checks their nesting, nothing else).
   */
  allowRepeatedClients?: boolean
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
export const skipInfo = 10

/**
 * Walks `update` and returns its shape. Throws UpdateTooComplexError as soon as a limit is
 * passed, MalformedShapeError when the bytes do not follow the encoding.
 *
 * A client named in more than one run of structs (even an empty one) is malformed: Yjs never
 * writes one (`writeClientsStructs` writes each client of a map once; `mergeUpdates`,
 * `diffUpdate` and the sync steps write through `LazyStructWriter`, which starts a run only when
 * the client changes, in descending client order), and Yjs' reader keeps only a client's last
 * run (`readClientsStructRefs` sets one entry per run), silently dropping the runs before it. The
 * shape would count structs the doc never holds, and a later merge of the stored rows (which
 * reads every run) could bring them back.
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
  // Clients that had a run of structs so far (each run costs at least three bytes of the update).
  const written = limits.allowRepeatedClients ? null : new Set<number>()
  try {
    const clients = decoding.readVarUint(decoder)
    for (let c = 0; c < clients; c++) {
      const count = decoding.readVarUint(decoder)
      shape.structs += count
      if (shape.structs > limits.maxStructs) throw new UpdateTooComplexError(`update carries more than ${limits.maxStructs} structs`)
      const client = readNumber(decoder)
      name(client)
      if (written) {
        if (written.has(client)) throw new MalformedShapeError(repeatedClient(client))
        written.add(client)
      }
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

/** The reason for refusing an update that names `client` in more than one run of structs. */
export function repeatedClient(client: number): string {
  return `update names client ${client} in more than one run of structs`
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
  // Ids and names are only made for a walk that keeps them (a lengths-only walk of a stored pad
  // checks tens of thousands of them, and allocating each was most of its garbage).
  const keeps = shape !== null || walk.visit !== null
  const origin = info & hasOrigin ? readReference(decoder, client, clock, keeps) : null
  const rightOrigin = info & hasRightOrigin ? readReference(decoder, client, clock, keeps) : null
  if (origin) noteReference(shape, origin)
  if (rightOrigin) noteReference(shape, rightOrigin)
  let parent: string | StructId | null = null
  let parentSub: string | null = null
  if ((info & (hasOrigin | hasRightOrigin)) === 0) {
    // No origins: the parent is written out, as a root type name or the id of its item.
    if (decoding.readVarUint(decoder) === 1) parent = readName(decoder, walk.content, walk.visit !== null)
    else {
      const parentId = readReference(decoder, client, clock, keeps)
      if (parentId) {
        shape?.parentRefs.push(parentId)
        noteReference(shape, parentId)
      }
      parent = parentId
    }
    if (info & hasParentSub) parentSub = readName(decoder, walk.content, walk.visit !== null)
  }
  if (kind === 7) shape?.typeItems.add(idKey(client, clock))
  const item: ScannedItem | null = walk.visit ? { client, clock, length: 0, kind, origin, rightOrigin, parent, parentSub, typeRef: -1, name: null } : null
  const length = skipContent(decoder, kind, walk.content, item)
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

/** Reads the id an item refers to (checked, see `skipStruct`); returns it when `keep`, else null. */
function readReference(decoder: decoding.Decoder, client: number, clock: number, keep: boolean): StructId | null {
  const refClient = readNumber(decoder)
  const refClock = readNumber(decoder)
  if (refClient === client && refClock >= clock) throw new MalformedShapeError('an item refers to a later item of its own client')
  return keep ? { client: refClient, clock: refClock } : null
}

/** `client:clock`, for sets of ids. */
export function idKey(client: number, clock: number): string {
  return `${client}:${clock}`
}

/** `clock + length`, refused past `maxClockValue`. */
function endOf(clock: number, length: number): number {
  const end = clock + length
  if (end > maxClockValue) throw new MalformedShapeError(`clock past ${maxClockValue}`)
  return end
}
