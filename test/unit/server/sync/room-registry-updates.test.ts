/**
 * RoomRegistry updates: stored before they are broadcast or acknowledged, acks only to who asked,
 * no echo to the sender, malformed or unknown frames refused (4400), a store failure closing the
 * sender (1013) with nothing shown; the room holds only stored content; a leaver's awareness state
 * is removed for the others.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../../../shared/close-codes.ts'
import { isCoveredBy, messageSync } from '../../../../shared/protocol.ts'
import { stateVectorOf } from '../../../helpers/fake-socket.ts'
import { appendParagraph, useControlledRegistryFixture } from '../../../helpers/registry-fixture.ts'
import type { SyncPeer } from '../../../helpers/sync-peer.ts'
import { settle, waitFor } from '../../../helpers/wait-for.ts'
import { docFromUpdate, h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'pad-1'
const fixture = useControlledRegistryFixture(docName, () => padUpdate(h(2, 'Goals'), p('seeded')))
const { joinSynced, storedText } = fixture

describe('RoomRegistry updates', () => {
  it('stores an update before broadcasting it or acknowledging it', async () => {
    const author = await joinSynced(docName, { wantsAck: true })
    const reader = await joinSynced()
    const framesBefore = { author: author.socket.sent.length, reader: reader.socket.sent.length }

    const append = fixture.store.hold('append')
    author.edit(appendParagraph('durable first'))
    await waitFor(() => fixture.store.count('append') === 1, 1000, 'append started')
    await settle()
    expect(reader.socket.sent.length).toBe(framesBefore.reader)
    expect(author.socket.sent.length).toBe(framesBefore.author)
    expect(await storedText()).not.toContain('durable first')

    append.release()
    await author.idle()
    expect(await storedText()).toContain('durable first')
    expect(reader.received('update')).toHaveLength(1)
    const acks = author.received('ack')
    expect(isCoveredBy(stateVectorOf(author.ydoc), acks.at(-1)!.stateVector)).toBe(true)
    reader.deliver()
    expect(padText(reader.ydoc)).toBe(padText(author.ydoc))
  })

  it('sends ack frames only to connections that asked for them', async () => {
    const acked = await joinSynced(docName, { wantsAck: true })
    const plain = await joinSynced(docName, { wantsAck: false })
    acked.edit(appendParagraph('from acked'))
    plain.edit(appendParagraph('from plain'))
    await Promise.all([acked.idle(), plain.idle()])
    expect(plain.received('ack')).toEqual([])
    const acks = acked.received('ack')
    expect(acks.length).toBeGreaterThan(0)
    expect(isCoveredBy(stateVectorOf(acked.ydoc), acks.at(-1)!.stateVector)).toBe(true)
  })

  it('does not echo an update to its sender', async () => {
    const author = await joinSynced()
    const reader = await joinSynced()
    author.edit(appendParagraph('not for me'))
    await author.idle()
    expect(reader.received('update')).toHaveLength(1)
    expect(author.received('update')).toEqual([])
  })

  it('closes the sender of a malformed update with 4400 and stores nothing', async () => {
    const sender = await joinSynced()
    const bystander = await joinSynced()
    const appendsBefore = fixture.store.count('append')
    // A sync update whose payload claims 200 structs for client 7 and then ends.
    sender.sendUpdate(new Uint8Array([1, 200, 7, 3, 0, 0]))
    await sender.idle()
    expect(sender.socket.closedWith?.code).toBe(CloseCode.malformedMessage)
    expect(fixture.store.count('append')).toBe(appendsBefore)
    expect(bystander.socket.closedWith).toBeNull()
    expect(bystander.received('update')).toEqual([])

    bystander.edit(appendParagraph('still working'))
    await bystander.idle()
    expect(await storedText()).toContain('still working')
  })

  it('refuses a sync frame type it does not know with 4400', async () => {
    const peer = await joinSynced()
    peer.send(new Uint8Array([messageSync, 9, 0]))
    await peer.idle()
    expect(peer.socket.closedWith?.code).toBe(CloseCode.malformedMessage)
  })

  it('closes the sender with 1013 (try again later) when the store rejects its update, and shows it to no one', async () => {
    const author = await joinSynced(docName, { wantsAck: true })
    const reader = await joinSynced()
    fixture.store.failNext('append')
    author.edit(appendParagraph('never stored'))
    await author.idle()
    expect(author.socket.closedWith?.code).toBe(CloseCode.tryAgainLater)
    expect(author.received('ack').filter((ack) => ack.stateVector.has(author.ydoc.clientID))).toEqual([])
    expect(reader.received('update')).toEqual([])
    const late = await joinSynced()
    expect(padText(late.ydoc)).not.toContain('never stored')
  })
})

describe('Room content', () => {
  // Found by test/integration/convergence.test.ts. Applying a client's update is a remote
  // transaction for the Room's Y.Doc, and after one Yjs cleans up formatting markers left empty
  // (cleanupYTextAfterTransaction) in a new transaction whose origin is null. Room.onDocUpdate
  // used to ignore updates without an UpdateOrigin, so that deletion was neither stored nor broadcast:
  // the room serves new clients content that is not in the store and that connected clients
  // never receive.
  it('holds only stored content after one client bolds a word another deletes', async () => {
    await fixture.memory.delete(docName)
    await fixture.memory.append(docName, padUpdate(p('hello world')))
    const bolder = await joinSynced()
    const deleter = await joinSynced()
    const textOf = (peer: SyncPeer) => (peer.fragment.get(0) as Y.XmlElement).get(0) as Y.XmlText
    bolder.edit(() => textOf(bolder).format(6, 5, { strong: true }))
    deleter.edit(() => textOf(deleter).delete(6, 5))
    await Promise.all([bolder.idle(), deleter.idle()])

    const served = await joinSynced()
    const stored = docFromUpdate((await fixture.memory.load(docName))!.update)
    expect(padText(served.ydoc)).toBe(padText(stored))
    expect(Y.equalSnapshots(Y.snapshot(served.ydoc), Y.snapshot(stored))).toBe(true)
  })
})

describe('RoomRegistry awareness', () => {
  it('removes the awareness state of a connection for the others when it disconnects', async () => {
    const leaver = await joinSynced()
    const stayer = await joinSynced()
    leaver.setAwareness({ user: { name: 'Grace' } })
    await leaver.idle()
    stayer.deliver()
    expect(stayer.awareness.getStates().get(leaver.ydoc.clientID)).toEqual({ user: { name: 'Grace' } })

    leaver.disconnect()
    await settle()
    stayer.deliver()
    expect(stayer.awareness.getStates().has(leaver.ydoc.clientID)).toBe(false)
    const late = await joinSynced()
    late.deliver()
    expect(late.awareness.getStates().has(leaver.ydoc.clientID)).toBe(false)
  })
})
