/**
 * The worker side of a WorkerPool: `serveJobs(handler)` answers each `{ input }` message with the
 * handler's result, one job at a time. An AppError thrown by the handler travels back with its
 * code, message and details (the pool rethrows it as the same AppError); any other error becomes
 * a bare failure, so no stack or internals reach a response.
 */
import { parentPort, type Transferable } from 'node:worker_threads'
import { AppError, assert } from '../../shared/errors.ts'

/** A worker's answer to one job. */
export type JobReply = { ok: true; value: unknown } | { ok: false; code: string | null; message: string; details?: unknown }

/** What a worker posts once its module has loaded and it takes jobs (the pool's job clock starts then). */
export interface WorkerReady {
  ready: true
}

/** What a handler returns: the value, optionally with buffers to transfer instead of copying. */
export interface JobResult<Out> {
  value: Out
  transfer?: Transferable[]
}

/**
 * Serves jobs in this worker thread: `handler(input)` for each message, its result posted back.
 * Must be called once, at the top level of a worker module.
 */
export function serveJobs<In, Out>(handler: (input: In) => JobResult<Out> | Promise<JobResult<Out>>): void {
  const port = parentPort
  assert(port !== null, 'serveJobs runs in a worker thread')
  port.on('message', async (message: { input: In }) => {
    let reply: JobReply
    let transfer: Transferable[] = []
    try {
      const result = await handler(message.input)
      reply = { ok: true, value: result.value }
      transfer = result.transfer ?? []
    } catch (error) {
      reply =
        error instanceof AppError
          ? { ok: false, code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) }
          : { ok: false, code: null, message: 'failed' }
    }
    port.postMessage(reply, transfer)
  })
  port.postMessage({ ready: true } satisfies WorkerReady)
}
