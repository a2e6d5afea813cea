/**
 * RoomDoc.encodeWhole (what a compaction from the live doc stores) with parts Yjs keeps pending:
 * Yjs holds them in the v2 encoding, and reading them as v1 updates turned a pending struct with
 * a key (a format mark) into a garbage delete set (client 0, clocks about twice the real client
 * ids), which the compacted row kept and every client loading the pad got as pending deletions.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { RoomDoc } from '../../../../server/sync/room-doc.ts'
import { useRegistryFixture } from '../../../helpers/registry-fixture.ts'
import { waitFor } from '../../../helpers/wait-for.ts'
import { h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'
import { scratchDoc } from '../../../../server/sync/scratch-doc.ts'

/** The deleted ranges an update names, per client, as [client, [[clock, len]…]]. */
function deletions(update: Uint8Array): [number, [number, number][]][] {
  return [...Y.decodeUpdate(update).ds.clients].map(([client, ranges]) => [client, ranges.map((r): [number, number] => [r.clock, r.len])])
}

/**
 * An author's paragraph (`base`, not sent anywhere yet) and another author's edits building on
 * it (`onTop`: bold over part of the text, a deletion in it), as updates.
 */
function boldOverUnseenText() {
  const author = new Y.Doc({ gc: false })
  author.clientID = 3_162_255_330
  author.getXmlFragment('prosemirror').insert(0, [p('hello world')])
  const base = Y.encodeStateAsUpdate(author)
  const other = new Y.Doc({ gc: false })
  other.clientID = 3_872_043_166
  Y.applyUpdate(other, base)
  const before = Y.encodeStateVector(other)
  const text = (other.getXmlFragment('prosemirror').get(0) as Y.XmlElement).get(0) as Y.XmlText
  text.format(1, 4, { strong: true })
  text.delete(6, 2)
  return { base, onTop: Y.encodeStateAsUpdate(other, before), expected: other }
}

describe('RoomDoc.encodeWhole', () => {
  it('includes what Yjs keeps pending, with no deletions the doc does not have', () => {
    const { base, onTop, expected } = boldOverUnseenText()
    const roomDoc = new RoomDoc(
      () => {},
      () => {},
    )
    roomDoc.apply([onTop], { kind: 'store' })
    expect(roomDoc.doc.store.pendingStructs).not.toBeNull()
    expect(roomDoc.doc.store.pendingDs).not.toBeNull()

    const whole = roomDoc.encodeWhole()
    // Only the pending edit's deletion, nothing else.
    expect(deletions(whole)).toEqual(deletions(onTop))
    const loaded = new Y.Doc({ gc: false })
    Y.applyUpdate(loaded, whole)
    Y.applyUpdate(loaded, base)
    expect(loaded.store.pendingStructs).toBeNull()
    expect(loaded.store.pendingDs).toBeNull()
    expect(loaded.getXmlFragment('prosemirror').toString()).toBe(expected.getXmlFragment('prosemirror').toString())
    roomDoc.release()
  })
})

describe('a compaction from the live doc while edits are pending', () => {
  const docName = 'pending-compaction'
  const fixture = useRegistryFixture(docName, () => padUpdate(h(2, 'Notes'), p('seeded')))

  it('stores no deletions the doc does not have', async () => {
    fixture.make({ compactAfterRows: 3 })
    const { base, onTop } = boldOverUnseenText()
    const peer = await fixture.joined()
    peer.sendUpdate(onTop)
    await peer.idle()
    // The room keeps an edit on a paragraph it has not seen pending, as Yjs does.
    expect(peer.socket.closedWith).toBeNull()
    expect(await fixture.registry.read(docName, (ydoc) => ydoc.store.pendingStructs !== null)).toBe(true)
    peer.edit((fragment) => fragment.insert(1, [p('one')]))
    peer.edit((fragment) => fragment.insert(1, [p('two')]))
    await peer.idle()
    await waitFor(() => fixture.store.rowCount(docName) === 1, 5000, 'the log compacted into one row')
    const whole = (await fixture.store.load(docName))!.update
    // Only the pending edit's deletion, nothing else.
    expect(deletions(whole)).toEqual(deletions(onTop))
    const rebuilt = new Y.Doc({ gc: false })
    Y.applyUpdate(rebuilt, whole)
    Y.applyUpdate(rebuilt, base)
    expect(rebuilt.store.pendingStructs).toBeNull()
    expect(rebuilt.store.pendingDs).toBeNull()
    expect(padText(rebuilt)).toContain('<paragraph>h<strong>ello</strong> rld</paragraph>')
  })
})

describe('RoomDoc.doc', () => {
  it('names its Y.Doc without drawing a random UUID (31 calls to the random source per room)', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/
    const one = new RoomDoc(() => {}, () => {}).doc
    const two = new RoomDoc(() => {}, () => {}).doc
    expect(one.guid).not.toMatch(uuid)
    expect(one.guid).not.toBe(two.guid)
    expect(one.gc).toBe(false)
  })
})

describe('scratchDoc', () => {
  it('makes the server\'s short-lived docs without drawing a random UUID either', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/
    const one = scratchDoc()
    const read = scratchDoc(true)
    expect(one.guid).not.toMatch(uuid)
    expect(read.guid).not.toBe(one.guid)
    expect([one.gc, read.gc]).toEqual([false, true])
  })
})


describe('RoomDoc.stateVector', () => {
  /** What Yjs reads off the doc itself: what every answer must equal. */
  const walked = (roomDoc: RoomDoc) => Y.encodeStateVector(roomDoc.doc)

  it('is read once per change of a built doc, and is always the doc\'s own', () => {
    const { base, onTop } = boldOverUnseenText()
    const roomDoc = new RoomDoc(() => {}, () => {})
    roomDoc.loaded(padUpdate(h(2, 'Goals'), p('first')))
    roomDoc.build()
    const first = roomDoc.stateVector()
    expect(first).toEqual(walked(roomDoc))
    // The same bytes until the next change (acknowledgements and step 1s of a join storm).
    expect(roomDoc.stateVector()).toBe(first)

    // An edit that waits for what it builds on does not move the state vector ...
    roomDoc.apply([onTop], { kind: 'store' })
    expect(roomDoc.doc.store.pendingStructs).not.toBeNull()
    expect(roomDoc.stateVector()).toEqual(walked(roomDoc))
    // ... until its base arrives and both are integrated.
    roomDoc.apply([base], { kind: 'store' })
    expect(roomDoc.doc.store.pendingStructs).toBeNull()
    const both = roomDoc.stateVector()
    expect(both).toEqual(walked(roomDoc))
    expect(both).not.toEqual(first)

    // A change made on the doc itself (not through apply), and one that only deletes.
    const fragment = roomDoc.doc.getXmlFragment('prosemirror')
    roomDoc.doc.transact(() => fragment.insert(fragment.length, [p('added by the server')]))
    const added = roomDoc.stateVector()
    expect(added).toEqual(walked(roomDoc))
    expect(added).not.toEqual(both)
    roomDoc.doc.transact(() => fragment.delete(0, 1))
    expect(roomDoc.stateVector()).toEqual(walked(roomDoc))
    roomDoc.release()
  })

  it('is read from the stored bytes while the doc is not built', () => {
    const stored = padUpdate(h(2, 'Notes'), p('kept as bytes'))
    const roomDoc = new RoomDoc(() => {}, () => {})
    roomDoc.loaded(stored)
    const fromBytes = roomDoc.stateVector()
    expect(roomDoc.isBuilt).toBe(false)
    const reference = new Y.Doc()
    Y.applyUpdate(reference, stored)
    expect(fromBytes).toEqual(Y.encodeStateVector(reference))
    roomDoc.build()
    expect(roomDoc.stateVector()).toEqual(fromBytes)
    roomDoc.release()
  })
})
