/**
 * The human-readable summary printed after all runs: one table per scenario, built from the
 * same result objects that were printed as JSON lines.
 */
import type { ArchiveResult } from './scenarios/archive.ts'
import type { BurstResult, IngestResult, RoomsResult } from './scenarios/capacity.ts'
import type { ColdloadResult } from './scenarios/coldload.ts'
import type { DecoderResult } from './scenarios/decoder.ts'
import type { FanoutResult } from './scenarios/fanout.ts'
import type { IdleResult } from './scenarios/idle.ts'
import type { SummitResult } from './scenarios/summit.ts'

/** The round a result ran in (see `--repeats`). */
type Rounded = { round?: number }

/** Any scenario's result, with the round it ran in. */
export type BenchResult = (FanoutResult | ColdloadResult | RoomsResult | BurstResult | IngestResult | DecoderResult | IdleResult | SummitResult | ArchiveResult) & Rounded

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
    parts.push('', 'rooms: sessions × clients joining over the join time, connect = socket → synced (ms); RSS growth per room over the idle server; then one writer per room typing, latency = typed → read at the room\'s other clients (ms), server CPU over the editing window')
    parts.push(
      table([
        ['round', 'server', 'rooms', 'join s', 'connect p50', 'p99', 'failed', 'join CPU ms/conn', 'KB/room', 'KB/room edited', 'upd/s', 'p50', 'p99', 'max', 'delivered', 'srv CPU% (main)', 'CPU ms/upd', 'bench CPU%', 'others CPU%'],
        ...rooms.map((r) => [
          show(r.round),
          r.target,
          `${r.rooms}×${r.clientsPerRoom}`,
          show(r.joinSeconds),
          show(r.connectMs?.p50),
          show(r.connectMs?.p99),
          show(r.connectFailures),
          show(r.joinCpuMsPerConnection),
          show(r.kbPerRoom),
          show(r.kbPerRoomAfterEdit),
          `${show(r.achievedRate)} of ${r.rooms * r.ratePerRoom}`,
          show(r.latencyMs?.p50),
          show(r.latencyMs?.p99),
          show(r.latencyMs?.max),
          r.delivery ? `${r.delivery.complete}/${r.delivery.receivers}` : '-',
          r.server ? `${show(r.server.cpuPercent)} (${show(r.server.mainThreadCpuPercent)})` : '-',
          show(r.server?.cpuMsPerUpdate),
          show(r.benchCpuPercent),
          show(r.machine?.otherCpuPercent),
        ]),
      ]),
    )
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
  const idle = results.filter((r): r is IdleResult & Rounded => r.scenario === 'idle')
  if (idle.length > 0) {
    parts.push('', 'idle: server VmRSS settled after start (idle), RSS growth per loaded room (its first connection), per further idle synced connection')
    parts.push(table([['round', 'server', 'conns / rooms', 'idle MiB', 'rooms MiB', 'loaded MiB', 'KB/room', 'KB/conn', 'settle s'], ...idle.map((r) => [show(r.round), r.target, `${r.connections} / ${r.rooms}`, show(r.idleMiB), show(r.roomsMiB), show(r.loadedMiB), show(r.kbPerRoom), show(r.kbPerConnection), show(r.settleSeconds)])]))
  }
  const summit = results.filter((r): r is SummitResult & Rounded => r.scenario === 'summit')
  if (summit.length > 0) {
    parts.push('', 'summit: rooms × tabs (+1 projector each) joining within J s, then W writers per room at K keystrokes/s; the reference runs the pad sockets only')
    parts.push(
      table([
        ['round', 'server', 'rooms×tabs', 'sockets', 'join s', 'join p50', 'join p99', 'ctl/chat p99', 'edits', 'edit p50', 'edit p99', 'edit max', 'delivered', 'board p99', 'srv CPU% (main)', 'join CPU%', 'srv peak RSS MiB', 'bench CPU% (thread)', 'others CPU% (join)', 'failed tabs'],
        ...summit.map((r) => [
          show(r.round),
          r.target,
          `${r.rooms}×${r.clientsPerRoom}`,
          String(r.sockets.total),
          show(r.joinSeconds),
          show(r.joinMs.p50),
          show(r.joinMs.p99),
          `${show(r.joinControlMs.p99)}/${show(r.joinChatMs.p99)}`,
          `${r.sent}`,
          show(r.latencyMs.p50),
          show(r.latencyMs.p99),
          show(r.latencyMs.max),
          `${r.delivery.completeProbes}/${r.delivery.probes}p`,
          show(r.boardPollMs.p99),
          `${show(r.server.cpuPercent)} (${show(r.server.mainThreadCpuPercent)})`,
          show(r.server.joinCpuPercent),
          show(r.server.peakRssMiB),
          `${show(r.benchCpuPercent)} (${show(r.benchBusiestThreadPercent)})`,
          `${show(r.machine.otherCpuPercent)} (${show(r.joinMachine.otherCpuPercent)})`,
          String(r.failedTabs),
        ]),
      ]),
    )
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
    parts.push('decoder: one hostile message in the sync core (ms): receive to idle (all its turns), and the longest turn of the event loop it took, against the 50 ms budget')
    parts.push(
      table([
        ['inputs', 'seed', 'msg p50', 'msg p99', 'msg max', 'slowest kind', 'turn p99', 'turn max', 'longest-turn kind', 'budget', 'turn max / budget', 'met', 'cpu pressure%'],
        ...decoder.map((r) => [String(r.inputs), String(r.seed), show(r.messageMs.p50), show(r.messageMs.p99), show(r.messageMs.max), r.slowestKind, show(r.turnMs.p99), show(r.turnMs.max), r.longestTurnKind, String(r.budgetMs), String(r.ratioToBudget), r.ratioToBudget <= 1 ? 'yes' : 'NO', show(r.machine.cpuPressurePercent)]),
      ]),
    )
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
function compare<T extends BenchResult>(results: BenchResult[], pick: (r: BenchResult) => r is T, value: (r: T) => number | null | undefined, against = 'reference'): Comparison {
  const picked = results.filter(pick)
  const figure = (target: string, round: number | undefined) => {
    const found = picked.find((r) => r.target === target && r.round === round)
    const v = found ? value(found) : null
    return v === null || v === undefined ? null : v
  }
  const rounds = [...new Set(picked.map((r) => r.round))]
  const oursAll = rounds.map((round) => figure('summitpad', round)).filter((v): v is number => v !== null)
  const referenceAll = rounds.map((round) => figure(against, round)).filter((v): v is number => v !== null)
  const ratios: number[] = []
  for (const round of rounds) {
    const ours = figure('summitpad', round)
    const reference = figure(against, round)
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
  if (results.some(fan(250))) {
    const p50 = compare(results, fan(250), (r) => r.latencyMs.p50)
    const p99 = compare(results, fan(250), (r) => r.latencyMs.p99)
    add('fanout 250 W=10 R=200', 'p50 ms', p50, '<= 2', p50.ours === null ? null : p50.ours <= 2)
    add('fanout 250 W=10 R=200', 'p99 ms', p99, '<= 10', p99.ours === null ? null : p99.ours <= 10)
  }
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
    // Issue 21, item 3: many small rooms cost no more than the reference, durability included.
    const cpu = compare(results, isRooms, (r) => r.server?.cpuPercent)
    add('rooms × 3 editing', 'server CPU %', cpu, '<= 1.0 × ref', cpu.ratio === null ? null : cpu.ratio <= 1)
    if (results.some((r) => isRooms(r) && r.target === 'hocuspocus')) {
      const hocus = compare(results, isRooms, (r) => r.server?.cpuPercent, 'hocuspocus')
      add('rooms × 3 editing', 'server CPU % (vs hocuspocus)', hocus, '<= 0.5 × hocuspocus', hocus.ratio === null ? null : hocus.ratio <= 0.5)
    }
    // The same per update typed: on a busy machine the bench may type fewer than the rate asks.
    const perUpdate = compare(results, isRooms, (r) => r.server?.cpuMsPerUpdate)
    add('rooms × 3 editing', 'server CPU ms per update', perUpdate, '<= 1.0 × ref', perUpdate.ratio === null ? null : perUpdate.ratio <= 1)
    if (results.some((r) => isRooms(r) && r.target === 'hocuspocus')) {
      const hocus = compare(results, isRooms, (r) => r.server?.cpuMsPerUpdate, 'hocuspocus')
      add('rooms × 3 editing', 'CPU ms per update (vs hocuspocus)', hocus, '<= 0.5 × hocuspocus', hocus.ratio === null ? null : hocus.ratio <= 0.5)
    }
    const joinCpu = compare(results, isRooms, (r) => r.joinCpuMsPerConnection)
    add('rooms × 3', 'join CPU ms per connection', joinCpu, '(information)', null)
    const p50 = compare(results, isRooms, (r) => r.latencyMs?.p50)
    add('rooms × 3 editing', 'latency p50 ms', p50, '<= 1.5', p50.ours === null ? null : p50.ours <= 1.5)
    const delivered = compare(results, isRooms, (r) => (r.delivery && r.delivery.receivers > 0 ? (100 * r.delivery.complete) / r.delivery.receivers : null))
    add('rooms × 3 editing', 'delivered %', delivered, '100 (every round)', delivered.oursAll.length === 0 ? null : delivered.oursAll.every((v) => v === 100))
    const connect = compare(results, isRooms, (r) => r.connectMs?.p99)
    add('rooms × 3', 'connect p99 ms', connect, '<= 1.2 × ref', connect.ratio === null ? null : connect.ratio <= 1.2)
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
  // Issue 21, item 4: a lean process (idle RSS, and RSS per idle connection, over few and many rooms).
  const idleRuns = results.filter((r): r is IdleResult => r.scenario === 'idle')
  if (idleRuns.length > 0) {
    const fewest = Math.min(...idleRuns.map((r) => r.rooms))
    const idleMiB = compare(results, (r): r is IdleResult => r.scenario === 'idle' && r.rooms === fewest, (r) => r.idleMiB)
    add('idle', 'idle RSS MiB', idleMiB, '<= 70', idleMiB.ours === null ? null : idleMiB.ours <= 70)
    for (const rooms of [...new Set(idleRuns.map((r) => r.rooms))].sort((a, b) => a - b)) {
      const kb = compare(results, (r): r is IdleResult => r.scenario === 'idle' && r.rooms === rooms, (r) => r.kbPerConnection)
      add(`idle ${idleRuns.find((r) => r.rooms === rooms)!.connections} conns / ${rooms} rooms`, 'KB per idle conn', kb, '<= 25', kb.ours === null ? null : kb.ours <= 25)
    }
  }
  const isSummit = (r: BenchResult): r is SummitResult => r.scenario === 'summit'
  if (results.some(isSummit)) {
    // The reference serves the pad sockets alone (no control or chat docs, no board): its figures are for that traffic.
    const name = 'summit (ref: pad only)'
    const editP99 = compare(results, isSummit, (r) => r.latencyMs.p99)
    const editP50 = compare(results, isSummit, (r) => r.latencyMs.p50)
    const joinP99 = compare(results, isSummit, (r) => r.joinMs.p99)
    const cpu = compare(results, isSummit, (r) => r.server.cpuPercent)
    const rss = compare(results, isSummit, (r) => r.server.peakRssMiB)
    const board = compare(results, isSummit, (r) => r.boardPollMs.p99)
    const delivered = compare(results, isSummit, (r) => (r.delivery.probes > 0 ? (100 * r.delivery.completeProbes) / r.delivery.probes : null))
    add(name, 'edit p50 ms', editP50, '-', null)
    add(name, 'edit p99 ms', editP99, '<= 30', editP99.ours === null ? null : editP99.ours <= 30)
    const failed = compare(results, isSummit, (r) => r.failedTabs)
    add(name, 'join p99 ms', joinP99, '<= 500', joinP99.ours === null ? null : joinP99.ours <= 500 && failed.oursAll.every((v) => v === 0))
    add(name, 'failed joins (tabs)', failed, '0 (every round)', failed.oursAll.length === 0 ? null : failed.oursAll.every((v) => v === 0))
    add(name, 'server CPU % (editing)', cpu, '<= 25', cpu.ours === null ? null : cpu.ours <= 25)
    add(name, 'server peak RSS MiB', rss, '<= 300', rss.ours === null ? null : rss.ours <= 300)
    add(name, 'board poll p99 ms', board, '-', null)
    add(name, 'probes complete %', delivered, '100 (every round)', delivered.oursAll.length === 0 ? null : delivered.oursAll.every((v) => v === 100))
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
  return rows.length > 1 ? `targets (issues 8 and 21):\n${table(rows)}` : null
}
