/**
 * RoomRegistry loading: one shared load for concurrent first connections, a failed load retried by
 * the next one, frames sent during the load replayed in order after it, and the bytes they may
 * queue meanwhile bounded (not those sent over time). No child logger per room until it logs.
 */
import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { silentLogger } from '../../../../server/observability/log.ts'
import { CloseCode } from '../../../../shared/close-codes.ts'
import { appendParagraph, useControlledRegistryFixture } from '../../../helpers/registry-fixture.ts'
import { settle, waitFor } from '../../../helpers/wait-for.ts'
import { h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'pad-1'
const fixture = useControlledRegistryFixture(docName, () => padUpdate(h(2, 'Goals'), p('seeded')))
const { join, joinSynced, storedText, make: makeRegistry } = fixture

describe('RoomRegistry loading', () => {
  it('makes a loaded room no child logger until the room logs', async () => {
    // A child logger per room costs about a kilobyte (issue 21): most rooms never log.
    const children: Record<string, unknown>[] = []
    const counting: typeof silentLogger = {
      ...silentLogger,
      child: (bindings) => {
        children.push(bindings)
        return counting
      },
    }
    makeRegistry({ logger: counting })
    const peer = await joinSynced()
    peer.edit(appendParagraph('no log needed'))
    await peer.idle()
    expect(children.filter((bindings) => 'docName' in bindings)).toEqual([])
  })

  it('shares one load between concurrent first connections', async () => {
    const load = fixture.store.hold('load')
    const joined = [join(), join(), join()]
    await waitFor(() => fixture.store.count('load') > 0, 1000, 'first load')
    await settle()
    expect(fixture.store.count('load')).toBe(1)
    load.release()
    await Promise.all(joined.map((peer) => peer.idle()))
    expect(fixture.store.count('load')).toBe(1)
    for (const peer of joined) {
      peer.sendSyncStep1()
      await peer.idle()
      peer.deliver()
      expect(padText(peer.ydoc)).toContain('seeded')
    }
  })

  it('closes the connection with 1011 when the load fails, and the next connection loads again', async () => {
    fixture.store.failNext('load')
    const first = join()
    first.sendSyncStep1()
    await first.idle()
    expect(first.socket.closedWith?.code).toBe(CloseCode.internalError)
    expect(first.socket.sent).toEqual([])

    const second = await joinSynced()
    expect(fixture.store.count('load')).toBe(2)
    expect(second.socket.closedWith).toBeNull()
    expect(padText(second.ydoc)).toContain('seeded')
  })

  it('processes frames sent while the room loads after the load, in order', async () => {
    const load = fixture.store.hold('load')
    const peer = join(docName, { wantsAck: true })
    peer.sendSyncStep1()
    const first = peer.edit(appendParagraph('first'))
    const second = peer.edit((fragment) => {
      const ytext = (fragment.get(0) as Y.XmlElement).get(0) as Y.XmlText
      ytext.insert(0, 'second ')
    })
    peer.setAwareness({ user: { name: 'Ada' } })
    await settle()
    expect(fixture.store.count('append')).toBe(0)
    expect(peer.socket.sent).toEqual([])

    load.release()
    await peer.idle()
    const appended = fixture.store.calls.filter((call) => call.method === 'append').map((call) => call.update)
    expect(appended).toEqual([first, second])
    // The server's own step 1 (read from the stored bytes), the answer to the client's step 1,
    // then the acks in order.
    expect(peer.socket.frames().map((frame) => frame.type)).toEqual(['sync-step1', 'sync-step2', 'ack', 'ack'])
    expect(await storedText()).toContain('<paragraph>second first</paragraph>')

    peer.deliver()
    const other = await joinSynced()
    expect(padText(other.ydoc)).toBe(padText(peer.ydoc))
    expect(other.awareness.getStates().get(peer.ydoc.clientID)).toEqual({ user: { name: 'Ada' } })
  })

  it('closes a connection (1013) when more than maxQueuedBytes wait for the load', async () => {
    makeRegistry({ maxQueuedBytesPerConnection: 1000 })
    const load = fixture.store.hold('load')
    const flooder = join()
    const bystander = join()
    const big = (label: string) => padUpdate(p(`${label} ${'x'.repeat(600)}`))
    flooder.sendUpdate(big('one'))
    expect(flooder.socket.closedWith).toBeNull()
    flooder.sendUpdate(big('two'))
    expect(flooder.socket.closedWith?.code).toBe(CloseCode.rateLimited)

    load.release()
    await Promise.all([flooder.idle(), bystander.idle()])
    expect(fixture.store.count('append')).toBe(0)
    expect(bystander.socket.closedWith).toBeNull()
  })

  it('bounds only the bytes waiting, not the bytes a connection sends over time', async () => {
    makeRegistry({ maxQueuedBytesPerConnection: 1000 })
    const peer = await joinSynced()
    for (let i = 0; i < 5; i++) {
      peer.edit(appendParagraph(`${i} ${'y'.repeat(600)}`))
      await peer.idle()
    }
    expect(peer.socket.closedWith).toBeNull()
    expect(fixture.store.count('append')).toBe(5)
  })
})
