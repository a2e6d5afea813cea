import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors.ts'
import { WorkerPool, workerFile } from '../../../../server/workers/worker-pool.ts'
import type { PoolTestInput } from '../../../helpers/pool-test-worker.ts'

const file = workerFile('pool-test-worker', new URL('../../../helpers/x.ts', import.meta.url).href)
const pools: WorkerPool<PoolTestInput, string>[] = []
const pool = (options: Partial<ConstructorParameters<typeof WorkerPool>[0]> = {}) => {
  const created = new WorkerPool<PoolTestInput, string>({ kind: 'testing', file, ...options })
  pools.push(created)
  return created
}
afterEach(async () => {
  for (const created of pools.splice(0)) await created.close()
})

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof AppError ? error.code : `not an AppError: ${String(error)}`),
  )

describe('WorkerPool', () => {
  it('runs jobs in a worker and reuses it', async () => {
    const echo = pool()
    expect(await echo.run({ echo: 'one' })).toBe('one')
    expect(await echo.run({ echo: 'two' })).toBe('two')
    expect(echo.running).toBe(0)
  }, 30_000)

  it('keeps an AppError code from the worker and hides other errors', async () => {
    const failing = pool()
    const app = await failing.run({ fail: 'app' }).catch((error: unknown) => error)
    expect(app).toBeInstanceOf(AppError)
    expect((app as AppError).code).toBe('too_complex')
    expect((app as AppError).details).toEqual({ items: 3 })
    const bug = (await failing.run({ fail: 'bug' }).catch((error: unknown) => error)) as AppError
    expect(bug.code).toBe('internal')
    expect(bug.message).not.toContain('secret')
  }, 30_000)

  it('refuses with server_busy past its queue bound, and runs what it queued', async () => {
    const busy = pool({ concurrency: 1, maxQueued: 2 })
    const first = busy.run({ spinMs: 300 })
    const queued = [busy.run({ echo: 'a' }), busy.run({ echo: 'b' })]
    expect(await codeOf(busy.run({ echo: 'c' }))).toBe('server_busy')
    expect(await first).toBe('spun')
    expect(await Promise.all(queued)).toEqual(['a', 'b'])
  }, 30_000)

  it('terminates a job past its timeout with work_timeout and serves the next job', async () => {
    const slow = pool({ timeoutMs: 2000 })
    await slow.run({ echo: 'warm' })
    expect(await codeOf(slow.run({ spinMs: 60_000 }))).toBe('work_timeout')
    expect(await slow.run({ echo: 'after' })).toBe('after')
  }, 30_000)

  it('counts a job\'s timeout from when its worker has loaded, not from a cold start', async () => {
    // The worker takes at least 1.5 s to load; the job itself is instant. Timed from the dispatch,
    // a 500 ms timeout would stop it (issue 18: a cold worker under load timed out a parse).
    const coldFile = workerFile('pool-slow-start-worker', new URL('../../../helpers/x.ts', import.meta.url).href)
    const cold = new WorkerPool<{ echo: string }, string>({ kind: 'testing', file: coldFile, timeoutMs: 500 })
    try {
      expect(await cold.run({ echo: 'loaded' })).toBe('loaded')
    } finally {
      await cold.close()
    }
  }, 60_000)

  it('bounds a worker heap: a job that exhausts it is too_complex', async () => {
    const small = pool({ maxMemoryMb: 32 })
    expect(await codeOf(small.run({ allocateMb: 2000 }))).toBe('too_complex')
    expect(await small.run({ echo: 'still serving' })).toBe('still serving')
  }, 60_000)

  it('bounds a worker young generation as asked, else by an eighth of its heap bound', async () => {
    const limitsOf = async (created: WorkerPool<PoolTestInput, string>) => JSON.parse(await created.run({ limits: true })) as { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number }
    expect(await limitsOf(pool({ maxMemoryMb: 512, youngGenerationMb: 4 }))).toMatchObject({ maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 4 })
    expect(await limitsOf(pool({ maxMemoryMb: 256 }))).toMatchObject({ maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 })
  }, 60_000)
})
