/**
 * Prometheus metrics (`GET /metrics`): the process defaults (CPU, memory, event-loop lag), open
 * connections and loaded rooms, frames and bytes in and out, refusals by reason, and the store
 * append latency, failed pads, and which way frames reach `ws`. One registry per server, so tests can run several servers in one process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { SyncMetrics } from '../sync/sync-metrics.ts'

/** Which way `ws-socket.ts` handed a frame to `ws`: its fast path (private fields) or `ws.send`. */
export type SendPath = 'fast' | 'fallback'

export interface ServerMetrics {
  registry: Registry
  sync: SyncMetrics
  /** Counts one frame sent through `path` (see server/http/ws-socket.ts). */
  frameSentVia: (path: SendPath) => void
}

export function createMetrics(live: { connections: () => number; rooms: () => number; builtRooms: () => Promise<number> }): ServerMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'summitpad_process_', eventLoopMonitoringPrecision: 20 })
  new Gauge({ name: 'summitpad_connections', help: 'Open WebSocket connections', registers: [registry], collect() { this.set(live.connections()) } })
  new Gauge({ name: 'summitpad_rooms', help: 'Docs loaded in memory', registers: [registry], collect() { this.set(live.rooms()) } })
  new Gauge({
    name: 'summitpad_rooms_built',
    help: 'Loaded docs held as a Y.Doc (someone edited them); the others are held as their stored bytes',
    registers: [registry],
    async collect() {
      this.set(await live.builtRooms())
    },
  })
  // Frames and bytes are counted in plain numbers and handed to prom-client when /metrics is read:
  // a labelled `inc` per frame was a measurable share of a busy server's CPU with a thousand rooms
  // typing (issue 21), ten calls for one update relayed to two clients.
  const counts = { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, fast: 0, fallback: 0 }
  const counted = (name: string, help: string, read: () => number) => {
    let reported = 0
    return new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = read()
        this.inc(now - reported)
        reported = now
      },
    })
  }
  counted('summitpad_frames_in_total', 'WebSocket frames received', () => counts.framesIn)
  counted('summitpad_bytes_in_total', 'Bytes received in WebSocket frames', () => counts.bytesIn)
  counted('summitpad_frames_out_total', 'WebSocket frames sent', () => counts.framesOut)
  counted('summitpad_bytes_out_total', 'Bytes sent in WebSocket frames', () => counts.bytesOut)
  const rejected = new Counter({ name: 'summitpad_rejected_total', help: 'Refused messages and closed connections, by reason', labelNames: ['reason'], registers: [registry] })
  const append = new Histogram({
    name: 'summitpad_store_append_seconds',
    help: 'Time for a client update to become durable in the store',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const padsFailed = new Counter({
    name: 'summitpad_pads_failed_total',
    help: 'Pads that stopped taking writes because an update they stored failed to apply (see /healthz)',
    registers: [registry],
  })
  const reportedVia = { fast: 0, fallback: 0 }
  new Counter({
    name: 'summitpad_ws_frames_sent_total',
    help: 'WebSocket frames handed to ws, by path: fast (written to its socket) or fallback (ws.send)',
    labelNames: ['path'],
    registers: [registry],
    collect() {
      for (const path of ['fast', 'fallback'] as const) {
        this.inc({ path }, counts[path] - reportedVia[path])
        reportedVia[path] = counts[path]
      }
    },
  })
  return {
    registry,
    frameSentVia: (path) => {
      counts[path]++
    },
    sync: {
      frameIn: (bytes) => {
        counts.framesIn++
        counts.bytesIn += bytes
      },
      frameOut: (bytes) => {
        counts.framesOut++
        counts.bytesOut += bytes
      },
      rejected: (reason) => rejected.inc({ reason }),
      appendSeconds: (seconds) => append.observe(seconds),
      padFailed: () => padsFailed.inc(),
    },
  }
}
