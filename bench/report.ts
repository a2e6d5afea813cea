/**
 * The human-readable summary printed after all runs: one table per scenario, built from the
 * same result objects that were printed as JSON lines.
 */
import type { ArchiveResult } from './scenarios/archive.ts'
import type { BurstResult, IngestResult, RoomsResult } from './scenarios/capacity.ts'
import type { ColdloadResult } from './scenarios/coldload.ts'
import type { DecoderResult } from './scenarios/decoder.ts'
import type { FanoutResult } from './scenarios/fanout.ts'

/** The round a result ran in (see `--repeats`). */
type Rounded = { round?: number }

/** Any scenario's result, with the round it ran in. */
export type BenchResult = (FanoutResult | ColdloadResult | RoomsResult | BurstResult | IngestResult | DecoderResult | ArchiveResult) & Rounded

/** Renders `rows` (first row: headers) as an aligned text table. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)))
  const line = (row: string[]) => row.map((cell, column) => cell.padStart(widths[column]!)).join('  ')
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n')
}

const show = (value: number | null | undefined, unit = ''): string =>
  value === null || value === undefined ? '-' : `${value}${unit}`

/** The summary of every result, as text. */
export function renderSummary(results: BenchResult[]): string {
  const parts: string[] = []
  const fanout = results.filter((r): r is FanoutResult & Rounded => r.scenario === 'fanout')
  if (fanout.length > 0) {
    parts.push('fanout: latency = edit typed by a writer → applied at a probe (ms); delivered = receivers + probes that got every update')
    parts.push(
      table([
        ['round', 'server', 'clients', 'writers', 'updates', 'p50', 'p95', 'p99', 'max', 'delivered', 'srv CPU% (main)', 'srv peak 1s%', 'srv peak RSS MiB', 'bench CPU%', 'others CPU%', 'gen lag max'],
        ...fanout.map((r) => [
          show(r.round),
          r.target,
          `${r.clients}+${r.probes}p`,
          String(r.writers),
          `${r.sent} @${show(r.achievedRate)}/s`,
          show(r.latencyMs.p50),
          show(r.latencyMs.p95),
          show(r.latencyMs.p99),
          show(r.latencyMs.max),
          `${r.delivery.completeReceivers}/${r.delivery.receivers} + ${r.delivery.completeProbes}/${r.probes}p`,
          `${show(r.server.cpuPercent)} (${show(r.server.mainThreadCpuPercent)})`,
          show(r.server.peakSecondCpuPercent),
          show(r.server.peakRssMiB),
          show(r.benchCpuPercent),
          show(r.machine.otherCpuPercent),
          show(r.generatorLagMs.max),
        ]),
      ]),
    )
  }
  const rooms = results.filter((r): r is RoomsResult & Rounded => r.scenario === 'rooms')
  if (rooms.length > 0) {
    parts.push('', 'rooms: sessions × clients, server RSS growth per room and per connection over the idle server')
    parts.push(table([['round', 'server', 'rooms', 'connect s', 'idle MiB', 'loaded MiB', 'KB/room', 'KB/conn'], ...rooms.map((r) => [show(r.round), r.target, `${r.rooms}×${r.clientsPerRoom}`, show(r.connectSeconds), show(r.rssIdleMiB), show(r.rssLoadedMiB), show(r.kbPerRoom), show(r.kbPerConnection)])]))
  }
  const burst = results.filter((r): r is BurstResult & Rounded => r.scenario === 'burst')
  if (burst.length > 0) {
    parts.push('', 'burst: clients connecting at once to one large pad, until every one holds the whole doc')
    parts.push(table([['round', 'server', 'clients', 'doc KiB', 'storm ms', 'srv CPU s'], ...burst.map((r) => [show(r.round), r.target, String(r.clients), show(r.docKiB), show(r.stormMs), show(r.serverCpuSeconds)])]))
  }
  const ingest = results.filter((r): r is IngestResult & Rounded => r.scenario === 'ingest')
  if (ingest.length > 0) {
    parts.push('', 'ingest: one writer replaying a trace, one operation per update, as fast as the server takes them')
    parts.push(table([['round', 'server', 'updates', 'seconds', 'updates/s'], ...ingest.map((r) => [show(r.round), r.target, String(r.updates), show(r.seconds), show(r.updatesPerSecond)])]))
  }
  const targetsTable = renderTargets(results)
  const coldload = results.filter((r): r is ColdloadResult => r.scenario === 'coldload')
  if (coldload.length > 0) {
    if (parts.length > 0) parts.push('')
    parts.push('coldload: connect → sync step 2 applied, first client after a restart (cold) and a second one right after (warm), ms')
    parts.push(
      table([
        ['ops', 'frames', 'doc KiB', 'stored KiB', 'db KiB', 'rows', 'cold median', 'cold min', 'cold max', 'warm median', 'srv start ms', 'srv RSS MiB', 'others CPU%', 'verified'],
        ...coldload.map((r) => [
          String(r.trace.ops),
          String(r.build.frames),
          (r.docBytes / 1024).toFixed(0),
          r.storage.storedBytes === null ? '-' : (r.storage.storedBytes / 1024).toFixed(0),
          ((r.storage.dbBytes + r.storage.walBytes) / 1024).toFixed(0),
          show(r.storage.rows),
          show(r.coldMs.median),
          show(r.coldMs.min),
          show(r.coldMs.max),
          show(r.warmMs.median),
          show(r.serverStartMs),
          show(r.serverRssAfterLoadMiB),
          show(r.machineDuringLoads.otherCpuPercent),
          r.contentVerified ? 'yes' : 'NO',
        ]),
      ]),
    )
  }
  const decoder = results.filter((r): r is DecoderResult & Rounded => r.scenario === 'decoder')
  if (decoder.length > 0) {
    if (parts.length > 0) parts.push('')
    parts.push('decoder: one hostile message from receive to idle in the sync core (ms), against the 50 ms budget')
    parts.push(table([['inputs', 'seed', 'p50', 'p99', 'max', 'slowest kind', 'budget', 'max / budget', 'met', 'cpu pressure%'], ...decoder.map((r) => [String(r.inputs), String(r.seed), show(r.messageMs.p50), show(r.messageMs.p99), show(r.messageMs.max), r.slowestKind, String(r.budgetMs), String(r.ratioToBudget), r.ratioToBudget <= 1 ? 'yes' : 'NO', show(r.machine.cpuPressurePercent)])]))
  }
  const archive = results.filter((r): r is ArchiveResult & Rounded => r.scenario === 'archive')
  if (archive.length > 0) {
    if (parts.length > 0) parts.push('')
    parts.push('archive: a seeded decade of archived sessions, over HTTP, ms (p50 / p95 / max); zip: server RSS growth while streaming it')
    const pmm = (s: ArchiveResult['indexMs']) => `${show(s.p50)} / ${show(s.p95)} / ${show(s.max)}`
    parts.push(
      table([
        ['store', 'sessions', 'text MiB', 'seed s', 'search 1 word', 'hits', 'search 2 words', 'hits', 'index', 'index KiB', 'actions', 'actions KiB', 'zip MiB', 'zip s', 'zip RSS growth MiB'],
        ...archive.map((r) => [
          r.store,
          String(r.seed.sessions),
          (r.seed.textBytes / 1024 / 1024).toFixed(1),
          (r.seed.seedMs / 1000).toFixed(1),
          pmm(r.searchOneMs),
          show(r.searchHits.one),
          pmm(r.searchTwoMs),
          show(r.searchHits.two),
          pmm(r.indexMs),
          (r.indexBytes / 1024).toFixed(0),
          pmm(r.actionsMs),
          (r.actionsBytes / 1024).toFixed(0),
          (r.zip.bytes / 1024 / 1024).toFixed(1),
          show(r.zip.seconds),
          show(r.zip.rssGrowthMiB),
        ]),
      ]),
    )
  }
  if (targetsTable) parts.push('', targetsTable)
  return parts.join('\n')
}

/** Both servers' figures for one target row, over the rounds. */
interface Comparison {
  /** Median of summitpad's figure over the rounds, or null. */
  ours: number | null
  /** Median of the reference's figure over the rounds, or null. */
  reference: number | null
  /** Median of the per-round ratios summitpad / reference, or null. */
  ratio: number | null
  /** summitpad / reference in each round that has both. */
  ratios: number[]
  /** summitpad's figure in each round. */
  oursAll: number[]
}

const hundredths = (value: number) => Math.round(value * 100) / 100

/** The median, the mean of the two middle values for an even count (two rounds: their mean). */
function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const half = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2
}

/** The results matching `pick`, compared round by round (each round ran both servers back to back). */
function compare<T extends BenchResult>(results: BenchResult[], pick: (r: BenchResult) => r is T, value: (r: T) => number | null | undefined): Comparison {
  const picked = results.filter(pick)
  const figure = (target: string, round: number | undefined) => {
    const found = picked.find((r) => r.target === target && r.round === round)
    const v = found ? value(found) : null
    return v === null || v === undefined ? null : v
  }
  const rounds = [...new Set(picked.map((r) => r.round))]
  const oursAll = rounds.map((round) => figure('summitpad', round)).filter((v): v is number => v !== null)
  const referenceAll = rounds.map((round) => figure('reference', round)).filter((v): v is number => v !== null)
  const ratios: number[] = []
  for (const round of rounds) {
    const ours = figure('summitpad', round)
    const reference = figure('reference', round)
    if (ours !== null && reference !== null && reference !== 0) ratios.push(hundredths(ours / reference))
  }
  const mid = (values: number[]) => (values.length > 0 ? hundredths(middle(values)) : null)
  return { ours: mid(oursAll), reference: mid(referenceAll), ratio: mid(ratios), ratios, oursAll }
}

/**
 * The target table: each row's median figure for both servers over the rounds, the median
 * of the per-round ratios (and each of them), and whether summitpad meets the target: a ratio
 * target by the median ratio, a latency target by summitpad's median, delivery in every round.
 */
export function renderTargets(results: BenchResult[]): string | null {
  const fan = (clients: number) => (r: BenchResult): r is FanoutResult => r.scenario === 'fanout' && r.clients === clients
  const rows: string[][] = [['scenario', 'figure', 'summitpad', 'reference', 'ratio', 'per round', 'target', 'met']]
  const add = (scenario: string, figure: string, cell: Comparison, target: string, met: boolean | null) =>
    rows.push([scenario, figure, show(cell.ours), show(cell.reference), show(cell.ratio), cell.ratios.length > 1 ? cell.ratios.join(' ') : '-', target, met === null ? '-' : met ? 'yes' : 'NO'])
  if (results.some(fan(500))) {
    const p99 = compare(results, fan(500), (r) => r.latencyMs.p99)
    add('fanout 500 W=10 R=200', 'p99 ms', p99, '<= 50', p99.ours === null ? null : p99.ours <= 50)
  }
  if (results.some(fan(1000))) {
    const p99 = compare(results, fan(1000), (r) => r.latencyMs.p99)
    const delivered = compare(results, fan(1000), (r) => r.delivery.deliveredPercent)
    add('fanout 1000 W=20 R=200', 'p99 ms', p99, '<= 100', p99.ours === null ? null : p99.ours <= 100)
    add('fanout 1000 W=20 R=200', 'delivered %', delivered, '100 (every round)', delivered.oursAll.length === 0 ? null : delivered.oursAll.every((v) => v === 100))
  }
  if (results.some(fan(200))) {
    const cpu = compare(results, fan(200), (r) => r.server.cpuPercent)
    add('fanout 200 R=200', 'server CPU %', cpu, '<= 0.5 × ref', cpu.ratio === null ? null : cpu.ratio <= 0.5)
  }
  const isRooms = (r: BenchResult): r is RoomsResult => r.scenario === 'rooms'
  if (results.some(isRooms)) {
    const kb = compare(results, isRooms, (r) => r.kbPerRoom)
    add('rooms × 3', 'KB per room', kb, '<= 0.5 × ref', kb.ratio === null ? null : kb.ratio <= 0.5)
  }
  const isColdload = (r: BenchResult): r is ColdloadResult => r.scenario === 'coldload'
  if (results.some(isColdload)) {
    const cold = compare(results, isColdload, (r) => r.coldMs.median)
    add('coldload', 'cold sync ms (median)', cold, '<= 100', cold.ours === null ? null : cold.ours <= 100)
  }
  const burst300 = (r: BenchResult): r is BurstResult => r.scenario === 'burst' && r.clients === 300
  if (results.some(burst300)) {
    const storm = compare(results, burst300, (r) => r.stormMs)
    add('burst 300', 'storm ms', storm, '<= 0.5 × ref', storm.ratio === null ? null : storm.ratio <= 0.5)
  }
  const isIngest = (r: BenchResult): r is IngestResult => r.scenario === 'ingest'
  if (results.some(isIngest)) {
    const rate = compare(results, isIngest, (r) => r.updatesPerSecond)
    add('ingest', 'updates/s', rate, '>= ref', rate.ratio === null ? null : rate.ratio >= 1)
  }
  // Issue 21 item 5 (summitpad only: the reference has no archive): each figure on each store.
  for (const store of ['sqlite', 'postgres'] as const) {
    const isArchive = (r: BenchResult): r is ArchiveResult => r.scenario === 'archive' && r.store === store
    if (!results.some(isArchive)) continue
    const row = (figure: string, value: (r: ArchiveResult) => number | null, limit: number, target: string) => {
      const cell = compare(results, isArchive, value)
      add(`archive ${store}`, figure, cell, target, cell.ours === null ? null : cell.ours <= limit)
    }
    row('search 1 word p95 ms', (r) => r.searchOneMs.p95, 50, '<= 50')
    row('search 2 words p95 ms', (r) => r.searchTwoMs.p95, 50, '<= 50')
    row('index p95 ms', (r) => r.indexMs.p95, 100, '<= 100')
    row('actions p95 ms', (r) => r.actionsMs.p95, 200, '<= 200')
    row('zip RSS growth MiB', (r) => r.zip.rssGrowthMiB, 64, '<= 64')
  }
  return rows.length > 1 ? `targets (issue 8):\n${table(rows)}` : null
}
