/**
 * Worker thread hosting the fanout benchmark's Probes, so that their timestamps are taken on a
 * thread that is not busy generating load.
 */
import type { ProbeCounts } from './probe.ts'
import { Probe } from './probe.ts'
import { serveRpc } from './worker-rpc.ts'

/** The methods a probe worker serves (see RpcWorker). */
export type ProbeWorkerApi = {
  /** Connects `count` probes to `url` and waits until all are synced. */
  connect(params: { url: string; count: number; timeoutMs: number }): Promise<{ connected: number }>
  /** The counters of every probe. */
  stats(params: void): ProbeCounts[]
  /** Every latency sample of every probe (ms), with the time each marker was typed (µs). */
  latencies(params: void): { latenciesMs: Float64Array; sentMicros: Float64Array }
  /** Closes every probe. */
  close(params: void): void
}

const probes: Probe[] = []

const api: ProbeWorkerApi = {
  async connect({ url, count, timeoutMs }) {
    for (let i = 0; i < count; i++) probes.push(await Probe.connect(url, timeoutMs))
    return { connected: probes.length }
  },
  stats() {
    return probes.map((probe) => probe.counts())
  },
  latencies() {
    return {
      latenciesMs: Float64Array.from(probes.flatMap((probe) => probe.latenciesMs)),
      sentMicros: Float64Array.from(probes.flatMap((probe) => probe.sentMicros)),
    }
  },
  close() {
    for (const probe of probes) probe.close()
    probes.length = 0
  },
}

serveRpc(api)
