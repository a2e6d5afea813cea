/**
 * A streaming zip writer for entries deflated elsewhere (the archive zip's worker). fflate's `Zip`
 * kept every entry's header, name bytes, callbacks and their closures until the end (about 1.5 KB
 * an entry, 15 MB for a decade's 10,000 sessions: issue 21); this one keeps each entry's central
 * directory record only (46 bytes and the name), in one growing buffer, and writes nothing but
 * what it is given. Entries are stored with their sizes and CRC in the local header (they are
 * known before the entry is written), so no data descriptors. No zip64: more than 65,535 entries
 * or 4 GiB throw before anything wrong is written.
 */

/** An entry's bytes: raw DEFLATE of `size` bytes of content whose CRC-32 is `crc`. */
export interface DeflatedEntry {
  data: Uint8Array
  crc: number
  size: number
}

const maxEntries = 0xffff
const maxOffset = 0xffffffff
/** General purpose flag bit 11: the name is UTF-8. */
const utf8Flag = 0x800

export class ZipStream {
  private offset = 0
  private count = 0
  private central = new Uint8Array(64 * 1024)
  private centralLength = 0
  private readonly dosTime: number
  private readonly dosDate: number

  /** `write` is awaited for every chunk (pass the response's backpressure through it); `now` dates every entry. */
  constructor(
    private readonly write: (chunk: Uint8Array) => Promise<void>,
    now = new Date(),
  ) {
    this.dosTime = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1)
    this.dosDate = ((Math.max(1980, now.getFullYear()) - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate()
  }

  /** Writes one entry (local header, then the data). */
  async add(name: string, entry: DeflatedEntry): Promise<void> {
    const nameBytes = new TextEncoder().encode(name)
    if (nameBytes.length > 0xffff) throw new Error(`zip entry name longer than 65,535 bytes: ${name.slice(0, 80)}…`)
    if (this.count >= maxEntries) throw new Error(`a zip without zip64 holds at most ${maxEntries} entries`)
    if (entry.size > maxOffset || this.offset + 30 + nameBytes.length + entry.data.length > maxOffset) throw new Error('a zip without zip64 holds at most 4 GiB')
    const flags = nameBytes.length === name.length ? 0 : utf8Flag

    const local = new Uint8Array(30 + nameBytes.length)
    const view = new DataView(local.buffer)
    view.setUint32(0, 0x04034b50, true)
    view.setUint16(4, 20, true) // version needed: 2.0 (deflate)
    view.setUint16(6, flags, true)
    view.setUint16(8, 8, true) // deflate
    view.setUint16(10, this.dosTime, true)
    view.setUint16(12, this.dosDate, true)
    view.setUint32(14, entry.crc >>> 0, true)
    view.setUint32(18, entry.data.length, true)
    view.setUint32(22, entry.size, true)
    view.setUint16(26, nameBytes.length, true)
    view.setUint16(28, 0, true) // no extra field
    local.set(nameBytes, 30)

    const record = this.reserve(46 + nameBytes.length)
    const cd = new DataView(this.central.buffer, record, 46)
    cd.setUint32(0, 0x02014b50, true)
    cd.setUint16(4, 20, true) // made by: 2.0, MS-DOS attributes
    cd.setUint16(6, 20, true)
    cd.setUint16(8, flags, true)
    cd.setUint16(10, 8, true)
    cd.setUint16(12, this.dosTime, true)
    cd.setUint16(14, this.dosDate, true)
    cd.setUint32(16, entry.crc >>> 0, true)
    cd.setUint32(20, entry.data.length, true)
    cd.setUint32(24, entry.size, true)
    cd.setUint16(28, nameBytes.length, true)
    // 30: extra, 32: comment, 34: disk, 36: internal and 38: external attributes stay 0.
    cd.setUint32(42, this.offset, true)
    this.central.set(nameBytes, record + 46)

    this.count++
    this.offset += local.length + entry.data.length
    await this.write(local)
    await this.write(entry.data)
  }

  /** Writes the central directory and its end record; add nothing after. */
  async end(): Promise<void> {
    const tail = new Uint8Array(22)
    const view = new DataView(tail.buffer)
    view.setUint32(0, 0x06054b50, true)
    view.setUint16(8, this.count, true)
    view.setUint16(10, this.count, true)
    view.setUint32(12, this.centralLength, true)
    view.setUint32(16, this.offset, true)
    const central = this.central.subarray(0, this.centralLength)
    this.central = new Uint8Array(0)
    this.centralLength = 0
    await this.write(central)
    await this.write(tail)
  }

  /** Room for `length` more bytes of central directory; returns where they start. */
  private reserve(length: number): number {
    const start = this.centralLength
    if (start + length > this.central.length) {
      const grown = new Uint8Array(Math.max(this.central.length * 2, start + length))
      grown.set(this.central.subarray(0, start))
      this.central = grown
    }
    this.centralLength += length
    return start
  }
}
