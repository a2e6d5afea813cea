/**
 * Request/response over worker_threads, typed by an API interface shared by both sides.
 *
 * Workers are TypeScript modules. `node --import tsx` does not carry tsx's loader into worker
 * threads on Node 20 (`new Worker(url, { execArgv: ['--import', 'tsx'] })` fails with
 * ERR_UNKNOWN_FILE_EXTENSION), so each worker starts from a tiny eval'd bootstrap that registers
 * tsx's ESM loader in the worker and then imports the module.
 */
import { parentPort, Worker } from 'node:worker_threads'

/** An API a worker serves: methods taking at most one structured-cloneable argument. */
// reason: `any` so that every API interface (with precise parameter types) is assignable here.
export type WorkerApi = Record<string, (params: any) => unknown>

interface Request {
  id: number
  method: string
  params: unknown
}

type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string }

/** The main-thread handle of a worker serving `Api`. */
export class RpcWorker<Api extends WorkerApi> {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  private failure: Error | null = null

  private constructor(private readonly worker: Worker) {
    worker.on('message', (response: Response) => {
      const call = this.pending.get(response.id)
      if (!call) return
      this.pending.delete(response.id)
      if (response.ok) call.resolve(response.result)
      else call.reject(new Error(response.error))
    })
    const failAll = (error: Error) => {
      this.failure ??= error
      for (const call of this.pending.values()) call.reject(error)
      this.pending.clear()
    }
    worker.on('error', failAll)
    worker.on('exit', (code) => failAll(new Error(`worker exited with code ${code}`)))
  }

  /** Starts the TypeScript module at `moduleUrl` (which calls `serveRpc`) in a worker thread. */
  static spawn<Api extends WorkerApi>(moduleUrl: URL): RpcWorker<Api> {
    const tsxApi = import.meta.resolve('tsx/esm/api')
    const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}) })`
    return new RpcWorker<Api>(new Worker(bootstrap, { eval: true }))
  }

  /** Calls `method` in the worker; rejects on a worker error or after `timeoutMs`. */
  call<K extends keyof Api & string>(
    method: K,
    params: Parameters<Api[K]>[0],
    timeoutMs = 60_000,
  ): Promise<Awaited<ReturnType<Api[K]>>> {
    if (this.failure) return Promise.reject(this.failure)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`worker call ${method} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer)
          resolve(value as Awaited<ReturnType<Api[K]>>)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      this.worker.postMessage({ id, method, params } satisfies Request)
    })
  }

  /** Stops the worker thread. */
  async terminate(): Promise<void> {
    await this.worker.terminate()
  }
}

/** Serves `handlers` to the main thread; call once at the top level of a worker module. */
export function serveRpc(handlers: WorkerApi): void {
  const port = parentPort
  if (!port) throw new Error('serveRpc must run in a worker thread')
  port.on('message', (request: Request) => {
    const handler = handlers[request.method]
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown worker method ${request.method}`)
        return handler(request.params)
      })
      .then(
        (result) => port.postMessage({ id: request.id, ok: true, result } satisfies Response),
        (error: unknown) =>
          port.postMessage({
            id: request.id,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          } satisfies Response),
      )
  })
}
