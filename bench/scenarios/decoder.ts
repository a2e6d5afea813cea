/**
 * Decoder: the time one hostile or broken message holds the sync core, in process (summitpad
 * only, no reference: y-websocket-server has no limits to compare). The seeded inputs of the
 * decoder fuzz test (`test/helpers/fuzz-inputs.ts`) go through the real Connection, Room and
 * limits on an in-memory store, each on its own connection, and every message is timed from
 * `receive` to idle. The figure is judged against the design's budget (DESIGN.md: no message
 * keeps the event loop more than 50 ms at the documented limits) and reported as a ratio to it.
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
  /** Per-message time from `receive` to idle, ms. */
  messageMs: { p50: number | null; p99: number | null; max: number | null }
  /** The kind of input that took longest. */
  slowestKind: string
  budgetMs: number
  /** `messageMs.max / budgetMs`: at most 1 meets the budget. */
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
  let slowest = { ms: -1, kind: '' as FuzzKind | '' }
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
    connection.receive(input.frame)
    await connection.whenIdle()
    const ms = nowMs() - started
    times.push(ms)
    if (ms > slowest.ms) slowest = { ms, kind: input.kind }
    if (!socket.closedWith) socket.closeFromPeer()
    registry!.disconnected(docName, connection)
    handled++
  }
  await registry?.close()
  const sorted = times.sort((a, b) => a - b)
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
  const max = sorted.at(-1) ?? 0
  return {
    scenario: 'decoder',
    target: 'summitpad',
    seed: options.seed,
    inputs: handled,
    messageMs: { p50: at(0.5), p99: at(0.99), max: round(max) },
    slowestKind: slowest.kind,
    budgetMs: messageBudgetMs,
    ratioToBudget: Math.round((max / messageBudgetMs) * 100) / 100,
    machine: { cpuPressurePercent: round(meter.end().cpuPressurePercent ?? Number.NaN) },
  }
}
