/**
 * The whole archive as one zip, streamed: every archived session's Markdown (by track) and an
 * `index.md` linking them. Each entry is rendered and deflated in a worker (`zipEntryInWorker`),
 * one at a time; the event loop only writes zip headers and the compressed bytes, and holds one
 * entry in memory at a time (issue 15: 40 pads of 1.9 MB took 9.5 s of synchronous compression).
 */
import { Zip, ZipDeflate, strToU8, type ZipInputFile } from 'fflate'
import type { MetaStore } from '../storage/meta-store.ts'
import { zipEntryInWorker } from '../workers/heavy-work.ts'
import type { ArchiveSummary } from '../../shared/api.ts'
import { fileStem } from './exports.ts'
import type { IndexCursor } from './index-cursor.ts'

/**
 * Writes the archive zip through `write` (awaited for each chunk: pass the response's
 * backpressure through it). Rejects with the worker pool's errors (`server_busy`,
 * `work_timeout`, `too_complex`) or the store's; the caller ends the response then. Links in the
 * entries are absolute against `publicUrl` (`PUBLIC_URL`), or left out without it.
 */
export async function writeArchiveZip(meta: MetaStore, write: (chunk: Uint8Array) => Promise<void>, publicUrl: string | null = null): Promise<void> {
  let failure: Error | null = null
  let pending: Uint8Array[] = []
  const zip = new Zip((error, chunk) => {
    if (error) failure = error
    else pending.push(chunk)
  })
  const flush = async () => {
    const chunks = pending
    pending = []
    for (const chunk of chunks) await write(chunk)
    if (failure) throw failure
  }

  // The archive is read a page at a time (issue 21: 10,000 summaries at once were 100 MB of
  // heap); the index keeps one short line per session.
  const index: string[] = []
  let count = 0
  let currentTrack: string | null = null
  for await (const summary of archiveSummaries(meta)) {
    count++
    const archived = await meta.getArchive(summary.session.id)
    if (!archived) continue
    const track = summary.session.track || 'No track'
    const folder = fileStem({ ...summary.session, title: track })
    const path = `sessions/${folder}/${fileStem(summary.session)}-${summary.session.id}.md`
    const entry = await zipEntryInWorker({ session: summary.session, doc: archived.doc, participants: archived.participants, chat: [], publicUrl })
    const file: ZipInputFile = { filename: path, size: entry.size, crc: entry.crc, compression: 8, flag: 0 }
    zip.add(file)
    // reason: fflate types chunks as Uint8Array<ArrayBuffer>; a worker's transferred buffer is one.
    file.ondata!(null, entry.data as Uint8Array<ArrayBuffer>, true)
    await flush()
    if (track !== currentTrack) {
      index.push(`## ${track}`, '')
      currentTrack = track
    }
    const { decisions, actions } = summary.outcomes
    index.push(`- [${summary.session.title}](${path}): ${decisions.length} decisions, ${actions.length} action items`)
  }
  // The index is small (one line per session): deflating it here takes well under a millisecond per 100 sessions.
  const indexFile = new ZipDeflate('index.md', { level: 6 })
  zip.add(indexFile)
  indexFile.push(strToU8(`${['# Summit archive', '', `${count} archived sessions.`, '', ...index].join('\n')}\n`), true)
  zip.end()
  await flush()
}

/** Sessions per page while writing the zip. @default 200 */
const zipPage = 200

/** Every archive summary in index order, read a page at a time. */
async function* archiveSummaries(meta: MetaStore): AsyncGenerator<ArchiveSummary> {
  let after: IndexCursor | null = null
  do {
    const page: { sessions: ArchiveSummary[]; next: IndexCursor | null } = await meta.listArchivePage(after, zipPage)
    yield* page.sessions
    after = page.next
  } while (after)
}
