/**
 * Coldload: how long a client waits for a pad with a long editing history after a server
 * restart. A builder client writes a seeded editing trace (trace.ts, >= 100,000 operations by
 * default) through the server, batched into update frames and paced by the server's acks, so the
 * history is stored exactly as clients' edits are. Then, `loads` times: stop the server
 * (SIGTERM: flush and compact), start it on the same data directory, and time a fresh client from
 * connect until the server's sync step 2 has been applied; a second client right after times the
 * same sync from the now-loaded room (warm), which separates loading from the store from the rest.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import * as Y from 'yjs'
import { isCoveredBy } from '../../shared/protocol.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { nowMs, pollUntil } from '../clock.ts'
import { progress } from '../log.ts'
import { MachineMeter, readCpuSeconds, readMemory, machineFigures } from '../proc.ts'
import type { LoaderWorkerApi } from '../loader-worker.ts'
import { createSession, startBenchServer, type BenchServer } from '../server-process.ts'
import { RpcWorker } from '../worker-rpc.ts'
import { median, round } from '../stats.ts'
import { EditingTrace, type TraceCounts } from '../trace.ts'
import { YClient, type SyncTimes } from '../y-client.ts'

/** Parameters of the coldload scenario. */
export interface ColdloadOptions {
  /** Operations in the editing trace. */
  ops: number
  /** Operations merged into one update frame while building. */
  batch: number
  /** Cold loads, each after its own restart. */
  loads: number
  seed: number
  /** Extra environment for the server. */
  serverEnv: Record<string, string>
}

/** One cold (and warm) load. */
export interface LoadTiming {
  /** Connect → sync step 2 applied, in ms. */
  totalMs: number
  /** Connect → socket open (HTTP upgrade, session lookup). */
  openMs: number
  /** Open → step 2 received (room load from the store, encoding, transfer). */
  step2Ms: number
  /** Step 2 received → applied to the client's doc. */
  applyMs: number
}

/** The result of the coldload scenario (one JSON line). */
export interface ColdloadResult {
  scenario: 'coldload'
  /** summitpad only: the in-memory reference keeps nothing across a restart. */
  target: 'summitpad'
  serverEnv: Record<string, string>
  seed: number
  trace: TraceCounts
  build: { frames: number; batch: number; ms: number | null }
  /** Size of the encoded doc as a client receives it (step 2 payload). */
  docBytes: number
  /** The SQLite files after a graceful stop, and the pad's stored rows. */
  storage: { dbBytes: number; walBytes: number; rows: number | null; storedBytes: number | null }
  /** Every cold load, in order. */
  cold: LoadTiming[]
  coldMs: { median: number | null; min: number | null; max: number | null }
  warmMs: { median: number | null; min: number | null; max: number | null }
  /** Server start (spawn → /healthz answers), median ms. */
  serverStartMs: number | null
  /** Server RSS right after the cold load, median MiB. */
  serverRssAfterLoadMiB: number | null
  /** Every load produced exactly the built content. */
  contentVerified: boolean
  /**
   * The machine over the restart-and-load phase: CPU busy, the part used neither by the server
   * nor by the bench (other processes, plus the servers’ few ms of shutdown), and CPU pressure. Loads are
   * short, so contention shows up directly in the timings.
   */
  machineDuringLoads: { busyPercent: number | null; otherCpuPercent: number | null; cpuPressurePercent: number | null }
}

const syncTimeoutMs = 120_000
/** Update frames the builder may have sent ahead of the server's acks. */
const window = 16

/** Runs the coldload scenario. */
export async function runColdload(options: ColdloadOptions, onResult: (result: ColdloadResult) => void): Promise<void> {
  progress(`coldload: building a pad from ${options.ops} operations (seed ${options.seed}, ${options.batch} per frame)`)
  // The builder replays a long trace as fast as the server acknowledges it, far above a typing
  // person's message rate, so the per-connection rate limit is lifted for this scenario.
  const server = await startBenchServer({ env: { MAX_MESSAGES_PER_SECOND: '1000000', MESSAGE_BURST: '1000000', ...options.serverEnv } })
  let loader: RpcWorker<LoaderWorkerApi> | null = null
  try {
    const sessionId = await createSession(server, 'coldload')
    const built = await build(server, sessionId, options)
    progress(`coldload: built in ${Math.round(built.ms)} ms (${built.frames} frames); restarting ${options.loads}×`)
    // The loading client runs in a thread of its own, and loads a few times before the restarts
    // (not measured): what is timed is a cold server, not a bench thread compiling Yjs or
    // collecting the builder's garbage.
    const spawned = (loader = RpcWorker.spawn<LoaderWorkerApi>(new URL('../loader-worker.ts', import.meta.url)))
    for (let i = 0; i < 3; i++) await loadOnce(spawned, `${server.wsUrl}/${sessionId}`, built.content)
    await server.stop()
    const storage = readStorage(server.dataDir, sessionId)

    const cold: LoadTiming[] = []
    const warm: LoadTiming[] = []
    const starts: number[] = []
    const rss: number[] = []
    let docBytes = 0
    let contentVerified = true
    let serverCpuSeconds = 0
    const benchCpuStart = process.cpuUsage()
    const machine = new MachineMeter()
    machine.begin()
    const loadsStarted = nowMs()
    for (let i = 0; i < options.loads; i++) {
      await server.start()
      starts.push(server.startupMs)
      const coldLoad = await loadOnce(spawned, `${server.wsUrl}/${sessionId}`, built.content)
      rss.push(readMemory(server.pid).rssBytes)
      const warmLoad = await loadOnce(spawned, `${server.wsUrl}/${sessionId}`, built.content)
      cold.push(coldLoad.timing)
      warm.push(warmLoad.timing)
      docBytes = coldLoad.docBytes
      contentVerified &&= coldLoad.verified && warmLoad.verified
      serverCpuSeconds += readCpuSeconds(server.pid)
      await server.stop()
      progress(`coldload: load ${i + 1}/${options.loads}: cold ${coldLoad.timing.totalMs.toFixed(1)} ms, warm ${warmLoad.timing.totalMs.toFixed(1)} ms`)
    }

    const machineReading = machine.end()
    const loadsSeconds = (nowMs() - loadsStarted) / 1000
    const benchCpu = process.cpuUsage(benchCpuStart)
    const ownPercent = (100 * (serverCpuSeconds + (benchCpu.user + benchCpu.system) / 1e6)) / loadsSeconds
    const spread = (values: number[]) => ({
      median: round(median(values), 1),
      min: round(Math.min(...values), 1),
      max: round(Math.max(...values), 1),
    })
    onResult({
      scenario: 'coldload',
      target: 'summitpad',
      serverEnv: options.serverEnv,
      seed: options.seed,
      trace: built.counts,
      build: { frames: built.frames, batch: options.batch, ms: round(built.ms, 0) },
      docBytes,
      storage,
      cold: cold.map(roundTiming),
      coldMs: spread(cold.map((t) => t.totalMs)),
      warmMs: spread(warm.map((t) => t.totalMs)),
      serverStartMs: round(median(starts), 0),
      serverRssAfterLoadMiB: round(median(rss) / (1024 * 1024), 1),
      contentVerified,
      machineDuringLoads: machineFigures(machineReading, ownPercent),
    })
  } finally {
    await loader?.terminate()
    await server.dispose()
  }
}

interface Built {
  counts: TraceCounts
  frames: number
  ms: number
  /** The pad as the builder ends up with it (XML string of the fragment). */
  content: string
}

/** Writes the trace through a real client, batched, and waits until the server stored it all. */
async function build(server: BenchServer, sessionId: string, options: ColdloadOptions): Promise<Built> {
  // Write-only after the initial sync, so every doc update below is one of the trace's.
  const client = await YClient.connect({ url: `${server.wsUrl}/${sessionId}`, ack: true, autoSend: false, applyRemote: 'untilSynced' })
  try {
    await client.waitSynced(syncTimeoutMs)
    const started = nowMs()
    const trace = new EditingTrace(client.ydoc, { seed: options.seed })
    let pending: Uint8Array[] = []
    client.ydoc.on('update', (update: Uint8Array) => pending.push(update))
    // The builder's state after each frame not yet acknowledged (an ack carries the server's state
    // vector and may cover several frames).
    const unacked: Map<number, number>[] = []
    const inFlight = () => {
      while (unacked.length > 0 && isCoveredBy(unacked[0]!, client.acked)) unacked.shift()
      return unacked.length
    }
    const flush = async () => {
      if (pending.length === 0) return
      client.sendUpdate(pending.length === 1 ? pending[0]! : Y.mergeUpdates(pending))
      pending = []
      unacked.push(Y.decodeStateVector(Y.encodeStateVector(client.ydoc)))
      // Pace by acks so the server's per-connection queue stays bounded.
      const paced = await pollUntil(() => inFlight() < window, syncTimeoutMs, 1)
      if (!paced) throw new Error('the server stopped acknowledging the builder’s updates')
    }
    for (let op = 0; op < options.ops; op++) {
      trace.step()
      if (pending.length >= options.batch) await flush()
    }
    await flush()
    const local = Y.decodeStateVector(Y.encodeStateVector(client.ydoc))
    const stored = await pollUntil(() => isCoveredBy(local, client.acked), syncTimeoutMs, 5)
    if (!stored) throw new Error('the server did not acknowledge the whole trace')
    return {
      counts: { ...trace.counts },
      frames: client.sentFrames,
      ms: nowMs() - started,
      content: client.ydoc.getXmlFragment(padFragmentName).toString(),
    }
  } finally {
    client.close()
  }
}

/** Has the loader connect a fresh client, wait until synced, and check it holds `expected`. */
async function loadOnce(loader: RpcWorker<LoaderWorkerApi>, url: string, expected: string): Promise<{ timing: LoadTiming; docBytes: number; verified: boolean }> {
  const { times, docBytes, verified } = await loader.call('load', { url, expected, timeoutMs: syncTimeoutMs }, syncTimeoutMs + 5000)
  if (!verified) progress('coldload: the loaded pad differs from the one built!')
  return { timing: timing(times), docBytes, verified }
}

function timing(times: SyncTimes): LoadTiming {
  return {
    totalMs: times.step2Applied - times.started,
    openMs: times.opened - times.started,
    step2Ms: times.step2Received - times.opened,
    applyMs: times.step2Applied - times.step2Received,
  }
}

function roundTiming(t: LoadTiming): LoadTiming {
  return {
    totalMs: round(t.totalMs, 1) ?? Number.NaN,
    openMs: round(t.openMs, 1) ?? Number.NaN,
    step2Ms: round(t.step2Ms, 1) ?? Number.NaN,
    applyMs: round(t.applyMs, 1) ?? Number.NaN,
  }
}

/** File sizes of the stopped server's database, and the pad's rows (read-only). */
function readStorage(dataDir: string, docName: string): ColdloadResult['storage'] {
  const file = path.join(dataDir, 'summitpad.db')
  const size = (name: string) => (fs.existsSync(name) ? fs.statSync(name).size : 0)
  const storage: ColdloadResult['storage'] = { dbBytes: size(file), walBytes: size(`${file}-wal`), rows: null, storedBytes: null }
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      const row = db
        .prepare('SELECT count(*) AS rows, coalesce(sum(length(data)), 0) AS bytes FROM doc_updates WHERE doc_name = ?')
        .get(docName) as { rows: number; bytes: number }
      storage.rows = row.rows
      storage.storedBytes = row.bytes
    } finally {
      db.close()
    }
  } catch (error) {
    progress(`coldload: could not read the database: ${String(error)}`)
  }
  return storage
}
