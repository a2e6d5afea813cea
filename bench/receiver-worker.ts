/**
 * Worker thread hosting a share of the fanout benchmark's RawReceivers, so that reading their
 * frames does not compete with the load generator in the main thread.
 */
import type { ReceiverCounts } from './receiver.ts'
import { RawReceiver } from './receiver.ts'
import { serveRpc } from './worker-rpc.ts'

/** The methods a receiver worker serves (see RpcWorker). */
export type ReceiverWorkerApi = {
  /** Opens `count` receivers on `url`, `concurrency` at a time; resolves once all are synced. */
  connect(params: { url: string; count: number; concurrency: number; timeoutMs: number }): Promise<{ connected: number }>
  /** The counts of every receiver, in connection order. */
  stats(params: void): ReceiverCounts[]
  /** How many receivers got every update up to `expected` ([client, clock] pairs). */
  coverage(params: { expected: [number, number][] }): { complete: number; total: number }
  /** Closes every receiver. */
  close(params: void): void
}

const receivers: RawReceiver[] = []

const api: ReceiverWorkerApi = {
  async connect({ url, count, concurrency, timeoutMs }) {
    let next = 0
    const lane = async () => {
      while (next < count) {
        next++
        receivers.push(await RawReceiver.connect(url, timeoutMs))
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane))
    return { connected: receivers.length }
  },
  stats() {
    return receivers.map((receiver) => ({ ...receiver.counts }))
  },
  coverage({ expected }) {
    const clocks = new Map(expected)
    return { complete: receivers.filter((receiver) => receiver.coverage(clocks)).length, total: receivers.length }
  },
  close() {
    for (const receiver of receivers) receiver.close()
    receivers.length = 0
  },
}

serveRpc(api)
