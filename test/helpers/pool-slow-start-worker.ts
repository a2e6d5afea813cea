/**
 * A WorkerPool test worker whose module takes at least 1.5 s to load (as a cold worker under tsx
 * on a busy machine may): the pool's job clock must not count that.
 */
import { serveJobs } from '../../server/workers/serve-jobs.ts'

const loadedAt = Date.now() + 1500
while (Date.now() < loadedAt) {
  // Loading.
}

serveJobs((input: { echo: string }) => ({ value: input.echo }))
