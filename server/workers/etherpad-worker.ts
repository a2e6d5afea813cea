/**
 * Worker thread of Etherpad import: one file (`.etherpad`, HTML or text export) into the first
 * updates of a new session's pad and chat (`etherpadSeeds`). The update buffers are transferred,
 * not copied. An ImportError becomes the AppError the API answers with: 413 (`too_large`), 422
 * (`too_many_items`) or 400.
 */
import { importFailure } from '../sessions/import-failure.ts'
import type { EtherpadFormat } from '../../shared/api.ts'
import { etherpadSeeds, type EtherpadSeeds } from '../sessions/etherpad-seed.ts'
import { serveJobs } from './serve-jobs.ts'

/** One Etherpad-import job. */
export interface EtherpadJob {
  file: string
  format: EtherpadFormat
}

serveJobs<EtherpadJob, EtherpadSeeds>(({ file, format }) => {
  let seeds: EtherpadSeeds
  try {
    seeds = etherpadSeeds(file, format)
  } catch (error) {
    throw importFailure(error)
  }
  const transfer = [seeds.pad.buffer as ArrayBuffer, ...(seeds.chat ? [seeds.chat.buffer as ArrayBuffer] : [])]
  return { value: seeds, transfer }
})
