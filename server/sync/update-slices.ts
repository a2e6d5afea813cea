/**
 * Cuts a large Yjs update (v1 encoding, as y-websocket sends it) into small ones, so a client's
 * catch-up after a whole session offline (issue 16, part 6: tens of thousands of structs, a few
 * MB) is checked, stored and applied a slice at a time, each in its own turn of the event loop,
 * instead of keeping it for hundreds of ms in one go.
 *
 * The v1 encoding writes every struct with absolute ids (client and clock of its origins and
 * parent), so runs of consecutive structs, at most one per client, make a valid update on their
 * own: a header (the clients; each run's length, client and first clock), the runs' bytes as they
 * are, and an empty delete set. The structs go into slices in an order where each follows what it
 * builds on (see `sliceUpdate`), and the delete set follows in slices of its own, after every
 * struct. Applying the slices in order gives the same doc as applying the whole update, for an
 * update that names each client in one run, as Yjs writes it: one naming a client again is
 * refused (Yjs would keep only the last run, the slices every run).
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { ContentRefusedError, MalformedShapeError, readLength, repeatedClient, skipStruct, UpdateTooComplexError, type StructId, type Walk } from './update-shape.ts'

/** One slice of an update: its bytes and what it carries. */
export interface UpdateSlice {
  update: Uint8Array
  /** Structs in the slice. */
  structs: number
  /** Deleted ranges in the slice. */
  deleteRanges: number
}

/** Bounds on the whole update, checked while its structs' headers are read (see `sliceUpdate`). */
export interface SliceLimits {
  /** Most structs over all its runs. */
  maxTotalStructs?: number
  /** Most clients with a run of structs. */
  maxClients?: number
}

/** One client's run of structs in an update, read ahead of slicing (see `sliceUpdate`). */
interface ClientRun {
  client: number
  /** The clock of its first struct. */
  first: number
  /** The clock right after its last struct. */
  end: number
  /** Where each struct starts in the update, and (last entry) where the run ends: count + 1 entries. */
  offsets: number[]
  /** The clock each struct starts at, and (last entry) `end`: count + 1 entries. */
  clocks: number[]
  /**
   * What each struct builds on in other clients (origin, right origin, parent), as flat
   * [client, clock] pairs: those of struct i are depends[dependsAt[i] .. dependsAt[i + 1]).
   */
  depends: number[]
  dependsAt: number[]
  /** Index of the next struct not yet put in a slice. */
  next: number
}

/**
 * The slices of `update`, made one at a time as they are asked for (a caller spreads them over
 * turns): at most `maxStructs` structs each (each client in one run per slice), then the delete
 * set in slices of at most `maxRanges` ranges.
 *
 * The structs are put in slices in an order where each comes after everything it builds on in
 * the update (its origins and its parent, of other clients), as Yjs integrates them: Yjs writes
 * the clients in descending id order, so a client's first structs often build on items of a
 * client written after it (an author typing into a paragraph another author created). Slicing in
 * the written order would give slices that Yjs cannot integrate on their own (it keeps them
 * pending, past `maxPendingBytes` for a large pad), and that the room's checks would judge against
 * a doc missing what they build on (a parent created in an earlier slice but still pending is
 * "not a type"). Slices in dependency order each integrate as soon as they are applied.
 *
 * The structs' headers are all read (lengths and references only) before the first slice: see
 * `sliceUpdateInTurns`, which spreads that over turns too. Throws UpdateTooComplexError as soon
 * as the runs claim more than `limits.maxTotalStructs` structs, ContentRefusedError when they name
 * more than `limits.maxClients` clients, MalformedShapeError when the bytes do not follow the
 * encoding or a client is named in a second run of structs.
 */
export function* sliceUpdate(update: Uint8Array, maxStructs: number, maxRanges: number, limits: SliceLimits = {}): Generator<UpdateSlice> {
  for (const step of sliceUpdateInTurns(update, maxStructs, maxRanges, limits)) if (step) yield step
}

/**
 * `sliceUpdate`, also pausing (a null step) after reading each `maxStructs` structs ahead of the
 * first slice, so a caller taking a step per turn of the event loop never reads more than one
 * slice's worth of structs in a turn.
 */
export function* sliceUpdateInTurns(update: Uint8Array, maxStructs: number, maxRanges: number, limits: SliceLimits = {}): Generator<UpdateSlice | null> {
  const decoder = decoding.createDecoder(update)
  const read = <T>(step: () => T): T => {
    try {
      return step()
    } catch (error) {
      if (error instanceof MalformedShapeError || error instanceof UpdateTooComplexError || error instanceof ContentRefusedError) throw error
      throw new MalformedShapeError(error instanceof Error ? error.message : String(error))
    }
  }
  const runs: ClientRun[] = []
  const reading = readRuns(decoder, maxStructs, limits, runs)
  while (!read(() => reading.next()).done) yield null
  yield* structSlices(update, runs, maxStructs)
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

/**
 * Reads every client's run of structs into `runs` (lengths and references to other clients,
 * nothing decoded), pausing after each `pauseEvery` structs; leaves `decoder` at the delete set.
 */
function* readRuns(decoder: decoding.Decoder, pauseEvery: number, limits: SliceLimits, runs: ClientRun[]): Generator<void> {
  const maxTotalStructs = limits.maxTotalStructs ?? Number.MAX_SAFE_INTEGER
  const maxClients = limits.maxClients ?? Number.MAX_SAFE_INTEGER
  const clients = decoding.readVarUint(decoder)
  // Each slice names a client once, so a client named in more than one run (malformed, as in
  // `scanUpdate`: Yjs would drop all but its last run) is refused here, not by the slices' scans.
  const written = new Set<number>()
  let total = 0
  let sincePause = 0
  for (let c = 0; c < clients; c++) {
    const count = decoding.readVarUint(decoder)
    total += count
    if (total > maxTotalStructs) throw new UpdateTooComplexError(`update carries more than ${maxTotalStructs} structs`)
    const client = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    if (written.has(client)) throw new MalformedShapeError(repeatedClient(client))
    written.add(client)
    if (written.size > maxClients) throw new ContentRefusedError(`update names more than ${maxClients} client ids`)
    // (A run's header counts as a struct read: an update naming many clients pauses too.)
    if (++sincePause === pauseEvery) {
      sincePause = 0
      yield
    }
    const run: ClientRun = { client, first: clock, end: clock, offsets: [], clocks: [], depends: [], dependsAt: [], next: 0 }
    const depend = (id: StructId | string | null) => {
      if (id !== null && typeof id !== 'string' && id.client !== client) run.depends.push(id.client, id.clock)
    }
    const walk: Walk = {
      shape: null,
      content: null,
      visit: (item) => {
        depend(item.origin)
        depend(item.rightOrigin)
        depend(item.parent)
      },
    }
    let at = clock
    for (let i = 0; i < count; i++) {
      run.offsets.push(decoder.pos)
      run.clocks.push(at)
      run.dependsAt.push(run.depends.length)
      at += skipStruct(decoder, client, at, walk)
      if (++sincePause === pauseEvery) {
        sincePause = 0
        yield
      }
    }
    run.offsets.push(decoder.pos)
    run.clocks.push(at)
    run.dependsAt.push(run.depends.length)
    run.end = at
    runs.push(run)
  }
}

/**
 * The structs of `runs` in slices of at most `maxStructs`, each struct after what it builds on
 * in the update (see `sliceUpdate`). Follows Yjs' `integrateStructs`: takes the clients in the
 * order written, and when a client's next struct builds on a struct of another client not sliced
 * yet, slices that client first (a stack of clients). What a struct builds on outside the update
 * (in the doc, or missing) does not hold it back; nor does a cycle (which no Yjs doc writes: the
 * struct is sliced as it is, and Yjs keeps what it cannot integrate pending, as for the whole).
 * The stack's moves are bounded by a few per struct of the slice, whatever the update claims, so
 * a slice takes as little time as ever: past that (a crafted update), the rest of the slice is
 * filled in the order the stack has, and checked as ever.
 */
function* structSlices(update: Uint8Array, runs: ClientRun[], maxStructs: number): Generator<UpdateSlice> {
  const byClient = new Map(runs.map((run) => [run.client, run]))
  /** The client whose struct at `clock` is in the update and not sliced yet, if any. */
  const waitingOn = (client: number, clock: number): ClientRun | null => {
    const run = byClient.get(client)
    if (!run || clock < run.first || clock >= run.end) return null
    return clock >= run.clocks[run.next]! ? run : null
  }
  // The slice being filled: for each client, the index of its first struct in it.
  let slice = new Map<ClientRun, number>()
  let structs = 0
  // The stack's moves left for this slice (see above).
  let moves = 8 * maxStructs
  const cut = (): UpdateSlice => {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, slice.size)
    for (const [run, from] of slice) {
      encoding.writeVarUint(encoder, run.next - from)
      encoding.writeVarUint(encoder, run.client)
      encoding.writeVarUint(encoder, run.clocks[from]!)
      encoding.writeUint8Array(encoder, update.subarray(run.offsets[from]!, run.offsets[run.next]!))
    }
    encoding.writeVarUint(encoder, 0)
    const done = { update: encoding.toUint8Array(encoder), structs, deleteRanges: 0 }
    slice = new Map()
    structs = 0
    moves = 8 * maxStructs
    return done
  }
  const onStack = new Set<ClientRun>()
  // Structs sliced so far, and for each client the count when the stack last went back to it
  // (going back twice with nothing sliced in between means the update's structs build on each
  // other in a cycle).
  let sliced = 0
  const wentBackAt = new Map<ClientRun, number>()
  const unfinished = (run: ClientRun) => run.next < run.clocks.length - 1
  for (let left = runs.filter(unfinished); left.length > 0; left = left.filter(unfinished)) {
    for (const start of left) {
      if (!unfinished(start)) continue
      const stack = [start]
      onStack.add(start)
      while (stack.length > 0) {
        const run = stack.at(-1)!
        const i = run.next
        if (!unfinished(run)) {
          stack.pop()
          onStack.delete(run)
          continue
        }
        let blocker: ClientRun | null = null
        for (let d = run.dependsAt[i]!; d < run.dependsAt[i + 1]! && !blocker && moves > 0; d += 2) blocker = waitingOn(run.depends[d]!, run.depends[d + 1]!)
        if (blocker) moves--
        if (blocker && !onStack.has(blocker)) {
          stack.push(blocker)
          onStack.add(blocker)
          continue
        }
        if (blocker && wentBackAt.get(blocker) !== sliced) {
          // It waits on a client lower in the stack, which can go on now: back to that one (the
          // clients above it are taken up again later).
          wentBackAt.set(blocker, sliced)
          while (stack.at(-1) !== blocker) {
            onStack.delete(stack.pop()!)
            moves--
          }
          continue
        }
        if (!slice.has(run)) slice.set(run, i)
        run.next++
        structs++
        sliced++
        if (structs === maxStructs) yield cut()
      }
    }
  }
  if (structs > 0) yield cut()
}
