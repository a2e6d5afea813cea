/**
 * The whole archive as one zip, streamed: every archived session's Markdown (by track) and an
 * `index.md` linking them. Each entry is rendered and deflated in a worker (`zipEntryInWorker`),
 * one at a time, from the pad's JSON text as stored (the event loop does not parse it); the event
 * loop only writes zip headers and the compressed bytes (`zip-stream.ts`), and holds one entry
 * in memory at a time (issue 15: 40 pads of 1.9 MB took 9.5 s of synchronous compression).
 * Issue 21: for 10,000 sessions the process grows by one central directory record and one index
 * line per session, not by a parsed pad or a zip library's state per entry.
 */
import { crc32 } from 'node:zlib'
import { deflateSync, strToU8 } from 'fflate'
import type { MetaStore } from '../storage/meta-store.ts'
import { zipEntryInWorker } from '../workers/heavy-work.ts'
import type { ArchiveSummary } from '../../shared/api.ts'
import { fileStem } from './exports.ts'
import type { IndexCursor } from './index-cursor.ts'
import { ZipStream, type DeflatedEntry } from './zip-stream.ts'

/**
 * Writes the archive zip through `write` (awaited for each chunk: pass the response's
 * backpressure through it). Rejects with the worker pool's errors (`server_busy`,
 * `work_timeout`, `too_complex`) or the store's; the caller ends the response then. Links in the
 * entries are absolute against `publicUrl` (`PUBLIC_URL`), or left out without it.
 */
export async function writeArchiveZip(meta: MetaStore, write: (chunk: Uint8Array) => Promise<void>, publicUrl: string | null = null): Promise<void> {
  const zip = new ZipStream(write)
  // The archive is read a page at a time (issue 21: 10,000 summaries at once were 100 MB of
  // heap); the index keeps one short line per session, as UTF-8 bytes in one buffer (10,000
  // strings kept alive through the whole zip would each be copied and promoted by the GC).
  const index = new ByteText()
  let count = 0
  let currentTrack: string | null = null
  for await (const summary of archiveSummaries(meta)) {
    count++
    const entry = await zipEntry(meta, summary, publicUrl)
    if (!entry) continue
    const track = summary.session.track || 'No track'
    const folder = fileStem({ ...summary.session, title: track })
    const path = `sessions/${folder}/${fileStem(summary.session)}-${summary.session.id}.md`
    await zip.add(path, entry)
    if (track !== currentTrack) {
      index.append(`## ${track}\n\n`)
      currentTrack = track
    }
    const { decisions, actions } = summary.outcomes
    index.append(`- [${summary.session.title}](${path}): ${decisions.length} decisions, ${actions.length} action items\n`)
  }
  // The index is small (one line per session): deflating it here takes well under a millisecond per 100 sessions.
  const head = strToU8(`# Summit archive\n\n${count} archived sessions.\n\n`)
  const lines = index.bytes()
  const indexText = new Uint8Array(head.length + lines.length)
  indexText.set(head)
  indexText.set(lines, head.length)
  await zip.add('index.md', { data: deflateSync(indexText, { level: 6 }), crc: crc32(indexText), size: indexText.length })
  await zip.end()
}

/** One session's zip entry, made in a worker from its pad's JSON text; null when it has no archive. */
async function zipEntry(meta: MetaStore, summary: ArchiveSummary, publicUrl: string | null): Promise<DeflatedEntry | null> {
  const docJson = await meta.getArchiveDocJson(summary.session.id)
  // Handed over and not held here while the worker runs (nor by the pool, once posted).
  return docJson === null ? null : zipEntryInWorker({ session: summary.session, docJson, participants: summary.participants, chat: [], publicUrl })
}

/**
 * Sessions per page while writing the zip. Small: a page (its summaries with their outcomes) lives
 * while its entries are made, and what lives across many collections makes the event loop's young
 * heap grow (200 a page: 16 MiB more of it for the decade's zip). @default 20
 */
const zipPage = 20

/** UTF-8 text appended into one growing buffer. */
class ByteText {
  private buffer = new Uint8Array(64 * 1024)
  private length = 0
  private readonly encoder = new TextEncoder()

  append(text: string): void {
    // At most 3 bytes per UTF-16 unit.
    const need = this.length + text.length * 3
    if (need > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, need))
      grown.set(this.buffer.subarray(0, this.length))
      this.buffer = grown
    }
    this.length += this.encoder.encodeInto(text, this.buffer.subarray(this.length)).written
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length)
  }
}

/** Every archive summary in index order, read a page at a time. */
async function* archiveSummaries(meta: MetaStore): AsyncGenerator<ArchiveSummary> {
  let after: IndexCursor | null = null
  do {
    const page: { sessions: ArchiveSummary[]; next: IndexCursor | null } = await meta.listArchivePage(after, zipPage)
    yield* page.sessions
    after = page.next
  } while (after)
}
