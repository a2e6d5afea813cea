/**
 * Worker thread of the coldload scenario: the fresh client that connects after each restart and
 * times its sync. It runs in a thread of its own so that its timings (above all applying the
 * half-megabyte step 2) are not disturbed by the bench main thread's heap and work: the trace
 * builder's doc and strings, the server's logs, the machine meter.
 */
import { padFragmentName } from '../shared/schema.ts'
import { serveRpc } from './worker-rpc.ts'
import { YClient, type SyncTimes } from './y-client.ts'

/** The methods the loader serves (see RpcWorker). */
export type LoaderWorkerApi = {
  /** Connects a fresh client to `url`, waits until it is synced, and checks it holds `expected`. */
  load(params: { url: string; expected: string; timeoutMs: number }): Promise<{ times: SyncTimes; docBytes: number; verified: boolean }>
}

const api: LoaderWorkerApi = {
  async load({ url, expected, timeoutMs }) {
    const client = await YClient.connect({ url, autoSend: false, openTimeoutMs: timeoutMs })
    try {
      await client.waitSynced(timeoutMs)
      const verified = client.ydoc.getXmlFragment(padFragmentName).toString() === expected
      return { times: { ...client.times }, docBytes: client.times.step2Bytes, verified }
    } finally {
      client.close()
    }
  },
}

serveRpc(api)
