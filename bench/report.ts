/**
 * The human-readable summary printed after all runs: one table per scenario, built from the
 * same result objects that were printed as JSON lines.
 */
import type { ColdloadResult } from './scenarios/coldload.ts'
import type { FanoutResult } from './scenarios/fanout.ts'

/** Any scenario's result. */
export type BenchResult = FanoutResult | ColdloadResult

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
  const fanout = results.filter((r): r is FanoutResult => r.scenario === 'fanout')
  if (fanout.length > 0) {
    parts.push('fanout: latency = edit typed by a writer → applied at a probe (ms); delivered = receivers + probes that got every update')
    parts.push(
      table([
        ['clients', 'writers', 'updates', 'p50', 'p95', 'p99', 'max', 'delivered', 'srv CPU% (main)', 'srv peak 1s%', 'srv peak RSS MiB', 'bench CPU%', 'others CPU%', 'gen lag max'],
        ...fanout.map((r) => [
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
  return parts.join('\n')
}
