/**
 * Worker thread of the archive zip: one archived session's Markdown, deflated (raw DEFLATE, as a
 * zip entry stores it) with its CRC-32 and size, so the event loop only writes zip headers and
 * bytes (`server/archive/archive-zip.ts`).
 */
import { crc32 } from 'node:zlib'
import { deflateSync, strToU8 } from 'fflate'
import { exportMarkdown } from '../../shared/export/markdown.ts'
import { readableDoc } from '../../shared/export/readable-doc.ts'
import type { PMJSON } from '../../shared/template.ts'
import { exportMeta, type ExportSource } from '../archive/exports.ts'
import { serveJobs } from './serve-jobs.ts'

/**
 * One zip entry to make: an archived session as Markdown. The pad comes as the JSON text the store
 * holds (`docJson`), parsed here: the event loop neither parses it nor clones the parsed tree.
 */
export type ZipEntryJob = Omit<ExportSource, 'outcomes' | 'doc'> & { docJson: string }

/** A compressed zip entry: `data` is raw DEFLATE of `size` bytes with checksum `crc`. */
export interface ZipEntry {
  data: Uint8Array
  crc: number
  size: number
}

serveJobs<ZipEntryJob, ZipEntry>(({ docJson, ...rest }) => {
  const source = { ...rest, doc: JSON.parse(docJson) as PMJSON, outcomes: { decisions: [], actions: [] } }
  const markdown = strToU8(exportMarkdown(readableDoc(source.doc, source.publicUrl ?? null), exportMeta(source)))
  const data = deflateSync(markdown, { level: 6 })
  return { value: { data, crc: crc32(markdown), size: markdown.length }, transfer: [data.buffer as ArrayBuffer] }
})
