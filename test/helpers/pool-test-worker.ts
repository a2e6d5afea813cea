/** A worker for the WorkerPool tests: echoes, spins, throws or allocates as its input asks. */
import { resourceLimits } from 'node:worker_threads'
import { AppError } from '../../shared/errors.ts'
import { serveJobs } from '../../server/workers/serve-jobs.ts'

/** What the test worker is asked to do. */
export type PoolTestInput = { echo: string } | { spinMs: number } | { fail: 'app' | 'bug' } | { allocateMb: number } | { limits: true }

const kept: unknown[] = []

serveJobs<PoolTestInput, string>((input) => {
  if ('echo' in input) return { value: input.echo }
  if ('spinMs' in input) {
    const until = Date.now() + input.spinMs
    while (Date.now() < until) {
      // busy: the job holds its thread, as a heavy parse would
    }
    return { value: 'spun' }
  }
  if ('limits' in input) return { value: JSON.stringify(resourceLimits) }
  if ('fail' in input) {
    if (input.fail === 'app') throw new AppError('too_complex', 'the input has too many items', { items: 3 })
    throw new Error('secret internal detail')
  }
  for (let i = 0; i < input.allocateMb; i++) kept.push(new Array(128 * 1024).fill(i))
  return { value: 'allocated' }
})
