/**
 * RoomRegistry cold loads: a room only read is served from its stored bytes (its doc built on the
 * first edit); rows stored checked skip the load's walk, others are checked and a bad row
 * quarantined; the server's step 1 reads its state vector from the load's walk or in slices after
 * the client is answered. And the checks version each stored row records (DocStore [DS13]).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { loadChecksVersion, poisonValueDepth } from '../../../../server/sync/quarantine.ts'
import { StoredWalk } from '../../../../server/sync/stored-walk.ts'
import { padFragmentName } from '../../../../shared/schema.ts'
import { appendParagraph, useControlledRegistryFixture } from '../../../helpers/registry-fixture.ts'
import { settle, waitFor } from '../../../helpers/wait-for.ts'
import { h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'pad-1'
const fixture = useControlledRegistryFixture(docName, () => padUpdate(h(2, 'Goals'), p('seeded')))
const { join, joinSynced, storedText } = fixture

describe('RoomRegistry loading', () => {
  it('keeps a room that is only read as its stored bytes, and builds its doc on the first edit', async () => {
    const readers = [join(), join(), join()]
    for (const reader of readers) reader.sendSyncStep1()
    await Promise.all(readers.map((reader) => reader.idle()))
    await settle()
    for (const reader of readers) {
      // Served the whole pad, and asked (with the stored state vector) for what the client has.
      expect(reader.socket.frames().map((frame) => frame.type)).toEqual(['sync-step1', 'sync-step2'])
      const step1 = reader.socket.frames()[0] as { stateVector: Uint8Array }
      expect(Y.decodeStateVector(step1.stateVector)).toEqual(Y.decodeStateVector(Y.encodeStateVectorFromUpdate((await fixture.memory.load(docName))!.update)))
      reader.deliver()
      expect(padText(reader.ydoc)).toContain('seeded')
    }
    expect(await fixture.registry.builtDocNames()).toEqual([])

    // A client that edited offline answers the server's step 1 with its changes: stored and sent on.
    const offline = new Y.Doc({ gc: false })
    Y.applyUpdate(offline, (await fixture.memory.load(docName))!.update)
    offline.getXmlFragment(padFragmentName).insert(0, [p('written offline')])
    const returning = join()
    returning.sendSyncStep1()
    await returning.idle()
    await settle()
    Y.applyUpdate(returning.ydoc, Y.encodeStateAsUpdate(offline))
    returning.deliver()
    await returning.idle()
    await waitFor(async () => (await storedText()).includes('written offline'), 1000, 'offline edit stored')
    expect(await fixture.registry.builtDocNames()).toEqual([docName])
    await waitFor(() => readers.every((reader) => (reader.deliver(), padText(reader.ydoc).includes('written offline'))), 1000, 'readers see the edit')
  })

  it('loads a pad whose rows were all stored checked without checking it again, and reads its state vector for the step 1 meanwhile', async () => {
    await fixture.memory.delete(docName)
    // More structs than one turn's slice (structsPerTurn): the state vector takes several turns.
    await fixture.memory.append(docName, padUpdate(...Array.from({ length: 6000 }, (_, i) => p(`paragraph ${i} ${'x'.repeat(20)}`))), loadChecksVersion)
    await fixture.memory.append(docName, padUpdate(p('a later edit')), loadChecksVersion)
    const stored = (await fixture.memory.load(docName))!.update
    const checkedBefore = StoredWalk.totalChecked
    const reader = join()
    reader.sendSyncStep1()
    await reader.idle()
    await waitFor(() => reader.socket.frames().length === 2, 2000, 'the server step 1')
    expect(StoredWalk.totalChecked - checkedBefore).toBe(0)
    // The client is answered before the state vector is read, and gets the server's step 1 once it is.
    expect(reader.socket.frames().map((frame) => frame.type)).toEqual(['sync-step2', 'sync-step1'])
    const step1 = reader.socket.frames()[1] as { stateVector: Uint8Array }
    expect(Y.decodeStateVector(step1.stateVector)).toEqual(Y.decodeStateVector(Y.encodeStateVectorFromUpdate(stored)))
    reader.deliver()
    expect(padText(reader.ydoc)).toContain('a later edit')
    expect(await fixture.registry.builtDocNames()).toEqual([])
  })

  it('checks a pad with any row not stored checked, and quarantines its bad row', async () => {
    await fixture.memory.delete(docName)
    await fixture.memory.append(docName, padUpdate(...Array.from({ length: 40 }, (_, i) => p(`paragraph ${i}`))), loadChecksVersion)
    // A row nested deeper than Yjs re-encodes, as a tool writing without the checks could store.
    const poisoned = new Y.Doc()
    let value: unknown = 1
    for (let i = 0; i <= poisonValueDepth; i++) value = [value]
    poisoned.getArray('a').push([value])
    await fixture.memory.append(docName, Y.encodeStateAsUpdate(poisoned))
    const checkedBefore = StoredWalk.totalChecked
    const reader = join()
    reader.sendSyncStep1()
    await reader.idle()
    expect(StoredWalk.totalChecked - checkedBefore).toBeGreaterThan(0)
    expect(await fixture.memory.listQuarantined(docName)).toHaveLength(1)
    reader.deliver()
    expect(padText(reader.ydoc)).toContain('paragraph 39')
  })

  it('walks a large unbuilt pad once: the load checks its bytes and reads the state vector of the server step 1', async () => {
    await fixture.memory.delete(docName)
    await fixture.memory.append(docName, padUpdate(...Array.from({ length: 400 }, (_, i) => p(`paragraph ${i} ${'x'.repeat(200)}`))))
    const stored = (await fixture.memory.load(docName))!.update
    const walkedBefore = StoredWalk.totalWalked
    const reader = join()
    reader.sendSyncStep1()
    await reader.idle()
    const walkedByLoad = StoredWalk.totalWalked - walkedBefore
    // Issue 21: the step 1 walked the whole pad a second time (after the load's check), as long
    // as the check itself on a cold process; now it is read from the load's walk.
    const once = new StoredWalk(stored, { content: null, deleteSet: true })
    once.step(Number.POSITIVE_INFINITY)
    expect(walkedByLoad).toBe(StoredWalk.totalWalked - walkedBefore - walkedByLoad)
    expect(reader.socket.frames().map((frame) => frame.type)).toEqual(['sync-step1', 'sync-step2'])
    const step1 = reader.socket.frames()[0] as { stateVector: Uint8Array }
    expect(Y.decodeStateVector(step1.stateVector)).toEqual(Y.decodeStateVector(Y.encodeStateVectorFromUpdate(stored)))
    reader.deliver()
    expect(padText(reader.ydoc)).toContain('paragraph 399')
    expect(await fixture.registry.builtDocNames()).toEqual([])
  })

  it('after quarantining a row, answers a fresh client of a large pad before reading its state vector for the server step 1', async () => {
    await fixture.memory.delete(docName)
    await fixture.memory.append(docName, padUpdate(...Array.from({ length: 6000 }, (_, i) => p(`paragraph ${i} ${'x'.repeat(20)}`))))
    // A row nested deeper than Yjs re-encodes (stored before the checks): set aside at load, so
    // the state vector of what is left is not known from the load's walk.
    const poisoned = new Y.Doc()
    let value: unknown = 1
    for (let i = 0; i <= poisonValueDepth; i++) value = [value]
    poisoned.getArray('a').push([value])
    await fixture.memory.append(docName, Y.encodeStateAsUpdate(poisoned))
    const reader = join()
    reader.sendSyncStep1()
    await reader.idle()
    expect(await fixture.memory.listQuarantined(docName)).toHaveLength(1)
    await waitFor(() => reader.socket.frames().length === 2, 2000, 'the server step 1')
    expect(reader.socket.frames().map((frame) => frame.type)).toEqual(['sync-step2', 'sync-step1'])
    reader.deliver()
    expect(padText(reader.ydoc)).toContain('paragraph 5999')
  })
})

describe('RoomRegistry: the checks stored rows record (DocStore [DS13])', () => {
  it('stores clients\' updates and the server\'s changes as checked, and compacts a walked pad into a checked row', async () => {
    // The seed row of beforeEach was stored without checks: the load walks it.
    expect((await fixture.memory.load(docName))!.checks).toBe(0)
    const author = await joinSynced()
    author.edit(appendParagraph('typed'))
    await author.idle()
    await fixture.registry.change(docName, (ydoc) => appendParagraph('made by the server')(ydoc.getXmlFragment(padFragmentName)))
    expect(fixture.memory.rowChecks(docName)).toEqual([0, loadChecksVersion, loadChecksVersion])
    await fixture.registry.close()
    expect(fixture.memory.rowCount(docName)).toBe(1)
    expect((await fixture.memory.load(docName))!.checks).toBe(loadChecksVersion)
    expect(await storedText()).toContain('made by the server')
  })

  it('stores a server change that fails the load\'s checks unchecked, and its compaction too', async () => {
    await fixture.memory.delete(docName)
    await fixture.memory.append(docName, padUpdate(p('checked')), loadChecksVersion)
    await fixture.registry.change(docName, (ydoc) => {
      let value: unknown = 1
      for (let i = 0; i <= poisonValueDepth; i++) value = [value]
      ydoc.getArray('a').push([value])
    })
    expect(fixture.memory.rowChecks(docName)).toEqual([loadChecksVersion, 0])
    await fixture.registry.close()
    expect(fixture.memory.rowChecks(docName)).toEqual([0])
  })
})
