/**
 * Fanout: one room, W writers typing at a fixed total rate R for T seconds, N lightweight
 * receivers (in worker threads) counting what arrives, and P probes (in their own worker)
 * timing edit-to-delivery latency. One run per receiver count, each on a fresh server process.
 *
 * Measured per run: latency percentiles at the probes; delivery completeness (every receiver got
 * every writer's updates, judged by content since a server may merge updates into fewer frames;
 * every probe saw every marker once); the server's
 * CPU % over the window from the first write until delivery completed (or the drain timed out)
 * and its peak / current RSS; the bench process's own CPU, to tell whether the generator kept up.
 */
import { nowMicros, nowMs, pollUntil } from '../clock.ts'
import { progress } from '../log.ts'
import type { ProbeWorkerApi } from '../probe-worker.ts'
import { CpuMeter, MachineMeter, readMemory, machineFigures } from '../proc.ts'
import type { ReceiverCounts } from '../receiver.ts'
import type { ReceiverWorkerApi } from '../receiver-worker.ts'
import { createSession, startBenchServer, type BenchServer, type BenchTarget } from '../server-process.ts'
import { maxPerBucket, round, roundSummary, summarize } from '../stats.ts'
import { RpcWorker } from '../worker-rpc.ts'
import { Writers } from '../writers.ts'

/** Parameters of the fanout scenario. */
export interface FanoutOptions {
  /** Receiver counts; one run each. */
  clients: number[]
  writers: number
  /** Total updates per second over all writers. */
  rate: number
  seconds: number
  /**
   * Seconds of writing at the same rate before the measured window (not measured), so both
   * servers are measured warm: JIT compilation and first-use allocations are not the figure.
   */
  warmupSeconds: number
  probes: number
  /** Worker threads the receivers are spread over. */
  workers: number
  /** Longest wait for delivery to complete after the last write, in ms. */
  drainTimeoutMs: number
  /** Extra environment for the server (e.g. COMPACT_AFTER_ROWS). */
  serverEnv: Record<string, string>
  /** @default 'summitpad' */
  target?: BenchTarget
}

/** The result of one fanout run (one JSON line). */
export interface FanoutResult {
  scenario: 'fanout'
  target: BenchTarget
  serverEnv: Record<string, string>
  clients: number
  probes: number
  writers: number
  rate: number
  seconds: number
  warmupSeconds: number
  /** Marker updates typed, the achieved rate, and how late the generator was against schedule. */
  sent: number
  achievedRate: number | null
  generatorLagMs: { mean: number | null; max: number | null }
  /** Edit-to-delivery latency at the probes, ms. */
  latencyMs: ReturnType<typeof roundSummary>
  /** The worst latency of the updates typed in each second of the write phase, ms. */
  latencyMaxMsBySecond: (number | null)[]
  delivery: {
    /** Update frames the writers sent (setup paragraphs + markers); a merging server sends fewer. */
    expectedFrames: number
    receivers: number
    /** Receivers that got every writer's every update. */
    completeReceivers: number
    /** completeReceivers + complete probes over receivers + probes, in %. */
    deliveredPercent: number | null
    minFrames: number
    maxFrames: number
    /** Update bytes per receiver: all equal when every receiver got the same frames. */
    minBytes: number
    maxBytes: number
    /** Receivers the server closed during the run. */
    closedReceivers: number
    /** Probes that saw every marker exactly once. */
    completeProbes: number
    /** Time from the last write until delivery was complete (null: it never completed). */
    drainMs: number | null
    /** Update frames the server sent to receivers per second, over the window. */
    framesPerSecond: number | null
  }
  server: {
    /** All threads (event loop, GC helpers, libuv pool); 100 = one core. */
    cpuPercent: number | null
    peakSecondCpuPercent: number | null
    /** The event loop thread alone; near 100 means the server is saturated. */
    mainThreadCpuPercent: number | null
    mainThreadPeakSecondCpuPercent: number | null
    peakRssMiB: number | null
    rssMiB: number | null
    /** Warn/error lines the server logged. */
    warnings: number
  }
  /** CPU of the bench process (all threads) over the window; 100 = one core. */
  benchCpuPercent: number | null
  /** CPU of the bench's main thread (the writers) alone. */
  benchMainThreadCpuPercent: number | null
  /**
   * The whole machine over the window. `otherCpuPercent` is what neither the server nor the bench
   * used (other processes); `cpuPressurePercent` is how often some task waited for a CPU. High
   * values mean the figures above are disturbed by contention.
   */
  machine: { cores: number; busyPercent: number | null; otherCpuPercent: number | null; cpuPressurePercent: number | null }
}

const connectTimeoutMs = 30_000
const mib = (bytes: number) => round(bytes / (1024 * 1024), 1)

/** Runs the fanout scenario once per entry of `options.clients`. */
export async function runFanout(options: FanoutOptions, onResult: (result: FanoutResult) => void): Promise<void> {
  for (const clients of options.clients) {
    onResult(await runOnce(options, clients))
  }
}

async function runOnce(options: FanoutOptions, clients: number): Promise<FanoutResult> {
  const target = options.target ?? 'summitpad'
  progress(`fanout (${target}): ${clients} receivers + ${options.probes} probes, ${options.writers} writers, ${options.rate} updates/s for ${options.seconds} s`)
  const server = await startBenchServer({ env: options.serverEnv, target })
  const receiverWorkers: RpcWorker<ReceiverWorkerApi>[] = []
  let probeWorker: RpcWorker<ProbeWorkerApi> | null = null
  let writers: Writers | null = null
  try {
    const sessionId = await createSession(server, `fanout ${clients}`)
    const url = `${server.wsUrl}/${sessionId}`

    const workerCount = Math.max(1, Math.min(options.workers, clients))
    for (let i = 0; i < workerCount; i++) {
      receiverWorkers.push(RpcWorker.spawn<ReceiverWorkerApi>(new URL('../receiver-worker.ts', import.meta.url)))
    }
    probeWorker = RpcWorker.spawn<ProbeWorkerApi>(new URL('../probe-worker.ts', import.meta.url))
    const shares = receiverWorkers.map((_, i) => Math.floor(clients / workerCount) + (i < clients % workerCount ? 1 : 0))
    await Promise.all(
      receiverWorkers.map((worker, i) =>
        worker.call('connect', { url, count: shares[i]!, concurrency: 20, timeoutMs: connectTimeoutMs }, connectTimeoutMs * 4),
      ),
    )
    await probeWorker.call('connect', { url, count: options.probes, timeoutMs: connectTimeoutMs }, connectTimeoutMs * 2)
    progress(`fanout: ${clients} receivers and ${options.probes} probes synced`)

    writers = await Writers.connect(url, options.writers, connectTimeoutMs)
    // Start the clock only once everyone has the writers' paragraphs.
    const setup = writers.clocks()
    const settled = await pollUntil(async () => (await coverage(receiverWorkers, setup)).complete === clients, 10_000, 50)
    if (!settled) throw new Error('receivers did not get the writers’ setup updates within 10 s')
    let warmupSent = 0
    if (options.warmupSeconds > 0) {
      warmupSent = (await writers.run(options.rate, options.warmupSeconds)).sent
      const warm = writers.clocks()
      const warmed =
        (await pollUntil(async () => (await probeWorker!.call('stats', undefined)).every((probe) => probe.markers >= warmupSent), options.drainTimeoutMs, 25)) &&
        (await pollUntil(async () => (await coverage(receiverWorkers, warm)).complete === clients, options.drainTimeoutMs, 25))
      // A saturated server (the reference, on a busy 2-core machine) is measured all the same:
      // its figures say so, and the other runs go on.
      if (!warmed) progress('fanout: the warm-up writes were not delivered within the drain timeout; measuring anyway')
    }
    const framesBefore = (await receiverStats(receiverWorkers)).map((r) => r.updateFrames)
    const framesSentBefore = writers.sentFrames

    const cpu = new CpuMeter(server.pid)
    const benchCpu = new CpuMeter(process.pid)
    const machine = new MachineMeter()
    cpu.start()
    benchCpu.start()
    machine.begin()
    const windowStart = nowMs()
    const writeStartMicros = nowMicros()
    const run = await writers.run(options.rate, options.seconds)
    const lastWrite = nowMs()
    const expectedFrames = writers.sentFrames - framesSentBefore
    const expected = writers.clocks()

    // The probes say when the last edit arrived; the receivers' content is checked after them
    // (reading what they kept), so the checking does not load the machine while edits fly.
    const worker = probeWorker
    const probesDone = await pollUntil(async () => (await worker.call('stats', undefined)).every((probe) => probe.markers >= warmupSent + run.sent), options.drainTimeoutMs, 25)
    const complete =
      probesDone && (await pollUntil(async () => (await coverage(receiverWorkers, expected)).complete === clients, options.drainTimeoutMs, 25))
    const windowEnd = nowMs()
    server.assertAlive()
    const drainMs = complete ? windowEnd - lastWrite : null
    const serverCpu = cpu.stop()
    const benchCpuReading = benchCpu.stop()
    const machineReading = machine.end()
    const memory = readMemory(server.pid)

    const receivers = await receiverStats(receiverWorkers)
    const probes = await probeWorker.call('stats', undefined)
    // Only the markers typed in the measured window count.
    const all = await probeWorker.call('latencies', undefined)
    const measured = all.sentMicros.map((sent) => (sent >= writeStartMicros ? 1 : 0))
    const latenciesMs = all.latenciesMs.filter((_, i) => measured[i] === 1)
    const sentMicros = all.sentMicros.filter((_, i) => measured[i] === 1)
    const frames = receivers.map((r, i) => r.updateFrames - framesBefore[i]!)
    const bytes = receivers.map((r) => r.updateBytes)
    const covered = (await coverage(receiverWorkers, expected)).complete
    const completeProbes = probes.filter((p) => p.markers === warmupSent + run.sent && p.duplicates === 0).length
    const windowSeconds = (windowEnd - windowStart) / 1000
    if (!complete) progress(`fanout: delivery incomplete after the ${options.drainTimeoutMs} ms drain timeout`)

    return {
      scenario: 'fanout',
      target,
      serverEnv: target === 'summitpad' ? options.serverEnv : {},
      clients,
      probes: options.probes,
      writers: options.writers,
      rate: options.rate,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      sent: run.sent,
      achievedRate: round(run.sent / (run.durationMs / 1000), 1),
      generatorLagMs: { mean: round(run.meanLagMs), max: round(run.maxLagMs) },
      latencyMs: roundSummary(summarize(latenciesMs)),
      latencyMaxMsBySecond: maxPerBucket(sentMicros, latenciesMs, writeStartMicros, 1e6, options.seconds).map((v) =>
        v === null ? null : round(v, 1),
      ),
      delivery: {
        expectedFrames,
        receivers: receivers.length,
        completeReceivers: covered,
        deliveredPercent: round((100 * (covered + completeProbes)) / (clients + options.probes), 2),
        minFrames: Math.min(...frames),
        maxFrames: Math.max(...frames),
        minBytes: Math.min(...bytes),
        maxBytes: Math.max(...bytes),
        closedReceivers: receivers.filter((r) => r.closeCode !== 0).length,
        completeProbes,
        drainMs: drainMs === null ? null : round(drainMs, 0),
        framesPerSecond: round(frames.reduce((a, b) => a + b, 0) / windowSeconds, 0),
      },
      server: {
        cpuPercent: round(serverCpu.cpuPercent, 1),
        peakSecondCpuPercent: round(serverCpu.peakSecondPercent, 1),
        mainThreadCpuPercent: round(serverCpu.mainThreadPercent, 1),
        mainThreadPeakSecondCpuPercent: round(serverCpu.mainThreadPeakSecondPercent, 1),
        peakRssMiB: mib(memory.peakRssBytes),
        rssMiB: mib(memory.rssBytes),
        warnings: server.logs.length,
      },
      benchCpuPercent: round(benchCpuReading.cpuPercent, 1),
      benchMainThreadCpuPercent: round(benchCpuReading.mainThreadPercent, 1),
      machine: { cores: machineReading.cores, ...machineFigures(machineReading, serverCpu.cpuPercent + benchCpuReading.cpuPercent) },
    }
  } finally {
    writers?.close()
    const closing: Promise<unknown>[] = receiverWorkers.map((w) => w.call('close', undefined, 5000))
    if (probeWorker) closing.push(probeWorker.call('close', undefined, 5000))
    await Promise.allSettled(closing)
    await Promise.allSettled([...receiverWorkers, ...(probeWorker ? [probeWorker] : [])].map((w) => w.terminate()))
    await stopQuietly(server)
  }
}

async function receiverStats(workers: RpcWorker<ReceiverWorkerApi>[]): Promise<ReceiverCounts[]> {
  const perWorker = await Promise.all(workers.map((worker) => worker.call('stats', undefined)))
  return perWorker.flat()
}

async function coverage(workers: RpcWorker<ReceiverWorkerApi>[], expected: [number, number][]): Promise<{ complete: number }> {
  const perWorker = await Promise.all(workers.map((worker) => worker.call('coverage', { expected })))
  return { complete: perWorker.reduce((sum, share) => sum + share.complete, 0) }
}

async function stopQuietly(server: BenchServer): Promise<void> {
  try {
    await server.dispose()
  } catch (error) {
    progress(`could not stop the server: ${String(error)}`)
  }
}
