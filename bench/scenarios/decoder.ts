/**
 * Decoder: the time one hostile or broken message holds the sync core, in process (summitpad
 * only, no reference: y-websocket-server has no limits to compare). The seeded inputs of the
 * decoder fuzz test (`test/helpers/fuzz-inputs.ts`) go through the real Connection, Room and
 * limits on an in-memory store, each on its own connection. Two figures per message: the time
 * from `receive` to idle (a large update is taken in slices, one per turn, so this can be long
 * while the server goes on serving others), and the longest turn of the event loop while it was
 * handled, which is what the design's budget bounds (DESIGN.md: no message keeps the event loop
 * more than 50 ms at the documented limits); the longest turn is judged against it and reported
 * as a ratio to it.
 * This moved here from the test, where a busy machine made a wall-clock bound fail (issue 17).
 */
import { silentLogger } from '../../server/observability/log.ts'
import { defaultRoomLimits } from '../../server/sync/room.ts'
import { RoomRegistry } from '../../server/sync/room-registry.ts'
import { FakeSocket } from '../../test/helpers/fake-socket.ts'
import { fuzzInputs, type FuzzKind } from '../../test/helpers/fuzz-inputs.ts'
import { MemoryDocStore } from '../../test/helpers/memory-doc-store.ts'
import { h, p, padUpdate } from '../../test/helpers/ydoc-builder.ts'
import { nowMs } from '../clock.ts'
import { progress } from '../log.ts'
import { MachineMeter } from '../proc.ts'
import { round } from '../stats.ts'

/** The budget one message may hold the event loop, in ms (DESIGN.md). */
export const messageBudgetMs = 50

/** Parameters of the decoder scenario. */
export interface DecoderOptions {
  /** Seeded inputs, each on its own connection. */
  inputs: number
  seed: number
}

/** One decoder run. */
export interface DecoderResult {
  scenario: 'decoder'
  target: 'summitpad'
  seed: number
  inputs: number
  /** Per-message time from `receive` to idle, ms (all its turns). */
  messageMs: { p50: number | null; p99: number | null; max: number | null }
  /** The kind of input that took longest from receive to idle. */
  slowestKind: string
  /** Per message, the longest turn of the event loop while it was handled, ms. */
  turnMs: { p50: number | null; p99: number | null; max: number | null }
  /** The kind of input behind the longest turn. */
  longestTurnKind: string
  budgetMs: number
  /** `turnMs.max / budgetMs`: at most 1 meets the budget. */
  ratioToBudget: number
  /** CPU pressure while it ran (PSI `cpu some`, %): a busy machine inflates the figure. */
  machine: { cpuPressurePercent: number | null }
}

const docName = 'fuzz'
/** Inputs per registry: a fresh room every so often keeps the accepted junk from piling up. */
const segment = 5000

/** Runs the inputs through the sync core and reports the slowest message against the budget. */
export async function runDecoder(options: DecoderOptions): Promise<DecoderResult> {
  progress(`decoder: ${options.inputs} seeded inputs (seed ${options.seed}) through the sync core`)
  const meter = new MachineMeter()
  meter.begin()
  const times: number[] = []
  const turns: number[] = []
  let slowest = { ms: -1, kind: '' as FuzzKind | '' }
  let longest = { ms: -1, kind: '' as FuzzKind | '' }
  // A ticker re-queued with setImmediate runs once per turn of the event loop: the time between
  // two ticks while a message is handled is how long that turn kept the loop.
  let handling = false
  let lastTick = 0
  let turnMax = 0
  let ticking = true
  const noteTurn = () => {
    const now = nowMs()
    if (handling) turnMax = Math.max(turnMax, now - lastTick)
    lastTick = now
  }
  const tick = () => {
    noteTurn()
    if (ticking) setImmediate(tick)
  }
  setImmediate(tick)
  let registry: RoomRegistry | null = null
  let handled = 0
  for (const input of fuzzInputs(options.seed, options.inputs, defaultRoomLimits.maxStructs)) {
    if (handled % segment === 0) {
      await registry?.close()
      const store = new MemoryDocStore()
      await store.append(docName, padUpdate(h(2, 'Agenda'), p('fuzzed')))
      registry = new RoomRegistry({ store, logger: silentLogger, compactAfterRows: 500, unloadDelayMs: 1000, maxQueuedBytesPerConnection: 4 * 1024 * 1024, rateLimit: { perSecond: 1e9, burst: 1e9 } })
    }
    const socket = new FakeSocket()
    const connection = registry!.connect(docName, socket, { wantsAck: true })
    await connection.whenIdle()
    const started = nowMs()
    lastTick = started
    turnMax = 0
    handling = true
    connection.receive(input.frame)
    await connection.whenIdle()
    noteTurn()
    handling = false
    const ms = nowMs() - started
    times.push(ms)
    turns.push(turnMax)
    if (ms > slowest.ms) slowest = { ms, kind: input.kind }
    if (turnMax > longest.ms) longest = { ms: turnMax, kind: input.kind }
    if (!socket.closedWith) socket.closeFromPeer()
    registry!.disconnected(docName, connection)
    handled++
  }
  await registry?.close()
  ticking = false
  const spread = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b)
    const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
    return { p50: at(0.5), p99: at(0.99), max: round(sorted.at(-1) ?? 0) }
  }
  const turnSpread = spread(turns)
  return {
    scenario: 'decoder',
    target: 'summitpad',
    seed: options.seed,
    inputs: handled,
    messageMs: spread(times),
    slowestKind: slowest.kind,
    turnMs: turnSpread,
    longestTurnKind: longest.kind,
    budgetMs: messageBudgetMs,
    ratioToBudget: Math.round(((turnSpread.max ?? 0) / messageBudgetMs) * 100) / 100,
    machine: { cpuPressurePercent: round(meter.end().cpuPressurePercent ?? Number.NaN) },
  }
}
