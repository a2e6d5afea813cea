/**
 * Cuts a large Yjs update (v1 encoding, as y-websocket sends it) into small ones, so a client's
 * catch-up after a whole session offline (issue 16, part 6: tens of thousands of structs, a few
 * MB) is checked, stored and applied a slice at a time, each in its own turn of the event loop,
 * instead of keeping it for hundreds of ms in one go.
 *
 * The v1 encoding writes every struct with absolute ids (client and clock of its origins and
 * parent), so a run of one client's consecutive structs is a valid update on its own: a header
 * (one client, the run's length, the client, its first clock), the run's bytes as they are, and
 * an empty delete set. The delete set follows in slices of its own, after every struct. Applying
 * the slices in order gives the same doc as applying the whole update, for an update that names
 * each client in one run, as Yjs writes it: one naming a client again is refused (Yjs would keep
 * only the last run, the slices every run).
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { lengthsOnly, MalformedShapeError, readLength, repeatedClient, skipStruct } from './update-shape.ts'

/** One slice of an update: its bytes and what it carries. */
export interface UpdateSlice {
  update: Uint8Array
  /** Structs in the slice. */
  structs: number
  /** Deleted ranges in the slice. */
  deleteRanges: number
}

/**
 * The slices of `update`, made one at a time as they are asked for (a caller spreads them over
 * turns): runs of at most `maxStructs` structs of one client, then the delete set in slices of at
 * most `maxRanges` ranges. Throws MalformedShapeError, when the slice where the bytes stop
 * following the encoding is reached (what came before was well-formed), or at a client's second
 * run of structs.
 */
export function* sliceUpdate(update: Uint8Array, maxStructs: number, maxRanges: number): Generator<UpdateSlice> {
  const decoder = decoding.createDecoder(update)
  const read = <T>(step: () => T): T => {
    try {
      return step()
    } catch (error) {
      if (error instanceof MalformedShapeError) throw error
      throw new MalformedShapeError(error instanceof Error ? error.message : String(error))
    }
  }
  const clients = read(() => decoding.readVarUint(decoder))
  // Each slice names one client, so a client named in more than one run (malformed, as in
  // `scanUpdate`: Yjs would drop all but its last run) is refused here, not by the slices' scans.
  const written = new Set<number>()
  for (let c = 0; c < clients; c++) {
    const [count, client, clock] = read(() => [decoding.readVarUint(decoder), decoding.readVarUint(decoder), decoding.readVarUint(decoder)])
    if (written.has(client)) throw new MalformedShapeError(repeatedClient(client))
    written.add(client)
    let at = clock
    for (let done = 0; done < count; ) {
      const start = decoder.pos
      const first = at
      const run = Math.min(maxStructs, count - done)
      for (let i = 0; i < run; i++) at += read(() => skipStruct(decoder, client, at, lengthsOnly))
      done += run
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, 1)
      encoding.writeVarUint(encoder, run)
      encoding.writeVarUint(encoder, client)
      encoding.writeVarUint(encoder, first)
      encoding.writeUint8Array(encoder, update.subarray(start, decoder.pos))
      encoding.writeVarUint(encoder, 0)
      yield { update: encoding.toUint8Array(encoder), structs: run, deleteRanges: 0 }
    }
  }
  let pending: [number, [number, number][]][] = []
  let pendingRanges = 0
  const deleteSlice = (): UpdateSlice => {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 0)
    encoding.writeVarUint(encoder, pending.length)
    for (const [client, ranges] of pending) {
      encoding.writeVarUint(encoder, client)
      encoding.writeVarUint(encoder, ranges.length)
      for (const [clock, length] of ranges) {
        encoding.writeVarUint(encoder, clock)
        encoding.writeVarUint(encoder, length)
      }
    }
    const slice = { update: encoding.toUint8Array(encoder), structs: 0, deleteRanges: pendingRanges }
    pending = []
    pendingRanges = 0
    return slice
  }
  const deleteClients = read(() => decoding.readVarUint(decoder))
  for (let c = 0; c < deleteClients; c++) {
    const [client, count] = read(() => [decoding.readVarUint(decoder), decoding.readVarUint(decoder)])
    let ranges: [number, number][] = []
    pending.push([client, ranges])
    for (let r = 0; r < count; r++) {
      ranges.push(read(() => [decoding.readVarUint(decoder), readLength(decoder)]))
      pendingRanges++
      if (pendingRanges === maxRanges) {
        yield deleteSlice()
        ranges = []
        if (r + 1 < count) pending.push([client, ranges])
      }
    }
  }
  if (decoding.hasContent(decoder)) throw new MalformedShapeError('trailing bytes after the delete set')
  if (pendingRanges > 0) yield deleteSlice()
}
