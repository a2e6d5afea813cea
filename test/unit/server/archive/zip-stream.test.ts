/**
 * ZipStream (issue 21): the archive zip's writer for entries deflated in a worker. What it writes
 * must open in any unzip: entries with their names (UTF-8 flagged when not ASCII), sizes, CRCs
 * and contents, and a central directory that lists every entry at its offset.
 */
import { crc32 } from 'node:zlib'
import { deflateSync, strFromU8, strToU8, unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { ZipStream, type DeflatedEntry } from '../../../../server/archive/zip-stream.ts'

const deflated = (text: string): DeflatedEntry => {
  const bytes = strToU8(text)
  return { data: deflateSync(bytes, { level: 6 }), crc: crc32(bytes), size: bytes.length }
}

async function zipOf(entries: [string, string][]): Promise<{ bytes: Uint8Array; writes: number }> {
  const chunks: Uint8Array[] = []
  const zip = new ZipStream(async (chunk) => {
    // A copy: the writer may not reuse what it handed over.
    chunks.push(chunk.slice())
  }, new Date(2026, 11, 3, 14, 30, 10))
  for (const [name, text] of entries) await zip.add(name, deflated(text))
  await zip.end()
  return { bytes: Buffer.concat(chunks), writes: chunks.length }
}

describe('ZipStream', () => {
  it('writes a zip that unzips to every entry, names in UTF-8, in order', async () => {
    const entries: [string, string][] = [
      ['index.md', '# Summit archive\n'],
      ['sessions/nova/cells-and-quotas-s1.md', 'quota '.repeat(5000)],
      ['sessions/réseau/überblick-日本語-s2.md', 'unicode names and text: ☃\n'],
      ['sessions/empty-s3.md', ''],
    ]
    const { bytes } = await zipOf(entries)
    const files = unzipSync(bytes)
    expect(Object.keys(files)).toEqual(entries.map(([name]) => name))
    for (const [name, text] of entries) expect(strFromU8(files[name]!)).toBe(text)
  })

  it('writes many entries, its central directory growing past its first buffer', async () => {
    const entries: [string, string][] = Array.from({ length: 1500 }, (_, i) => [`sessions/track-${i % 7}/a-rather-long-session-title-number-${i}.md`, `notes ${i}\n`])
    const { bytes } = await zipOf(entries)
    const files = unzipSync(bytes)
    expect(Object.keys(files)).toHaveLength(1500)
    expect(strFromU8(files['sessions/track-1/a-rather-long-session-title-number-1499.md']!)).toBe('notes 1499\n')
    // The end record counts every entry and points at the central directory.
    const end = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 22, 22)
    expect(end.getUint32(0, true)).toBe(0x06054b50)
    expect(end.getUint16(10, true)).toBe(1500)
    expect(new DataView(bytes.buffer, bytes.byteOffset + end.getUint32(16, true), 4).getUint32(0, true)).toBe(0x02014b50)
  })

  it('refuses a name longer than a zip can hold before writing anything', async () => {
    const chunks: Uint8Array[] = []
    const zip = new ZipStream(async (chunk) => {
      chunks.push(chunk)
    })
    await expect(zip.add('x'.repeat(70_000), deflated('text'))).rejects.toThrow(/65,535/)
    expect(chunks).toEqual([])
  })
})
