/**
 * Worker thread of agenda import: a prepared Markdown or text agenda into the pad's first Yjs
 * update (`importAgenda`, then `encodePadSeed`). The update's buffer is transferred, not copied.
 * An ImportError becomes the AppError the API answers with: 413 (`too_large`), 422
 * (`too_many_items`) or 400.
 */
import type { ImportFormat } from '../../shared/api.ts'
import { importAgenda } from '../../shared/import/markdown.ts'
import { importFailure } from '../sessions/import-failure.ts'
import { encodePadSeed } from '../sessions/pad-seed.ts'
import { serveJobs } from './serve-jobs.ts'

/** One agenda-import job. */
export interface AgendaJob {
  content: string
  format: ImportFormat
}

serveJobs<AgendaJob, Uint8Array>(({ content, format }) => {
  let seed: Uint8Array
  try {
    seed = encodePadSeed(importAgenda(content, format))
  } catch (error) {
    throw importFailure(error)
  }
  return { value: seed, transfer: [seed.buffer as ArrayBuffer] }
})
