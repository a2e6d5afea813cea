/**
 * WorkerPool: runs one kind of heavy work (schedule parsing, agenda import, exports, zip entries,
 * archive snapshots) in worker threads so that no request keeps the event loop (issue 15, part 2).
 *
 * Per kind: at most `concurrency` jobs run at once, each in its own worker thread; at most
 * `maxQueued` more wait (past that, `run` rejects at once with `server_busy`, HTTP 503 with
 * Retry-After); a job that runs longer than `timeoutMs` has its worker terminated and rejects with
 * `work_timeout` (503); a worker's heap is bounded by `maxMemoryMb` (`resourceLimits`), and a job
 * that exhausts it rejects with `too_complex` (422). Workers are reused between jobs and ended
 * after `idleMs` without work. Starting one takes a moment (under tsx up to about 2 s, more on a
 * busy machine): a job's `timeoutMs` counts from when its worker has loaded (it posts `ready`),
 * so a cold start never times a job out; a worker that does not load within `startTimeoutMs` fails
 * its job with `internal`.
 *
 * The worker module calls `serveJobs` (`serve-jobs.ts`). Under tsx (dev, tests) worker threads do
 * not inherit tsx's loader, so a `.ts` worker is started through a bootstrap that registers it;
 * compiled `.js` workers start directly. Resolve worker files with {@link workerFile}.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker, type Transferable } from 'node:worker_threads'
import { AppError, type ErrorCode } from '../../shared/errors.ts'
import type { JobReply, WorkerReady } from './serve-jobs.ts'

/** Longest a worker may take to load its module before its job fails, ms. */
const startTimeoutMs = 60_000

/** Limits of one kind of work. */
export interface WorkerPoolOptions {
  /** The kind's name, used in error messages (e.g. `schedule parsing`). */
  kind: string
  /** The worker module (see {@link workerFile}). */
  file: URL
  /** Jobs running at once (one worker thread each). @default 1 */
  concurrency?: number
  /** Jobs waiting beyond those running; over it `run` rejects with `server_busy`. @default 8 */
  maxQueued?: number
  /** Longest a job may run (its worker is terminated after), ms. @default 30000 */
  timeoutMs?: number
  /** Worker heap bound (`resourceLimits.maxOldGenerationSizeMb`), MiB. @default 256 */
  maxMemoryMb?: number
  /**
   * Worker young generation (`resourceLimits.maxYoungGenerationSizeMb`), MiB. A worker that makes
   * much short-lived garbage grows it to the bound and keeps it: the archive zip's worker, 64 MiB
   * by default, was a third of the process's growth (issue 21). @default maxMemoryMb / 8, 8 to 64
   */
  youngGenerationMb?: number
  /** A worker without work for this long is ended, ms. @default 120000 */
  idleMs?: number
}

interface Job {
  input: unknown
  transfer: readonly Transferable[]
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

interface Slot {
  worker: Worker
  /** Set once the worker posted `ready`: its module has loaded. */
  ready: boolean
  job: Job | null
  timer: NodeJS.Timeout | null
  idle: NodeJS.Timeout | null
}

/**
 * The URL of worker module `name` next to `base` (pass `import.meta.url`), with the extension of
 * the module at `base`: `.ts` under tsx, `.js` once compiled.
 */
export function workerFile(name: string, base: string): URL {
  return new URL(`./${name}${path.extname(fileURLToPath(base))}`, base)
}

/** Worker threads for one kind of job, with the limits of {@link WorkerPoolOptions}. */
export class WorkerPool<In, Out> {
  private readonly slots = new Set<Slot>()
  private readonly queue: Job[] = []
  private closed = false
  private readonly concurrency: number
  private readonly maxQueued: number
  private readonly timeoutMs: number
  private readonly maxMemoryMb: number
  private readonly idleMs: number

  constructor(private readonly options: WorkerPoolOptions) {
    this.concurrency = options.concurrency ?? 1
    this.maxQueued = options.maxQueued ?? 8
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.maxMemoryMb = options.maxMemoryMb ?? 256
    this.idleMs = options.idleMs ?? 120_000
  }

  /** Jobs running now. */
  get running(): number {
    let count = 0
    for (const slot of this.slots) if (slot.job) count++
    return count
  }

  /** Jobs waiting for a worker. */
  get queued(): number {
    return this.queue.length
  }

  /**
   * Runs one job with `input` (structured-cloned; `transfer` lists buffers to move instead).
   * Resolves with the worker's answer. Rejects with the AppError the worker threw (its code kept),
   * `server_busy` when the queue is full, `work_timeout`, `too_complex` (out of memory), or
   * `internal` when the worker died otherwise. Throws `server_busy` after `close`.
   */
  run(input: In, transfer: readonly Transferable[] = []): Promise<Out> {
    if (this.closed) return Promise.reject(new AppError('server_busy', 'the server is shutting down'))
    const free = [...this.slots].find((slot) => slot.job === null)
    if (!free && this.slots.size >= this.concurrency && this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new AppError('server_busy', `the server is busy with ${this.options.kind} (${this.concurrency} running, ${this.maxQueued} waiting); try again in a few seconds`),
      )
    }
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, transfer, resolve: resolve as (value: unknown) => void, reject })
      this.dispatch()
    })
  }

  /** Rejects waiting jobs and ends every worker (running jobs reject with `server_busy`). Idempotent. */
  async close(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.reject(new AppError('server_busy', 'the server is shutting down'))
    await Promise.all([...this.slots].map((slot) => this.retire(slot, new AppError('server_busy', 'the server is shutting down'))))
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((candidate) => candidate.job === null)
      if (!slot) {
        if (this.slots.size >= this.concurrency) return
        slot = this.spawn()
      }
      const job = this.queue.shift()!
      if (slot.idle) clearTimeout(slot.idle)
      slot.idle = null
      slot.job = job
      this.startClock(slot)
      try {
        slot.worker.postMessage({ input: job.input }, [...transferable(job.transfer)])
        // Cloned: not kept alive while the worker runs (a pad's JSON per archive zip entry).
        job.input = null
      } catch (error) {
        // A value that cannot be cloned is a bug in the caller, reported to it alone.
        if (slot.timer) clearTimeout(slot.timer)
        slot.timer = null
        slot.job = null
        job.reject(error)
      }
    }
  }

  /** Times the slot's job: from now if its worker has loaded, else its start first. */
  private startClock(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer)
    slot.timer = slot.ready
      ? setTimeout(() => {
          void this.retire(slot, new AppError('work_timeout', `${this.options.kind} took longer than ${this.timeoutMs / 1000} s and was stopped`))
        }, this.timeoutMs)
      : setTimeout(() => {
          void this.retire(slot, new AppError('internal', `${this.options.kind} failed: its worker did not start within ${startTimeoutMs / 1000} s`))
        }, startTimeoutMs)
  }

  private spawn(): Slot {
    const file = this.options.file
    const resourceLimits = { maxOldGenerationSizeMb: this.maxMemoryMb, maxYoungGenerationSizeMb: this.options.youngGenerationMb ?? Math.min(64, Math.max(8, this.maxMemoryMb / 8)) }
    const worker = file.pathname.endsWith('.ts')
      ? new Worker(tsxBootstrap(file), { eval: true, resourceLimits })
      : new Worker(file, { resourceLimits })
    worker.unref()
    const slot: Slot = { worker, ready: false, job: null, timer: null, idle: null }
    this.slots.add(slot)
    worker.on('message', (reply: JobReply | WorkerReady) => {
      if ('ready' in reply) {
        slot.ready = true
        // The job posted while it loaded starts its clock now.
        if (slot.job) this.startClock(slot)
      } else this.settle(slot, reply)
    })
    worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY'
      void this.retire(
        slot,
        outOfMemory
          ? new AppError('too_complex', `${this.options.kind} needed more than ${this.maxMemoryMb} MiB; the input is too complex`)
          : new AppError('internal', `${this.options.kind} failed`),
      )
    })
    worker.on('exit', () => {
      void this.retire(slot, new AppError('internal', `${this.options.kind} failed`))
    })
    return slot
  }

  private settle(slot: Slot, reply: JobReply): void {
    const job = slot.job
    if (!job) return
    if (slot.timer) clearTimeout(slot.timer)
    slot.timer = null
    slot.job = null
    if (reply.ok) job.resolve(reply.value)
    else job.reject(reply.code ? new AppError(reply.code as ErrorCode, reply.message, reply.details) : new AppError('internal', `${this.options.kind} failed`))
    slot.idle = setTimeout(() => void this.retire(slot, null), this.idleMs)
    slot.idle.unref()
    this.dispatch()
  }

  /** Ends `slot`'s worker; its job, if any, rejects with `error`. Then the queue moves on. */
  private async retire(slot: Slot, error: AppError | null): Promise<void> {
    if (!this.slots.delete(slot)) return
    if (slot.timer) clearTimeout(slot.timer)
    if (slot.idle) clearTimeout(slot.idle)
    const job = slot.job
    slot.job = null
    if (job) job.reject(error ?? new AppError('internal', `${this.options.kind} failed`))
    const ended = slot.worker.terminate()
    if (!this.closed) this.dispatch()
    await ended
  }
}

/** Code for an `eval` worker that registers tsx's loader, then imports `file`. */
function tsxBootstrap(file: URL): string {
  const tsxApi = import.meta.resolve('tsx/esm/api')
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}) })`
}

function transferable(list: readonly Transferable[]): Transferable[] {
  return list.filter((item) => !(item instanceof ArrayBuffer) || item.byteLength > 0)
}
