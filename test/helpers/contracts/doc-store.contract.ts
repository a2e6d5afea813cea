/**
 * The DocStore contract: rules [DS1]–[DS13] from the doc comment in `server/storage/doc-store.ts`,
 * each test named by its rule ID. Every DocStore implementation (and the in-memory fake used by
 * unit tests) registers this suite with a factory for a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { DocStore } from '../../../server/storage/doc-store.ts'

export interface DocStoreFixture {
  store: DocStore
  /**
   * Opens a second store over the same data through its own connection (for SQLite: a second
   * database handle on the same file). [DS1] reads through it to see what was committed.
   */
  reopen(): Promise<DocStore>
  /** Closes everything the fixture opened (also after the test closed `store`) and removes its data. */
  cleanup(): Promise<void>
}

/** A Y.Doc that records every update it emits, as a client's doc would send them. */
function writer(clientID: number) {
  const ydoc = new Y.Doc({ gc: false })
  ydoc.clientID = clientID
  const updates: Uint8Array[] = []
  ydoc.on('update', (update: Uint8Array) => updates.push(update))
  const fragment = ydoc.getXmlFragment('prosemirror')
  return { ydoc, updates, fragment }
}

/** Appends a paragraph holding `text` to `fragment` (one update). */
function addParagraph(fragment: Y.XmlFragment, text: string): Y.XmlText {
  const paragraph = new Y.XmlElement('paragraph')
  const ytext = new Y.XmlText(text)
  paragraph.insert(0, [ytext])
  fragment.insert(fragment.length, [paragraph])
  return ytext
}

/** A writer that made a varied history: inserts, formatting, deletions, a removed block. */
function richHistory(clientID: number, label: string) {
  const w = writer(clientID)
  const heading = new Y.XmlElement('heading')
  heading.setAttribute('level', '2')
  heading.insert(0, [new Y.XmlText(`${label} heading`)])
  w.fragment.insert(0, [heading])
  const first = addParagraph(w.fragment, `${label} first paragraph`)
  first.format(0, 5, { strong: true })
  first.insert(first.length, ' and more')
  first.delete(2, 3)
  addParagraph(w.fragment, `${label} doomed`)
  w.fragment.delete(2, 1)
  const last = addParagraph(w.fragment, `${label} last`)
  last.insert(0, '>> ')
  return w
}

function docFrom(update: Uint8Array): Y.Doc {
  const ydoc = new Y.Doc({ gc: false })
  Y.applyUpdate(ydoc, update)
  return ydoc
}

/** Asserts `actual` holds the same document as `expected`: content, state vector and delete set. */
function expectSameDoc(actual: Y.Doc, expected: Y.Doc): void {
  expect(actual.getXmlFragment('prosemirror').toString()).toBe(expected.getXmlFragment('prosemirror').toString())
  expect(actual.getXmlFragment('prosemirror').toJSON()).toEqual(expected.getXmlFragment('prosemirror').toJSON())
  expect(Y.decodeStateVector(Y.encodeStateVector(actual))).toEqual(Y.decodeStateVector(Y.encodeStateVector(expected)))
  expect(Y.equalSnapshots(Y.snapshot(actual), Y.snapshot(expected))).toBe(true)
  expect(actual.store.pendingStructs).toBeNull()
}

async function appendAll(store: DocStore, docName: string, updates: Uint8Array[]): Promise<void> {
  for (const update of updates) await store.append(docName, update)
}

async function loadDoc(store: DocStore, docName: string): Promise<Y.Doc> {
  const loaded = await store.load(docName)
  expect(loaded, `load(${docName})`).not.toBeNull()
  return docFrom(loaded!.update)
}

export function registerDocStoreContract(name: string, factory: () => Promise<DocStoreFixture>): void {
  describe(`DocStore contract: ${name}`, () => {
    let fixture: DocStoreFixture
    let store: DocStore
    beforeEach(async () => {
      fixture = await factory()
      store = fixture.store
    })
    afterEach(async () => {
      await fixture.cleanup()
    })

    it('[DS1] an append is visible through a second connection as soon as it resolves', async () => {
      const second = await fixture.reopen()
      const w = writer(1)
      addParagraph(w.fragment, 'committed')
      const seen = await store.append('ds1', w.updates[0]!).then(() => second.load('ds1'))
      expect(seen).not.toBeNull()
      expectSameDoc(docFrom(seen!.update), w.ydoc)
    })

    it('[DS1] appends issued in one tick each resolve only once a second connection sees them', async () => {
      const second = await fixture.reopen()
      const w = writer(7)
      const ytext = addParagraph(w.fragment, '')
      for (let i = 0; i < 25; i++) ytext.insert(ytext.length, `${i} `)
      // Each promise's callback reads through the other connection at the moment it resolves.
      const clocksSeen = await Promise.all(
        w.updates.map((update) =>
          store.append('ds1-batch', update).then(async () => {
            const loaded = await second.load('ds1-batch')
            return loaded ? (Y.decodeStateVector(Y.encodeStateVectorFromUpdate(loaded.update)).get(7) ?? 0) : 0
          }),
        ),
      )
      // Update i brings client 7's clock to clockAfter[i]; it must be visible when its append resolves.
      const clockAfter = w.updates.map((update) =>
        Math.max(...Y.decodeUpdate(update).structs.map((struct) => struct.id.clock + struct.length)),
      )
      let covered = 0
      for (let i = 0; i < w.updates.length; i++) {
        covered = Math.max(covered, clockAfter[i]!)
        expect(clocksSeen[i], `update ${i} visible when its append resolved`).toBeGreaterThanOrEqual(covered)
      }
      expectSameDoc(await loadDoc(second, 'ds1-batch'), w.ydoc)
    })

    it('[DS1] close waits for in-flight appends', async () => {
      const w = writer(2)
      addParagraph(w.fragment, 'written before close')
      const second = await fixture.reopen()
      const appended = store.append('ds1-close', w.updates[0]!)
      await store.close()
      // Durable by the time close resolves, before anyone awaits the append itself.
      expectSameDoc(await loadDoc(second, 'ds1-close'), w.ydoc)
      await appended
    })

    it('[DS2] a doc never written loads as null', async () => {
      expect(await store.load('never-written')).toBeNull()
    })

    it('[DS2] load returns every appended update merged into one', async () => {
      const w = richHistory(3, 'ds2')
      expect(w.updates.length).toBeGreaterThan(5)
      await appendAll(store, 'ds2', w.updates)
      const loaded = await store.load('ds2')
      expect(loaded).not.toBeNull()
      expectSameDoc(docFrom(loaded!.update), w.ydoc)
      expect(w.fragment.toString()).toContain('ds2 heading')
    })

    it('[DS2] load returns one distinct ref per stored row, and keeps old refs as rows are added', async () => {
      const w = richHistory(4, 'refs')
      await appendAll(store, 'ds2-refs', w.updates)
      const first = await store.load('ds2-refs')
      expect(first!.refs).toHaveLength(w.updates.length)
      expect(new Set(first!.refs).size).toBe(w.updates.length)
      addParagraph(w.fragment, 'one more')
      await store.append('ds2-refs', w.updates.at(-1)!)
      const second = await store.load('ds2-refs')
      expect(second!.refs).toHaveLength(w.updates.length)
      expect(second!.refs).toEqual(expect.arrayContaining([...first!.refs]))
    })

    it('[DS2] load merges updates of several clients appended out of causal order', async () => {
      const a = richHistory(5, 'alpha')
      const b = writer(6)
      Y.applyUpdate(b.ydoc, Y.encodeStateAsUpdate(a.ydoc))
      b.updates.length = 0
      addParagraph(b.fragment, 'beta builds on alpha')
      const merged = new Y.Doc({ gc: false })
      Y.applyUpdate(merged, Y.encodeStateAsUpdate(b.ydoc))
      // b's update depends on all of a's; store it first and a's in reverse.
      await appendAll(store, 'ds2-order', [...b.updates, ...[...a.updates].reverse()])
      expectSameDoc(await loadDoc(store, 'ds2-order'), merged)
    })

    it('[DS8] refs names exactly the rows load merges, without reading them', async () => {
      expect(await store.refs('ds8')).toEqual([])
      const w = richHistory(11, 'refs')
      await appendAll(store, 'ds8', w.updates)
      const loaded = await store.load('ds8')
      expect(await store.refs('ds8')).toEqual(loaded!.refs)
      await store.compact('ds8', loaded!.update, loaded!.refs)
      expect(await store.refs('ds8')).toEqual((await store.load('ds8'))!.refs)
      expect(await store.refs('ds8')).toHaveLength(1)
    })

    it('[DS3] compact replaces the rows it names with one row', async () => {
      const w = richHistory(8, 'compact')
      await appendAll(store, 'ds3', w.updates)
      const loaded = await store.load('ds3')
      await store.compact('ds3', loaded!.update, loaded!.refs)
      const after = await store.load('ds3')
      expect(after!.refs).toHaveLength(1)
      expect(loaded!.refs).not.toContain(after!.refs[0])
    })

    it('[DS3] compact keeps an append made after the load', async () => {
      const w = richHistory(9, 'before')
      await appendAll(store, 'ds3-after', w.updates)
      const loaded = await store.load('ds3-after')
      addParagraph(w.fragment, 'appended between load and compact')
      await store.append('ds3-after', w.updates.at(-1)!)
      await store.compact('ds3-after', loaded!.update, loaded!.refs)
      const after = await store.load('ds3-after')
      expect(after!.refs).toHaveLength(2)
      expectSameDoc(docFrom(after!.update), w.ydoc)
    })

    it('[DS3] compact keeps an append issued concurrently with it', async () => {
      const w = richHistory(10, 'race')
      await appendAll(store, 'ds3-race', w.updates)
      const loaded = await store.load('ds3-race')
      addParagraph(w.fragment, 'racing one')
      addParagraph(w.fragment, 'racing two')
      const [one, two] = w.updates.slice(-2)
      // Neither awaited before the other starts: one append issued before the compact, one after.
      await Promise.all([
        store.append('ds3-race', one!),
        store.compact('ds3-race', loaded!.update, loaded!.refs),
        store.append('ds3-race', two!),
      ])
      expectSameDoc(await loadDoc(store, 'ds3-race'), w.ydoc)
      expect((await store.load('ds3-race'))!.refs).toHaveLength(3)
    })

    it('[DS3] compact replaces exactly the rows named by refs, no others', async () => {
      const w = writer(11)
      for (const text of ['one', 'two', 'three', 'four']) addParagraph(w.fragment, text)
      await appendAll(store, 'ds3-subset', w.updates)
      const loaded = await store.load('ds3-subset')
      const firstTwo = loaded!.refs.slice(0, 2)
      await store.compact('ds3-subset', Y.mergeUpdates(w.updates.slice(0, 2)), firstTwo)
      const after = await store.load('ds3-subset')
      expect(after!.refs).toHaveLength(3)
      expect(after!.refs).toEqual(expect.arrayContaining(loaded!.refs.slice(2)))
      expectSameDoc(docFrom(after!.update), w.ydoc)
    })

    it('[DS4] loading after compaction yields the same doc (content, state vector, deletions)', async () => {
      const a = richHistory(12, 'a')
      const b = richHistory(13, 'b')
      await appendAll(store, 'ds4', [...a.updates, ...b.updates])
      const before = await loadDoc(store, 'ds4')
      const loaded = await store.load('ds4')
      await store.compact('ds4', loaded!.update, loaded!.refs)
      const after = await loadDoc(store, 'ds4')
      expectSameDoc(after, before)
      expect(after.getXmlFragment('prosemirror').toString()).toContain('b last')
    })

    it('[DS4] repeated compactions with appends between them keep the same doc', async () => {
      const w = writer(14)
      for (let round = 0; round < 4; round++) {
        const ytext = addParagraph(w.fragment, `round ${round}`)
        ytext.format(0, 5, { strong: true })
        if (round > 0) w.fragment.delete(0, 1)
        await appendAll(store, 'ds4-rounds', w.updates.splice(0))
        const loaded = await store.load('ds4-rounds')
        await store.compact('ds4-rounds', loaded!.update, loaded!.refs)
        expectSameDoc(await loadDoc(store, 'ds4-rounds'), w.ydoc)
      }
      expect((await store.load('ds4-rounds'))!.refs).toHaveLength(1)
    })

    it('[DS5] appends to one doc never show in another, even one whose name extends it', async () => {
      const names = ['abc', 'abc/control', 'ab', 'abcd']
      const writers = names.map((docName, i) => {
        const w = writer(20 + i)
        addParagraph(w.fragment, `only in ${docName}`)
        return w
      })
      await Promise.all(names.map((docName, i) => appendAll(store, docName, writers[i]!.updates)))
      for (const [i, docName] of names.entries()) {
        const loaded = await store.load(docName)
        expect(loaded!.refs).toHaveLength(1)
        expectSameDoc(docFrom(loaded!.update), writers[i]!.ydoc)
      }
    })

    it('[DS5] compacting or deleting one doc leaves another untouched', async () => {
      const a = richHistory(30, 'kept')
      const b = richHistory(31, 'other')
      await appendAll(store, 'ds5-a', a.updates)
      await appendAll(store, 'ds5-b', b.updates)
      const loadedB = await store.load('ds5-b')
      await store.compact('ds5-b', loadedB!.update, loadedB!.refs)
      await store.delete('ds5-b')
      const loadedA = await store.load('ds5-a')
      expect(loadedA!.refs).toHaveLength(a.updates.length)
      expectSameDoc(docFrom(loadedA!.update), a.ydoc)
    })

    it('[DS6] delete removes every row of a doc', async () => {
      const w = richHistory(40, 'gone')
      await appendAll(store, 'ds6', w.updates)
      const loaded = await store.load('ds6')
      await store.compact('ds6', loaded!.update, loaded!.refs.slice(1))
      await store.delete('ds6')
      expect(await store.load('ds6')).toBeNull()
      expect(await (await fixture.reopen()).load('ds6')).toBeNull()
    })

    it('[DS7] numbers revisions in order and returns them as given', async () => {
      const first = { snapshot: new Uint8Array([1, 2, 3]), createdAt: 1000, authors: ['u-a'], reason: 'start' }
      const second = { snapshot: new Uint8Array([4, 5]), createdAt: 2000, authors: ['u-a', 'u-b'], reason: 'quiet' }
      expect(await store.appendRevision('ds7', first)).toBe(1)
      expect(await store.appendRevision('ds7', second)).toBe(2)
      expect(await store.appendRevision('ds7-other', first)).toBe(1)
      const listed = await (await fixture.reopen()).listRevisions('ds7')
      expect(listed).toEqual([
        { rev: 1, ...first },
        { rev: 2, ...second },
      ])
      expect(await store.listRevisions('ds7-never')).toEqual([])
    })

    it('[DS6] delete removes revisions too', async () => {
      await store.appendRevision('ds6-revs', { snapshot: new Uint8Array([9]), createdAt: 1, authors: [], reason: 'quiet' })
      await store.delete('ds6-revs')
      expect(await store.listRevisions('ds6-revs')).toEqual([])
      expect(await store.appendRevision('ds6-revs', { snapshot: new Uint8Array([9]), createdAt: 2, authors: [], reason: 'quiet' })).toBe(1)
    })

    it('[DS9] remembers refused writes durably, in order, per doc, through compaction', async () => {
      // Client ids are unsigned 32-bit numbers: the largest must come back exactly.
      const first = [{ client: 4_294_967_295, start: 12, end: 40 }]
      const second = [
        { client: 7, start: 0, end: 3 },
        { client: 8, start: 100, end: 101 },
      ]
      expect(await store.loadRefused('ds9')).toEqual([])
      await store.appendRefused('ds9', first)
      await store.appendRefused('ds9', second)
      await store.appendRefused('ds9-other', [{ client: 1, start: 1, end: 2 }])
      const w = richHistory(43, 'kept')
      await appendAll(store, 'ds9', w.updates)
      const loaded = await store.load('ds9')
      await store.compact('ds9', loaded!.update, loaded!.refs)
      // Read through a second connection: what resolved is durable.
      expect(await (await fixture.reopen()).loadRefused('ds9')).toEqual([...first, ...second])
      expect(await store.loadRefused('ds9-other')).toEqual([{ client: 1, start: 1, end: 2 }])
    })

    it('[DS9] delete removes refused writes too', async () => {
      await store.appendRefused('ds9-gone', [{ client: 3, start: 5, end: 6 }])
      await store.delete('ds9-gone')
      expect(await store.loadRefused('ds9-gone')).toEqual([])
    })

    it('[DS6] a deleted doc starts from scratch when written again', async () => {
      const old = richHistory(41, 'old')
      await appendAll(store, 'ds6-again', old.updates)
      await store.delete('ds6-again')
      const fresh = writer(42)
      addParagraph(fresh.fragment, 'new life')
      await appendAll(store, 'ds6-again', fresh.updates)
      const loaded = await store.load('ds6-again')
      expect(loaded!.refs).toHaveLength(1)
      expectSameDoc(docFrom(loaded!.update), fresh.ydoc)
    })

    it('[DS11] rows returns the stored rows unmerged, in order, with the refs load names', async () => {
      const w = writer(51)
      addParagraph(w.fragment, 'one')
      addParagraph(w.fragment, 'two')
      await appendAll(store, 'ds9', w.updates)
      const rows = await store.rows('ds9')
      expect(rows.map((row) => row.update)).toEqual(w.updates)
      expect(rows.map((row) => row.ref)).toEqual((await store.load('ds9'))!.refs)
      expect(await store.rows('ds9-never')).toEqual([])
    })

    it('[DS12] quarantine moves exactly the named rows out of the log and keeps them for an operator', async () => {
      const w = writer(52)
      addParagraph(w.fragment, 'kept')
      addParagraph(w.fragment, 'moved')
      addParagraph(w.fragment, 'kept too')
      await appendAll(store, 'ds10', w.updates)
      const rows = await store.rows('ds10')
      await store.quarantine('ds10', [rows[1]!.ref], 'poisoned')
      const reopened = await fixture.reopen()
      expect((await reopened.rows('ds10')).map((row) => row.ref)).toEqual([rows[0]!.ref, rows[2]!.ref])
      expect(await reopened.refs('ds10')).toEqual([rows[0]!.ref, rows[2]!.ref])
      const quarantined = await reopened.listQuarantined('ds10')
      expect(quarantined).toHaveLength(1)
      expect(quarantined[0]).toMatchObject({ ref: rows[1]!.ref, update: w.updates[1], reason: 'poisoned' })
      expect(await store.listQuarantined('ds10-never')).toEqual([])
      await store.delete('ds10')
      expect(await store.listQuarantined('ds10')).toEqual([])
    })

    it('[DS13] load returns the least checks of the rows it merged, kept through compaction and quarantine', async () => {
      const w = writer(53)
      for (const text of ['one', 'two', 'three', 'four']) addParagraph(w.fragment, text)
      await store.append('ds13', w.updates[0]!, 2)
      expect((await store.load('ds13'))!.checks).toBe(2)
      await store.append('ds13', w.updates[1]!, 3)
      expect((await (await fixture.reopen()).load('ds13'))!.checks).toBe(2)
      await store.append('ds13', w.updates[2]!)
      const loaded = await store.load('ds13')
      expect(loaded!.checks).toBe(0)
      // The unchecked row compacted into a checked one: the doc loads checked.
      await store.compact('ds13', loaded!.update, loaded!.refs, 2)
      expect((await store.load('ds13'))!.checks).toBe(2)
      // A compaction without checks stores its row unchecked.
      await store.append('ds13', w.updates[3]!, 2)
      const again = await store.load('ds13')
      await store.compact('ds13', again!.update, again!.refs)
      expect((await (await fixture.reopen()).load('ds13'))!.checks).toBe(0)
      // Quarantining the only unchecked row leaves the checked ones.
      await store.append('ds13-q', w.updates[0]!, 1)
      await store.append('ds13-q', w.updates[1]!)
      const rows = await store.rows('ds13-q')
      await store.quarantine('ds13-q', [rows[1]!.ref], 'poisoned')
      expect((await store.load('ds13-q'))!.checks).toBe(1)
    })
  })
}
