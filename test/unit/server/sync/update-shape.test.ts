/** scanUpdate: agrees with Yjs on real updates, refuses crafted ones cheaply. */
import * as encoding from 'lib0/encoding'
import * as prng from 'lib0/prng'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ContentRefusedError, MalformedShapeError, scanUpdate, UpdateTooComplexError, type ScannedItem } from '../../../../server/sync/update-shape.ts'
import { stateFromUpdate } from '../../../../server/sync/stored-walk.ts'

const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

/** An update of one JSON item holding `json`, at the start of root type `a`. */
function jsonItem(json: string): Uint8Array {
  const encoder = encoding.createEncoder()
  for (const n of [1, 1, 7, 0]) encoding.writeVarUint(encoder, n)
  encoding.writeUint8(encoder, 2)
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarString(encoder, 'a')
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarString(encoder, json)
  encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}

/** Mutated updates checked against Yjs (`SCAN_MUTATIONS` for a long run). */
const mutations = Number(process.env.SCAN_MUTATIONS ?? 5000)
const unlimited = { maxStructs: Number.MAX_SAFE_INTEGER, maxDeleteRanges: Number.MAX_SAFE_INTEGER }

/** Every update of a doc edited at random through every kind of content Yjs has. */
function corpus(seed: number, steps: number): Uint8Array[] {
  const gen = prng.create(seed)
  const updates: Uint8Array[] = []
  const doc = new Y.Doc({ gc: false })
  doc.on('update', (update: Uint8Array) => updates.push(update))
  const text = doc.getText('t')
  const map = doc.getMap('m')
  const array = doc.getArray<unknown>('a')
  const xml = doc.getXmlFragment('x')
  for (let i = 0; i < steps; i++) {
    const roll = prng.real53(gen)
    if (roll < 0.35) text.insert(prng.uint32(gen, 0, text.length), prng.oneOf(gen, ['a', 'bc', 'é', '😀', 'long words ']), roll < 0.1 ? { bold: true } : undefined)
    else if (roll < 0.5 && text.length > 2) text.delete(prng.uint32(gen, 0, text.length - 2), 1)
    else if (roll < 0.58) map.set(`k${i % 5}`, prng.bool(gen) ? { nested: [1, 'two', null, true] } : new Uint8Array([1, 2, 3]))
    else if (roll < 0.66) array.insert(0, [i, 'x', { y: [i] }])
    else if (roll < 0.74) {
      const element = new Y.XmlElement('paragraph')
      element.setAttribute('id', String(i))
      element.insert(0, [new Y.XmlText('hello')])
      xml.insert(0, [element])
    } else if (roll < 0.8) text.format(0, Math.min(3, text.length), { italic: true })
    else if (roll < 0.86) map.set(`sub${i}`, new Y.Map())
    else if (roll < 0.9) array.insert(0, [new Y.Doc()])
    else if (roll < 0.95) text.insertEmbed(0, { image: 'x.png' })
    else if (array.length > 0) array.delete(0, 1)
  }
  updates.push(Y.encodeStateAsUpdate(doc), Y.mergeUpdates(updates))
  return updates
}

/** An update claiming `count` one-clock GC structs for client 1000. */
function gcFlood(count: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint(encoder, count)
  encoding.writeVarUint(encoder, 1000)
  encoding.writeVarUint(encoder, 0)
  for (let i = 0; i < count; i++) {
    encoding.writeUint8(encoder, 0)
    encoding.writeVarUint(encoder, 1)
  }
  encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}

describe('scanUpdate', () => {
  it('counts the same structs as Yjs for every kind of content, and reports where each client starts', () => {
    const updates = corpus(7, 1500)
    expect(updates.length).toBeGreaterThan(1000)
    for (const update of updates) {
      const shape = scanUpdate(update, unlimited)
      const decoded = Y.decodeUpdate(update)
      expect(shape.structs).toBe(decoded.structs.length)
      const firsts = new Map<number, number>()
      for (const struct of decoded.structs) if (!firsts.has(struct.id.client)) firsts.set(struct.id.client, struct.id.clock)
      expect(shape.firstClocks).toEqual(firsts)
      let ranges = 0
      for (const items of decoded.ds.clients.values()) ranges += items.length
      expect(shape.deleteRanges).toBe(ranges)
    }
  })

  it('with content limits, walks every kind of content as Yjs does and reports each item where Yjs has it', () => {
    const content = { maxValueDepth: 8, maxValueChars: 1000, maxNameChars: 100, maxClients: 100 }
    for (const update of corpus(11, 800)) {
      const items: ScannedItem[] = []
      const shape = scanUpdate(update, { ...unlimited, content }, (item) => items.push(item))
      const decoded = Y.decodeUpdate(update).structs.filter((struct): struct is Y.Item => struct instanceof Y.Item)
      expect(items.map((item) => [item.client, item.clock, item.length])).toEqual(decoded.map((item) => [item.id.client, item.id.clock, item.length]))
      expect(shape.structs).toBeGreaterThanOrEqual(items.length)
    }
  })

  it('refuses values nested past maxValueDepth without recursing, in JSON and in plain values', () => {
    const content = { maxValueDepth: 32, maxValueChars: 1000, maxNameChars: 100, maxClients: 100 }
    const deepAny = new Y.Doc()
    let value: unknown = 1
    for (let i = 0; i < 40; i++) value = [value]
    deepAny.getArray('a').push([value])
    expect(() => scanUpdate(Y.encodeStateAsUpdate(deepAny), { ...unlimited, content })).toThrow(ContentRefusedError)
    expect(() => scanUpdate(jsonItem(`${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`), { ...unlimited, content })).toThrow(ContentRefusedError)
    // A bracket inside a string is not nesting.
    expect(scanUpdate(jsonItem(JSON.stringify({ a: '['.repeat(100) })), { ...unlimited, content }).structs).toBe(1)
    expect(scanUpdate(jsonItem(deepArrays(32)), { ...unlimited, content }).structs).toBe(1)
    expect(() => scanUpdate(jsonItem(deepArrays(33)), { ...unlimited, content })).toThrow(ContentRefusedError)
  })

  it('refuses an update claiming more structs than allowed before walking them', () => {
    const flood = gcFlood(400_000)
    expect(() => scanUpdate(flood, { maxStructs: 30_000, maxDeleteRanges: 30_000 })).toThrow(UpdateTooComplexError)
    // The claim is in the header: refusing it reads a few bytes, whatever the update's size. Cut
    // after the header, the update would be malformed if the scan read any further than that.
    expect(() => scanUpdate(flood.subarray(0, 4), { maxStructs: 30_000, maxDeleteRanges: 30_000 })).toThrow(UpdateTooComplexError)
    expect(scanUpdate(gcFlood(100), { maxStructs: 100, maxDeleteRanges: 0 }).structs).toBe(100)
  })

  it('refuses an update deleting more ranges than allowed', () => {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 0)
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarUint(encoder, 7)
    encoding.writeVarUint(encoder, 50_000)
    for (let i = 0; i < 50_000; i++) {
      encoding.writeVarUint(encoder, i * 2)
      encoding.writeVarUint(encoder, 1)
    }
    expect(() => scanUpdate(encoding.toUint8Array(encoder), { maxStructs: 10, maxDeleteRanges: 30_000 })).toThrow(UpdateTooComplexError)
  })

  it('calls truncated, padded and nonsense bytes malformed', () => {
    const update = corpus(3, 50).at(-2)!
    expect(() => scanUpdate(update.subarray(0, update.length - 3), unlimited)).toThrow(MalformedShapeError)
    expect(() => scanUpdate(Uint8Array.of(...update, 0), unlimited)).toThrow(MalformedShapeError)
    expect(() => scanUpdate(Uint8Array.of(1, 1, 5, 0, 0b0001_1111), unlimited)).toThrow(MalformedShapeError)
    expect(() => scanUpdate(Uint8Array.of(1, 1, 5, 0, 4, 1, 200, 0), unlimited)).toThrow(MalformedShapeError)
    expect(() => scanUpdate(new Uint8Array(0), unlimited)).toThrow(MalformedShapeError)
  })

  it('refuses what the property test caught Yjs throwing on: a skip byte with other bits, numbers past 2^52', () => {
    // 0b1000_1010: Yjs reads an item of content kind 10, not a skip, and throws.
    const skipWithOrigin = Uint8Array.of(1, 1, 5, 0, 0b1000_1010, 3, 0)
    expect(() => Y.decodeUpdate(skipWithOrigin)).toThrow()
    expect(() => scanUpdate(skipWithOrigin, unlimited)).toThrow(MalformedShapeError)
    expect(() => stateFromUpdate(skipWithOrigin)).toThrow(MalformedShapeError)
    expect(scanUpdate(Uint8Array.of(1, 1, 5, 0, 10, 3, 0), unlimited).structs).toBe(1)
    // A deleted range of length 2 at clock 2^56: Yjs rounds its end onto its start and throws
    // re-encoding it as pending.
    const encoder = encoding.createEncoder()
    for (const n of [0, 1, 7, 1, 2 ** 56, 2]) encoding.writeVarUint(encoder, n)
    const farDelete = encoding.toUint8Array(encoder)
    expect(() => Y.applyUpdate(new Y.Doc(), farDelete)).toThrow()
    expect(() => scanUpdate(farDelete, unlimited)).toThrow(MalformedShapeError)
  })

  it('refuses an update naming a client in more than one run of structs, which Yjs never writes', () => {
    // Yjs' reader keeps only a client's last run (readClientsStructRefs sets one entry per run):
    // a doc applying these holds client 7 up to 2, or nothing of it, while the runs before claim 5.
    const repeated = [
      Uint8Array.of(2, 1, 7, 0, 0, 5, 1, 7, 0, 0, 2, 0), // GC run of 5, then a run of 2
      Uint8Array.of(2, 1, 7, 0, 0, 5, 0, 7, 0, 0), // ...then an empty run
      Uint8Array.of(2, 1, 7, 0, 0, 5, 1, 7, 5, 0, 2, 0), // ...then a run continuing at 5
      Uint8Array.of(3, 1, 7, 0, 0, 5, 1, 8, 0, 0, 1, 1, 7, 0, 0, 2, 0), // client 7 comes back after 8
    ]
    for (const update of repeated) {
      expect(() => Y.decodeUpdate(update), `${update}`).not.toThrow()
      expect(() => scanUpdate(update, unlimited), `${update}`).toThrow(MalformedShapeError)
      expect(() => scanUpdate(update, unlimited), `${update}`).toThrow('update names client 7 in more than one run of structs')
      const content = { maxValueDepth: 8, maxValueChars: 1000, maxNameChars: 100, maxClients: 100 }
      expect(() => scanUpdate(update, { ...unlimited, content }), `${update}`).toThrow(MalformedShapeError)
      // Rows stored before this was refused are still read for their nesting (quarantine.ts).
      expect(scanUpdate(update, { ...unlimited, content, allowRepeatedClients: true }).firstClocks.get(7)).toBe(0)
    }
    const built = new Y.Doc({ gc: false })
    Y.applyUpdate(built, repeated[0]!)
    expect(Y.getState(built.store, 7)).toBe(2)
    built.destroy()
  })

  it('accepts updates Yjs writes for several clients: whole states, diffs, merges and sync steps', () => {
    const docs = [1, 2, 3].map((clientID) => {
      const doc = new Y.Doc({ gc: false })
      doc.clientID = clientID
      return doc
    })
    const updates: Uint8Array[] = []
    docs[0]!.on('update', (update: Uint8Array) => updates.push(update))
    for (let round = 0; round < 5; round++) {
      for (const [i, doc] of docs.entries()) {
        doc.getText('t').insert(0, `${round}:${i} `)
        doc.getArray('a').push([round])
        if (round > 1) doc.getText('t').delete(1, 2)
      }
      // Each doc takes the others' changes (a sync step 2 each way).
      for (const doc of docs) for (const other of docs) if (doc !== other) Y.applyUpdate(doc, Y.encodeStateAsUpdate(other, Y.encodeStateVector(doc)))
    }
    const whole = Y.encodeStateAsUpdate(docs[0]!)
    const candidates = [whole, Y.encodeStateAsUpdate(docs[1]!, Y.encodeStateVector(new Y.Doc())), Y.mergeUpdates(updates), Y.mergeUpdates(updates.filter((_, i) => i % 2 === 0)), Y.diffUpdate(whole, Y.encodeStateVector(docs[2]!)), Y.diffUpdate(Y.mergeUpdates(updates), Uint8Array.of(1, 2, 3)), ...updates]
    let multiClient = 0
    for (const update of candidates) {
      const shape = scanUpdate(update, unlimited)
      const meta = Y.parseUpdateMeta(update)
      expect(shape.firstClocks).toEqual(meta.from)
      expect(shape.endClocks).toEqual(meta.to)
      if (shape.firstClocks.size > 1) multiClient++
    }
    expect(scanUpdate(whole, unlimited).firstClocks.size).toBe(3)
    expect(multiClient).toBeGreaterThanOrEqual(5)
    for (const doc of docs) doc.destroy()
  })

  it('on thousands of mutated updates, accepts only what Yjs decodes, and nearly all of it', () => {
    const gen = prng.create(11)
    const updates = corpus(5, 300)
    let yjsAccepted = 0
    let bothAccepted = 0
    for (let i = 0; i < mutations; i++) {
      const bytes = prng.oneOf(gen, updates).slice()
      const flips = prng.uint32(gen, 1, 3)
      for (let f = 0; f < flips; f++) bytes[prng.uint32(gen, 0, bytes.length - 1)] = prng.uint32(gen, 0, 255)
      let yjsOk = true
      try {
        Y.decodeUpdate(bytes)
        Y.applyUpdate(new Y.Doc({ gc: false }), bytes)
      } catch (e) {
        yjsOk = false
        if (process.env.SCAN_DEBUG) console.log(i, e)
      }
      let scanOk = true
      try {
        scanUpdate(bytes, unlimited)
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedShapeError)
        scanOk = false
      }
      // The room stores what the scan accepts before Yjs sees it: it must decode and apply.
      if (scanOk) expect(yjsOk, `scan accepted bytes Yjs refuses (case ${i})`).toBe(true)
      if (yjsOk) yjsAccepted++
      if (yjsOk && scanOk) bothAccepted++
    }
    // Stricter only where Yjs is lax (trailing bytes after the delete set).
    expect(bothAccepted).toBeGreaterThan(yjsAccepted * 0.8)
  })
})

describe('stateFromUpdate', () => {
  const yjsState = (update: Uint8Array) => Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))

  it('reads the state vector Yjs reads, from whole docs, merged logs and single updates', () => {
    for (const seed of [1, 2, 3]) {
      const updates = corpus(seed, 300)
      for (const update of updates) expect(stateFromUpdate(update)).toEqual(yjsState(update))
    }
    // Several clients in one doc.
    const docs = [new Y.Doc({ gc: false }), new Y.Doc({ gc: false }), new Y.Doc({ gc: false })]
    docs.forEach((doc, i) => doc.getText('t').insert(0, `client ${i} `.repeat(i + 1)))
    const merged = Y.mergeUpdates(docs.map((doc) => Y.encodeStateAsUpdate(doc)))
    expect(stateFromUpdate(merged)).toEqual(yjsState(merged))
    expect(stateFromUpdate(merged).size).toBe(3)
  })

  it('counts a client only as far as its structs run from clock 0 without a gap', () => {
    const doc = new Y.Doc({ gc: false })
    const updates: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => updates.push(update))
    for (let i = 0; i < 6; i++) doc.getText('t').insert(i, String(i))
    // The third update is missing: the merge skips its range, and what follows cannot be integrated.
    const withGap = Y.mergeUpdates([...updates.slice(0, 2), ...updates.slice(3)])
    expect(stateFromUpdate(withGap)).toEqual(new Map([[doc.clientID, 2]]))
    expect(stateFromUpdate(withGap)).toEqual(yjsState(withGap))
    // Starting past clock 0: nothing the doc could integrate.
    const late = Y.mergeUpdates(updates.slice(2))
    expect(stateFromUpdate(late)).toEqual(new Map())
    expect(stateFromUpdate(late)).toEqual(yjsState(late))
  })

  it("counts only a client's last run of structs, the one a doc applying the update keeps", () => {
    // Yjs' reader keeps one run per client (the last: readClientsStructRefs sets it per run),
    // while encodeStateVectorFromUpdate reads on across runs as if each client came once.
    const builtFrom = (update: Uint8Array) => {
      const doc = new Y.Doc({ gc: false })
      Y.applyUpdate(doc, update)
      const state = Y.decodeStateVector(Y.encodeStateVector(doc))
      doc.destroy()
      return state
    }
    // Client 7 as a GC run of 5, then again: a run of 2, or an empty run.
    const shorter = Uint8Array.of(2, 1, 7, 0, 0, 5, 1, 7, 0, 0, 2, 0)
    const emptied = Uint8Array.of(2, 1, 7, 0, 0, 5, 0, 7, 0, 0)
    expect(stateFromUpdate(shorter)).toEqual(new Map([[7, 2]]))
    expect(stateFromUpdate(shorter)).toEqual(builtFrom(shorter))
    expect(stateFromUpdate(emptied)).toEqual(new Map())
    expect(stateFromUpdate(emptied)).toEqual(builtFrom(emptied))
    // The property test's mutation (WALKER_SEED=487276177): client 2079105957 has a run of four
    // structs from clock 0, then a GC at clock 1. A doc holds nothing of it (the GC waits for clock
    // 0); Yjs' function says 2, the walker used to say 4. No delete set: one is added to apply it.
    const mutated = Uint8Array.from([3, 3, 246, 190, 224, 220, 8, 0, 4, 1, 5, 112, 108, 97, 105, 110, 1, 51, 9, 1, 5, 97, 114, 114, 97, 121, 5, 115, 117, 98, 45, 52, 118, 0, 68, 246, 190, 224, 220, 8, 0, 1, 53, 3, 165, 199, 178, 223, 7, 0, 33, 1, 3, 109, 97, 112, 2, 107, 53, 1, 4, 1, 4, 116, 101, 120, 116, 4, 240, 159, 152, 128, 73, 246, 190, 224, 220, 8, 1, 6, 115, 117, 98, 45, 54, 50, 118, 0, 1, 165, 199, 178, 223, 7, 1, 0, 1])
    expect(yjsState(mutated)).toEqual(new Map([[2342002550, 3], [2079105957, 2]]))
    expect(stateFromUpdate(mutated)).toEqual(new Map([[2342002550, 3]]))
    expect(stateFromUpdate(mutated)).toEqual(builtFrom(Uint8Array.from([...mutated, 0])))
  })

  it('refuses bytes that are not an update', () => {
    expect(() => stateFromUpdate(Uint8Array.of(1, 5, 200))).toThrow(MalformedShapeError)
  })
})
