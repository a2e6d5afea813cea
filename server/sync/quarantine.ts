/**
 * Loading a doc whose stored log holds an update Yjs cannot digest (issue 15 part 3): one stored
 * before the server checked nesting, say. Such a row makes the log's merge overflow the stack
 * (every connection then got 1011, every export 500, and ending the session made no archive).
 *
 * `loadHealthy` loads as usual and walks the loaded state once (stored-walk.ts: a few turns of
 * the event loop for a large pad, and the walk also yields the doc's state vector); when the merge
 * throws or the merged state does not decode or nests deeper than Yjs re-encodes, it reads the rows one by one, moves each row that Yjs cannot apply and re-encode on
 * its own into the store's quarantine (the raw bytes stay there for an operator, DocStore [DS10]),
 * and loads what is left: the last good state. A failure that no row explains (the store is down)
 * is thrown as it was, and nothing is quarantined.
 *
 * The walk is skipped when every stored row is known to pass it (issue 21: the walk was about
 * 40 ms of a freshly started server's cold sync of a large pad): each row records the version of
 * these checks it was written after passing (`loadChecksVersion`, DocStore [DS13]). Clients'
 * updates pass stricter ones before they are stored (update-gate.ts), the server's own are walked
 * before they are stored (`checksOf`), a compaction keeps what its rows had. Rows stored by an
 * older version, by a tool that does not say, or tampered with in the file are walked as before.
 * Then the state vector for the server's sync step 1 is read later, in slices, by a walk of
 * lengths only (`readStateInSlices`, started by RoomDoc once the room is served).
 */
import * as Y from 'yjs'
import type { DocStore, LoadedDoc } from '../storage/doc-store.ts'
import type { Logger } from '../../shared/logger.ts'
import { StoredWalk } from './stored-walk.ts'
import { ContentRefusedError, type ContentLimits } from './update-shape.ts'
import { scratchDoc } from './scratch-doc.ts'

/**
 * Nesting of JSON and plain values past which a stored update counts as poisoned: far above what
 * any check lets in now (32), far below where Yjs' recursive encoders overflow (about 3,000).
 */
export const poisonValueDepth = 1000

/**
 * The version of the checks a row must pass for its doc to load (what `healthyState` checks);
 * raise it when those checks change, so rows stored before are walked again.
 */
export const loadChecksVersion = 1

/** What `loadHealthy` found. */
export interface HealthyLoad {
  loaded: LoadedDoc | null
  /**
   * `loadChecksVersion` when the loaded doc is known to pass the load's checks (walked now, or
   * every row was stored checked), 0 when rows were quarantined (the rest was checked row by row,
   * not as one doc).
   */
  checks: number
  /**
   * The loaded doc's state (client → clock, as `stateFromUpdate` reads it), from the walk that
   * checked it; null when nothing was loaded, nothing was walked (every row stored checked) or
   * rows were quarantined (then read when needed: see RoomDoc `readStateVectorLater`).
   */
  stateVector: Map<number, number> | null
  /** Rows moved to the quarantine by this load (0 when the log was sound). */
  quarantined: number
}

const unlimited = Number.MAX_SAFE_INTEGER

/**
 * What a stored update must keep to count as healthy: values that nest at most `poisonValueDepth`;
 * everything else as Yjs decodes it (UTF-8, JSON). A client written in more than one run loads as
 * it did (Yjs keeps each client's last run) from a row stored before the scan refused that.
 */
const poisonLimits: ContentLimits = { maxValueDepth: poisonValueDepth, maxValueChars: unlimited, maxNameChars: unlimited, maxClients: unlimited }

/**
 * Most structs (and runs and delete ranges) the load's walk takes per turn of the event loop: 10
 * to 30 ms in a freshly started process on a busy core, 1 to 3 ms once V8 has optimized the walk;
 * the bench's 100,000-operation pad is about 32,000.
 */
export const structsPerTurn = 10_000

/** Structs walked between two looks at the clock (see `sliceBudgetMs`). */
const structsPerStep = 1_000

/**
 * How long one turn's slice of a walk may run before it yields, looked at every `structsPerStep`
 * structs: a turn of a freshly started process stays near 2 ms instead of up to 30, so the pad's
 * bytes go on out to its clients between the slices (issue 21: with whole slices of
 * `structsPerTurn` interleaved, a cold sync's step 2 reached the client in 37 to 44 ms; with this,
 * in 10 to 19: the bench's 481 KiB pad, as fast as with no walk at all).
 */
export const sliceBudgetMs = 2

/**
 * Walks `walk` to its end, a slice per turn of the event loop: at most `structsPerTurn` structs and
 * about `sliceBudgetMs` of `now` each. Resolves true once walked, false when `wanted` turned false
 * between two slices (the walk stops there). Throws what `StoredWalk.step` throws.
 */
export async function walkInTurns(walk: StoredWalk, wanted: () => boolean = () => true, now: () => number = () => performance.now()): Promise<boolean> {
  for (;;) {
    const started = now()
    let left = structsPerTurn
    for (;;) {
      if (walk.step(structsPerStep)) return true
      left -= structsPerStep
      if (left <= 0 || now() - started >= sliceBudgetMs) break
    }
    await new Promise((resolve) => setImmediate(resolve))
    if (!wanted()) return false
  }
}

/**
 * The state of `update` when Yjs can decode and re-encode it (see `poisonLimits`), else why not:
 * values nested too deep (the only limit of `poisonLimits` that is not unlimited), or bytes that
 * do not decode (truncated or corrupt: "Unexpected end of array" and the like). Walked in slices,
 * one per turn of the event loop (`walkInTurns`).
 */
async function healthyState(update: Uint8Array): Promise<{ state: Map<number, number> } | { failure: string }> {
  const walk = new StoredWalk(update, { content: poisonLimits, deleteSet: true })
  try {
    await walkInTurns(walk)
    return { state: walk.state }
  } catch (error) {
    return { failure: error instanceof ContentRefusedError ? 'the stored doc nests deeper than Yjs can re-encode' : 'the stored update cannot be decoded (corrupt bytes)' }
  }
}

/**
 * The state of `update` (as `stateFromUpdate` reads it), walked in slices reading lengths only,
 * one slice per turn of the event loop from the next one on (`walkInTurns`: the caller's turn goes
 * on to serve the doc, and its bytes go out between the slices);
 * null when it does not decode, or when `wanted` turns false between two slices (the walk stops
 * there).
 */
export async function readStateInSlices(update: Uint8Array, wanted: () => boolean): Promise<Map<number, number> | null> {
  await new Promise((resolve) => setImmediate(resolve))
  if (!wanted()) return null
  return walkedState(new StoredWalk(update, { content: null, deleteSet: false }), wanted)
}

async function walkedState(walk: StoredWalk, wanted: () => boolean = () => true): Promise<Map<number, number> | null> {
  try {
    return (await walkInTurns(walk, wanted)) ? walk.state : null
  } catch {
    return null
  }
}

/** True when Yjs can re-encode `update` (see `healthyState`), in one go; reads headers only. */
function nestsSafely(update: Uint8Array): boolean {
  try {
    return new StoredWalk(update, { content: poisonLimits, deleteSet: true }).step(Number.POSITIVE_INFINITY)
  } catch {
    return false
  }
}

/**
 * The `checks` to store a server-made update with (DocStore [DS13]): `loadChecksVersion` when it
 * passes the load's checks, else 0. One walk of the update, cheaper than the encoding that made it.
 */
export function checksOf(update: Uint8Array): number {
  return nestsSafely(update) ? loadChecksVersion : 0
}

/** True when `update` alone applies to a doc that then re-encodes. */
function isDigestible(update: Uint8Array): boolean {
  if (!nestsSafely(update)) return false
  const scratch = scratchDoc()
  try {
    Y.applyUpdate(scratch, update)
    Y.encodeStateAsUpdate(scratch)
    return true
  } catch {
    return false
  } finally {
    scratch.destroy()
  }
}

/**
 * Loads `docName` from `store`, quarantining the rows that keep it from loading (see the module
 * comment). Throws what the store throws when no row is to blame.
 */
export async function loadHealthy(store: DocStore, docName: string, logger: Logger): Promise<HealthyLoad> {
  let failure: unknown
  try {
    const loaded = await store.load(docName)
    if (!loaded) return { loaded, checks: loadChecksVersion, stateVector: null, quarantined: 0 }
    if (loaded.checks === loadChecksVersion) return { loaded, checks: loadChecksVersion, stateVector: null, quarantined: 0 }
    const healthy = await healthyState(loaded.update)
    if ('state' in healthy) return { loaded, checks: loadChecksVersion, stateVector: healthy.state, quarantined: 0 }
    failure = new Error(healthy.failure)
  } catch (error) {
    failure = error
  }
  // Reading the rows fails too when the store itself is the problem: then that is thrown.
  const rows = await store.rows(docName)
  const bad = rows.filter((row) => !isDigestible(row.update)).map((row) => row.ref)
  if (bad.length === 0) throw failure
  const reason = failure instanceof Error ? failure.message.slice(0, 200) : String(failure)
  await store.quarantine(docName, bad, `cannot be loaded: ${reason}`)
  logger.error({ docName, rows: bad.length, reason }, 'quarantined stored updates that keep the doc from loading')
  return { loaded: await store.load(docName), checks: 0, stateVector: null, quarantined: bad.length }
}
