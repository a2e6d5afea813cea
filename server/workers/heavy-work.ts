/**
 * The heavy work of the server and its limits, one WorkerPool per kind (issue 15, part 2: no
 * request may keep the event loop for more than 50 ms). Callers await these functions; the
 * pools start on first use and `closeHeavyWork` (from `server.ts`'s close) ends them.
 *
 * | kind | concurrency | waiting | timeout | heap |
 * | --- | --- | --- | --- | --- |
 * | schedule parsing | 1 | 4 | 30 s | 256 MiB |
 * | agenda import | 2 | 8 | 20 s | 256 MiB |
 * | Etherpad import | 1 | 4 | 30 s | 512 MiB |
 * | exports | 2 | 16 | 30 s | 512 MiB |
 * | archiving (an ended session's snapshot) | 1 | 256 | 60 s | 512 MiB |
 * | archive zip entries | 1 | 64 | 30 s per entry | 512 MiB |
 * | archive search (SQLite) | 2 | 16 | 10 s | 256 MiB |
 * | summit reports (`/api/me/report`) | 1 | 16 | 10 s | 256 MiB |
 *
 * Over the waiting bound a request is refused with 503 `server_busy` (Retry-After), a job past
 * its timeout with 503 `work_timeout`, a job past its heap with 422 `too_complex`.
 */
import type { ExportFormat } from '../../shared/api.ts'
import type { ParsedSchedule, ScheduleFormat } from '../../shared/schedule/schedule.ts'
import type { RenderedExport } from '../archive/exports.ts'
import type { AgendaJob } from './agenda-worker.ts'
import type { EtherpadJob } from './etherpad-worker.ts'
import type { EtherpadSeeds } from '../sessions/etherpad-seed.ts'
import type { ExportJob, PadSnapshot, PadSource } from './export-worker.ts'
import type { SearchRow } from '../storage/sqlite/archive-search.ts'
import type { ReportJob } from './report-worker.ts'
import type { ScheduleJob } from './schedule-worker.ts'
import type { SearchJob } from './search-worker.ts'
import { WorkerPool, workerFile } from './worker-pool.ts'
import type { ZipEntry, ZipEntryJob } from './zip-entry-worker.ts'

const here = import.meta.url

let pools: {
  schedule: WorkerPool<ScheduleJob, ParsedSchedule & { problemCount: number }>
  agenda: WorkerPool<AgendaJob, Uint8Array>
  etherpad: WorkerPool<EtherpadJob, EtherpadSeeds>
  exports: WorkerPool<ExportJob, RenderedExport | PadSnapshot>
  // Its own pool, so that a flood of export requests never costs an ending session its archive.
  archiving: WorkerPool<ExportJob, RenderedExport | PadSnapshot>
  zip: WorkerPool<ZipEntryJob, ZipEntry>
  search: WorkerPool<SearchJob, SearchRow[]>
  reports: WorkerPool<ReportJob, string>
} | null = null

function work(): NonNullable<typeof pools> {
  pools ??= {
    schedule: new WorkerPool({ kind: 'schedule parsing', file: workerFile('schedule-worker', here), concurrency: 1, maxQueued: 4, timeoutMs: 30_000, maxMemoryMb: 256 }),
    agenda: new WorkerPool({ kind: 'agenda import', file: workerFile('agenda-worker', here), concurrency: 2, maxQueued: 8, timeoutMs: 20_000, maxMemoryMb: 256 }),
    etherpad: new WorkerPool({ kind: 'Etherpad import', file: workerFile('etherpad-worker', here), concurrency: 1, maxQueued: 4, timeoutMs: 30_000, maxMemoryMb: 512 }),
    exports: new WorkerPool({ kind: 'exports', file: workerFile('export-worker', here), concurrency: 2, maxQueued: 16, timeoutMs: 30_000, maxMemoryMb: 512 }),
    archiving: new WorkerPool({ kind: 'archiving', file: workerFile('export-worker', here), concurrency: 1, maxQueued: 256, timeoutMs: 60_000, maxMemoryMb: 512 }),
    zip: new WorkerPool({ kind: 'the archive zip', file: workerFile('zip-entry-worker', here), concurrency: 1, maxQueued: 64, timeoutMs: 30_000, maxMemoryMb: 512, youngGenerationMb: 8 }),
    search: new WorkerPool({ kind: 'archive search', file: workerFile('search-worker', here), concurrency: 2, maxQueued: 16, timeoutMs: 10_000, maxMemoryMb: 256 }),
    reports: new WorkerPool({ kind: 'summit reports', file: workerFile('report-worker', here), concurrency: 1, maxQueued: 16, timeoutMs: 10_000, maxMemoryMb: 256 }),
  }
  return pools
}

/**
 * Parses a schedule file in a worker. Throws `too_complex` past `maxScheduleEntries` sessions,
 * and the pool's errors. `problems` holds at most the first 100; `problemCount` counts all.
 */
export function parseScheduleInWorker(format: ScheduleFormat, content: string, timeZone = 'UTC'): Promise<ParsedSchedule & { problemCount: number }> {
  return work().schedule.run({ format, content, timeZone })
}

/** The first Yjs update of a pad made from a prepared agenda, built in a worker. Throws import errors as AppErrors. */
export function agendaSeedInWorker(content: string, format: AgendaJob['format']): Promise<Uint8Array> {
  return work().agenda.run({ content, format })
}

/**
 * The first updates of a session's pad and chat made from an Etherpad file, built in a worker.
 * Throws import errors as AppErrors (413 too large, 422 too many lines/authors/messages, 400).
 */
export function etherpadSeedsInWorker(file: string, format: EtherpadJob['format']): Promise<EtherpadSeeds> {
  return work().etherpad.run({ file, format })
}

/** One export of a session, rendered in a worker. A `padUpdate` buffer is transferred, not copied. */
export async function renderInWorker(format: ExportFormat, source: PadSource): Promise<RenderedExport> {
  return (await work().exports.run({ job: 'render', format, source }, transferOf(source))) as RenderedExport
}

/** What archiving stores of a pad (JSON, outcomes, plain text), computed in a worker. */
export async function snapshotInWorker(source: PadSource): Promise<PadSnapshot> {
  return (await work().archiving.run({ job: 'snapshot', source }, transferOf(source))) as PadSnapshot
}

/** One archived session's Markdown as a deflated zip entry, made in a worker. */
export function zipEntryInWorker(source: ZipEntryJob): Promise<ZipEntry> {
  return work().zip.run(source)
}

/** The SQLite archive search of `query` over the database `file`, run in a worker on its own read-only connection. */
export function searchInWorker(file: string, query: string, limit: number): Promise<SearchRow[]> {
  return work().search.run({ file, query, limit })
}

/** A person's summit report (issue 20 part 4), rendered in a worker. */
export function reportInWorker(job: ReportJob): Promise<string> {
  return work().reports.run(job)
}

/** Ends every worker; later calls start new ones. Idempotent. */
export async function closeHeavyWork(): Promise<void> {
  const current = pools
  pools = null
  if (current) await Promise.all(Object.values(current).map((pool) => pool.close()))
}

function transferOf(source: PadSource): ArrayBuffer[] {
  const buffer = source.padUpdate?.buffer
  // A view into a larger (pooled) buffer must be copied: transferring would take the rest with it.
  if (!buffer || !(buffer instanceof ArrayBuffer) || source.padUpdate!.byteLength !== buffer.byteLength) return []
  return [buffer]
}

