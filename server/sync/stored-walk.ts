/**
 * One walk of a doc's stored bytes when its room loads (quarantine.ts): it checks what the load
 * must know before anyone is served those bytes (that Yjs decodes them and re-encodes their
 * values: nesting, UTF-8, JSON) and, in the same pass, reads the doc's state vector for the
 * server's sync step 1, so a cold pad is walked once, not once to load it and again to greet its
 * first client (issue 21: under the profiler, the two walks took about 110 ms of a freshly started
 * server's cold sync).
 *
 * The walk goes in slices (`step`), so a large pad is checked over several turns of the event
 * loop instead of holding it for the whole doc (the design's 50 ms per turn).
 *
 * A pad whose stored rows all passed these checks when they were written is not walked before it
 * is served (quarantine.ts `loadChecksVersion`); its state vector is read afterwards by a walk
 * of lengths only (`content: null`), in slices too.
 */
import * as decoding from 'lib0/decoding'
import { ContentRefusedError, MalformedShapeError, maxClockValue, readLength, readNumber, skipInfo, skipStruct, type ContentLimits, type Walk } from './update-shape.ts'

/** What a StoredWalk reads and checks. */
export interface StoredWalkOptions {
  /** Content limits every value must keep (see update-content.ts); null checks decodability only. */
  content: ContentLimits | null
  /**
   * Also read the delete set and refuse bytes after it, as `scanUpdate` does; without it, the walk
   * stops after the structs (all a state vector needs).
   */
  deleteSet: boolean
}

export class StoredWalk {
  /**
   * For each client: the clock its structs reach contiguously from 0, up to the first range the
   * update skips; a client written in more than one run counts its last run only (see
   * update-shape.ts `stateFromUpdate`). Complete once `step` returned true.
   */
  readonly state = new Map<number, number>()
  private readonly decoder: decoding.Decoder
  private readonly walk: Walk
  /** Runs of structs not yet started (-1: the count is not read yet). */
  private runsLeft = -1
  /** Structs left in the current run. */
  private structsLeft = 0
  private client = 0
  private at = 0
  private counting = false
  /** Delete-set clients not yet started (-1: the count is not read yet). */
  private deleteClientsLeft = -1
  /** Ranges left of the current delete-set client. */
  private rangesLeft = 0
  private done = false
  /** Structs, runs and delete ranges walked so far. */
  private walked = 0
  /** Structs, runs and delete ranges walked by every StoredWalk of this process. @internal (tests count the work of a load) */
  static totalWalked = 0
  /** The part of `totalWalked` walked with content checks (`content` set). @internal (tests count the checks of a load) */
  static totalChecked = 0

  constructor(
    private readonly update: Uint8Array,
    private readonly options: StoredWalkOptions,
  ) {
    this.decoder = decoding.createDecoder(update)
    this.walk = { shape: null, content: options.content, visit: null }
  }

  /**
   * Walks up to `budget` structs, runs and delete ranges; true once the whole update is walked.
   * Throws MalformedShapeError when the bytes do not follow the encoding, ContentRefusedError
   * when a value breaks `content`.
   */
  step(budget: number): boolean {
    if (this.done) return true
    const start = this.walked
    try {
      if (!this.walkStructs(start + budget)) return false
      if (this.options.deleteSet && !this.walkDeleteSet(start + budget)) return false
    } catch (error) {
      if (error instanceof MalformedShapeError || error instanceof ContentRefusedError) throw error
      throw new MalformedShapeError(error instanceof Error ? error.message : String(error))
    } finally {
      StoredWalk.totalWalked += this.walked - start
      if (this.options.content) StoredWalk.totalChecked += this.walked - start
    }
    this.done = true
    return true
  }

  private walkStructs(until: number): boolean {
    const decoder = this.decoder
    if (this.runsLeft < 0) this.runsLeft = decoding.readVarUint(decoder)
    for (;;) {
      if (this.walked >= until) return false
      this.walked++
      if (this.structsLeft === 0) {
        if (this.runsLeft === 0) return true
        this.runsLeft--
        this.structsLeft = decoding.readVarUint(decoder)
        this.client = readNumber(decoder)
        const clock = readNumber(decoder)
        // A run replaces the client's runs before it, even an empty one. Structs the doc cannot
        // integrate (from past clock 0, or after a skipped range) do not count.
        this.state.delete(this.client)
        this.counting = clock === 0
        this.at = clock
        continue
      }
      this.structsLeft--
      if (this.update[decoder.pos] === skipInfo) this.counting = false
      this.at = endOf(this.at, skipStruct(decoder, this.client, this.at, this.walk))
      if (this.counting && this.at > 0) this.state.set(this.client, this.at)
    }
  }

  private walkDeleteSet(until: number): boolean {
    const decoder = this.decoder
    if (this.deleteClientsLeft < 0) this.deleteClientsLeft = decoding.readVarUint(decoder)
    for (;;) {
      if (this.walked >= until) return false
      this.walked++
      if (this.rangesLeft === 0) {
        if (this.deleteClientsLeft === 0) break
        this.deleteClientsLeft--
        readNumber(decoder)
        this.rangesLeft = decoding.readVarUint(decoder)
        continue
      }
      this.rangesLeft--
      endOf(readNumber(decoder), readLength(decoder))
    }
    if (decoding.hasContent(decoder)) throw new MalformedShapeError('trailing bytes after the delete set')
    return true
  }
}

/**
 * The state of a doc holding just `update` (a whole stored doc, typically): for each client, the
 * clock its structs reach contiguously from 0, up to the first range the update skips, as Yjs'
 * `encodeStateVectorFromUpdate` computes it, from the walk of `scanUpdate` (several times faster:
 * nothing is built), in one go. Throws MalformedShapeError when the bytes do not follow the
 * encoding.
 *
 * Where the two differ, this follows what a doc applying the update holds: a skip at clock 0 counts
 * nothing, and a client written more than once counts only its last run of structs, as Yjs'
 * reader (`readClientsStructRefs`) keeps only that one (`clientRefs.set` per run), dropping the
 * runs before it. `encodeStateVectorFromUpdate` assumes each client once and reads on across a
 * client's runs, which overstates a doc built from such bytes (a crafted update stored as a pad's
 * only row): a peer told the server holds clocks it does not would never send them.
 */
export function stateFromUpdate(update: Uint8Array): Map<number, number> {
  const walk = new StoredWalk(update, { content: null, deleteSet: false })
  walk.step(Number.POSITIVE_INFINITY)
  return walk.state
}

/** `clock + length`, refused past `maxClockValue`. */
function endOf(clock: number, length: number): number {
  const end = clock + length
  if (end > maxClockValue) throw new MalformedShapeError(`clock past ${maxClockValue}`)
  return end
}
