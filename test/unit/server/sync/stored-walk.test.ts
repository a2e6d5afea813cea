/**
 * The walk of a stored pad at load (stored-walk.ts, quarantine.ts): it refuses what scanUpdate
 * refuses, reads the state stateFromUpdate reads, goes in slices, and skips strings without
 * decoding them (skipString, held to lib0's fatal UTF-8 decoder).
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as prng from 'lib0/prng'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../../../server/observability/log.ts'
import { loadHealthy, poisonValueDepth, sliceBudgetMs, structsPerTurn, walkInTurns } from '../../../../server/sync/quarantine.ts'
import { stateFromUpdate, StoredWalk } from '../../../../server/sync/stored-walk.ts'
import { readString, skipString } from '../../../../server/sync/update-primitives.ts'
import { scanUpdate } from '../../../../server/sync/update-shape.ts'
import { MemoryDocStore } from '../../../helpers/memory-doc-store.ts'

const unlimited = Number.MAX_SAFE_INTEGER
const poisonContent = { maxValueDepth: poisonValueDepth, maxValueChars: unlimited, maxNameChars: unlimited, maxClients: unlimited }

/** What readString makes of `bytes` as a length-prefixed string: its length, or 'refused'. */
function byReadString(framed: Uint8Array): number | 'refused' {
  try {
    return readString(decoding.createDecoder(framed)).length
  } catch {
    return 'refused'
  }
}

/** The same by skipString, which must also leave the decoder right after the string. */
function bySkipString(framed: Uint8Array): number | 'refused' | 'misplaced' {
  const decoder = decoding.createDecoder(framed)
  try {
    const units = skipString(decoder)
    return decoder.pos === framed.length ? units : 'misplaced'
  } catch {
    return 'refused'
  }
}

function framed(bytes: number[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint8Array(encoder, Uint8Array.from(bytes))
  return encoding.toUint8Array(encoder)
}

/** A doc with every kind of content a pad and its neighbours hold, edited by several clients. */
function richUpdate(seed: number): Uint8Array {
  const gen = prng.create(seed)
  const doc = new Y.Doc({ gc: false })
  const text = doc.getText('t')
  for (let i = 0; i < 300; i++) {
    doc.clientID = prng.uint32(gen, 1, 4)
    const roll = prng.real53(gen)
    if (roll < 0.4) text.insert(prng.uint32(gen, 0, text.length), prng.oneOf(gen, ['a', 'é', '😀', 'words ', '\uFEFF']), roll < 0.1 ? { bold: true } : undefined)
    else if (roll < 0.55 && text.length > 2) text.delete(prng.uint32(gen, 0, text.length - 2), 1)
    else if (roll < 0.65) doc.getMap('m').set(`k${i % 4}`, { nested: [1, 'two', null, true, 2.5, { deep: [[]] }] })
    else if (roll < 0.75) {
      const element = new Y.XmlElement('paragraph')
      element.setAttribute('id', String(i))
      element.insert(0, [new Y.XmlText('hello')])
      doc.getXmlFragment('x').insert(0, [element])
    } else if (roll < 0.85) text.insertEmbed(0, { image: 'x.png' })
    else if (roll < 0.9) doc.getArray('a').insert(0, [new Uint8Array([1, 2]), new Y.Doc()])
    else text.format(0, Math.min(3, text.length), { italic: 'yes' })
  }
  return Y.encodeStateAsUpdate(doc)
}

/** An update of `count` one-character items of one client, none mergeable with its neighbour. */
function manyStructs(count: number): Uint8Array {
  const doc = new Y.Doc({ gc: false })
  const text = doc.getText('t')
  doc.transact(() => {
    for (let i = 0; i < count; i++) text.insert(0, 'x')
  })
  return Y.encodeStateAsUpdate(doc)
}

describe('skipString', () => {
  it('refuses exactly the UTF-8 lib0 refuses and counts the UTF-16 code units it decodes', () => {
    const cases: number[][] = []
    for (let a = 0; a < 256; a++) {
      cases.push([a])
      for (let b = 0; b < 256; b++) cases.push([a, b])
    }
    // Three- and four-byte forms around every boundary of the Encoding Standard's decoder.
    const edges = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff]
    for (let lead = 0xe0; lead <= 0xff; lead++) {
      for (const b of edges) {
        for (const c of edges) {
          cases.push([lead, b, c])
          if (lead >= 0xf0 && lead <= 0xf5) for (const d of edges) cases.push([lead, b, c, d])
        }
      }
    }
    const gen = prng.create(21)
    for (let i = 0; i < 3000; i++) cases.push(Array.from({ length: prng.uint32(gen, 0, 12) }, () => prng.oneOf(gen, [...edges, 0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac])))
    for (const text of ['', 'plain', 'é', '€', '😀 emoji', '\uFEFFbom', 'mixed ü 中文 😀']) cases.push([...new TextEncoder().encode(text)])
    let refused = 0
    const differing: { bytes: number[]; expected: number | string; got: number | string }[] = []
    for (const bytes of cases) {
      const expected = byReadString(framed(bytes))
      if (expected === 'refused') refused++
      const got = bySkipString(framed(bytes))
      if (got !== expected) differing.push({ bytes, expected, got })
    }
    expect(differing.slice(0, 10)).toEqual([])
    expect(refused).toBeGreaterThan(1000)
    // A length past the end is refused too.
    expect(bySkipString(framed([0x61]).subarray(0, 1))).toBe('refused')
  })
})

describe('StoredWalk', () => {
  it('reads the state stateFromUpdate reads, in slices of at most the budget', () => {
    for (const update of [richUpdate(1), richUpdate(2), manyStructs(2500)]) {
      const whole = new StoredWalk(update, { content: poisonContent, deleteSet: true })
      expect(whole.step(Number.POSITIVE_INFINITY)).toBe(true)
      expect(whole.state).toEqual(stateFromUpdate(update))
      expect(whole.state).toEqual(Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update)))
      const sliced = new StoredWalk(update, { content: poisonContent, deleteSet: true })
      let steps = 0
      for (;;) {
        const before = StoredWalk.totalWalked
        const done = sliced.step(100)
        expect(StoredWalk.totalWalked - before).toBeLessThanOrEqual(100)
        steps++
        if (done) break
      }
      expect(sliced.state).toEqual(whole.state)
      if (update.length > 20_000) expect(steps).toBeGreaterThan(25)
    }
  })

  it('refuses every mutated update scanUpdate refuses with the same limits, and no other', () => {
    const update = richUpdate(3)
    const gen = prng.create(5)
    let refused = 0
    for (let i = 0; i < 4000; i++) {
      const mutated = update.slice()
      const at = prng.uint32(gen, 0, mutated.length - 1)
      mutated[at] = prng.oneOf(gen, [0, 1, 0x7f, 0x80, 0xc3, 0xff, (mutated[at]! + 1) & 0xff])
      const cut = prng.real53(gen) < 0.1 ? mutated.subarray(0, prng.uint32(gen, 0, mutated.length)) : mutated
      let scanned = true
      try {
        scanUpdate(cut, { maxStructs: unlimited, maxDeleteRanges: unlimited, allowRepeatedClients: true, content: poisonContent })
      } catch {
        scanned = false
      }
      let walked = true
      try {
        new StoredWalk(cut, { content: poisonContent, deleteSet: true }).step(Number.POSITIVE_INFINITY)
      } catch {
        walked = false
      }
      expect(walked).toBe(scanned)
      if (!scanned) refused++
    }
    expect(refused).toBeGreaterThan(500)
  })
})

/** Turns of the event loop while `run` runs (a setImmediate chain beside it). */
async function countingTurns<T>(run: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0
  let running = true
  const tick = () => {
    turns++
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  const result = await run()
  running = false
  return { result, turns }
}

describe('walkInTurns', () => {
  it('yields once a turn has used its time, whatever is left of its structs', async () => {
    const update = manyStructs(2 * structsPerTurn)
    const walk = new StoredWalk(update, { content: null, deleteSet: false })
    // A clock that moves one budget per look: every turn's first step uses the turn's time, so
    // each turn walks one step (1,000 structs), not a whole slice of structsPerTurn.
    let clock = 0
    const { result, turns } = await countingTurns(() => walkInTurns(walk, () => true, () => (clock += sliceBudgetMs)))
    expect(result).toBe(true)
    expect(walk.state).toEqual(stateFromUpdate(update))
    expect(turns).toBeGreaterThanOrEqual(15)
  })

  it('takes at most structsPerTurn in a turn however fast the clock says it is, and stops when no longer wanted', async () => {
    const walk = new StoredWalk(manyStructs(3 * structsPerTurn), { content: null, deleteSet: false })
    let looks = 0
    const walkedBefore = StoredWalk.totalWalked
    const { result } = await countingTurns(() => walkInTurns(walk, () => ++looks < 2, () => 0))
    // Two slices of exactly structsPerTurn (a clock that never moves), then `wanted` stopped it.
    expect(result).toBe(false)
    expect(looks).toBe(2)
    expect(StoredWalk.totalWalked - walkedBefore).toBe(2 * structsPerTurn)
  })
})

describe('loadHealthy', () => {
  it('walks a large stored pad over several turns of the event loop, once, and hands back its state', async () => {
    const store = new MemoryDocStore()
    const update = manyStructs(3 * structsPerTurn)
    await store.append('pad', update)
    const walkedBefore = StoredWalk.totalWalked
    const { result: load, turns } = await countingTurns(() => loadHealthy(store, 'pad', silentLogger))
    const walked = StoredWalk.totalWalked - walkedBefore
    expect(load.quarantined).toBe(0)
    expect(load.stateVector).toEqual(stateFromUpdate(update))
    // Slices of at most structsPerTurn, one per turn: the event loop turned between them.
    expect(walked).toBeGreaterThan(3 * structsPerTurn)
    expect(turns).toBeGreaterThanOrEqual(Math.floor(walked / structsPerTurn))
  })

  it('quarantines a row nested deeper than Yjs re-encodes, and loads the rest', async () => {
    const store = new MemoryDocStore()
    const good = new Y.Doc({ gc: false })
    good.getText('t').insert(0, 'kept')
    await store.append('pad', Y.encodeStateAsUpdate(good))
    const poisoned = new Y.Doc({ gc: false })
    let value: unknown = 1
    for (let i = 0; i <= poisonValueDepth; i++) value = [value]
    poisoned.getArray('a').push([value])
    await store.append('pad', Y.encodeStateAsUpdate(poisoned))
    const load = await loadHealthy(store, 'pad', silentLogger)
    expect(load.quarantined).toBe(1)
    expect(load.loaded).not.toBeNull()
    const doc = new Y.Doc()
    Y.applyUpdate(doc, load.loaded!.update)
    expect(doc.getText('t').toString()).toBe('kept')
  })
})
