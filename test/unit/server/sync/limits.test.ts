/** Connection limits: message rate, send backlog (slow consumers), awareness ownership and size. */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../../../shared/close-codes.ts'
import { messageAwareness } from '../../../../shared/protocol.ts'
import { useRegistryFixture } from '../../../helpers/registry-fixture.ts'
import { waitFor } from '../../../helpers/wait-for.ts'
import { h, p, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'limits'
const fixture = useRegistryFixture(docName, () => padUpdate(h(2, 'Goals'), p('seeded')))
const joined = () => fixture.joined()
const makeRegistry = fixture.make




/** An awareness frame with the given (clientId, state) entries. */
function awarenessFrame(entries: [number, Record<string, unknown> | null][]): Uint8Array {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, entries.length)
  for (const [client, state] of entries) {
    encoding.writeVarUint(inner, client)
    encoding.writeVarUint(inner, 1)
    encoding.writeVarString(inner, JSON.stringify(state))
  }
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageAwareness)
  encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner))
  return encoding.toUint8Array(encoder)
}

describe('connection limits', () => {
  it('closes a connection that cannot be paused and sends faster than its rate and burst allow (1013), not one within them', async () => {
    makeRegistry({ rateLimit: { perSecond: 5, burst: 20 } })
    const calm = await joined()
    const flood = await joined()
    for (let i = 0; i < 15; i++) calm.setAwareness({ n: i })
    for (let i = 0; i < 40; i++) flood.setAwareness({ n: i })
    await Promise.all([calm.idle(), flood.idle()])
    expect(flood.socket.closedWith?.code).toBe(CloseCode.rateLimited)
    expect(flood.socket.closedWith?.reason).toMatch(/^rate limited; retry in \d+ s$/)
    expect(calm.socket.closedWith).toBeNull()
  })

  it('slows a connection over its rate by pausing its socket, never closing it, and resumes once the bucket refills', async () => {
    makeRegistry({ rateLimit: { perSecond: 50, burst: 10 } })
    const flood = await joined()
    const pauses: string[] = []
    flood.socket.pause = () => pauses.push('pause')
    flood.socket.resume = () => pauses.push('resume')
    for (let i = 0; i < 40; i++) flood.setAwareness({ n: i })
    await flood.idle()
    expect(flood.connection.isPaused).toBe(true)
    expect(pauses).toEqual(['pause'])
    await waitFor(() => !flood.connection.isPaused, 5000, 'resumed')
    expect(pauses).toEqual(['pause', 'resume'])
    expect(flood.socket.closedWith).toBeNull()
  })

  it('closes a client whose send backlog passes the bound (1013, slow consumer) and keeps serving the others', async () => {
    makeRegistry({ maxSendBacklogBytes: 10_000 })
    const stalled = await joined()
    const reader = await joined()
    const writer = await joined()
    stalled.socket.bufferedAmount = 20_000
    writer.sendUpdate(writer.edit((fragment) => fragment.insert(0, [new Y.XmlElement('paragraph')])))
    await writer.idle()
    expect(stalled.socket.closedWith).toEqual({ code: CloseCode.slowConsumer, reason: 'slow consumer; retry in 1 s' })
    expect(reader.socket.closedWith).toBeNull()
    expect(reader.deliver().some((frame) => frame.type === 'update')).toBe(true)
  })

  it('lets a connection speak only for its own awareness client id, dropping the rest, and bounds state size', async () => {
    makeRegistry()
    const owner = await joined()
    owner.setAwareness({ user: { name: 'Ada' } })
    await owner.idle()

    // Removing or overwriting another connection's state is ignored (stock clients echo states).
    const spoofer = await joined()
    spoofer.send(awarenessFrame([[owner.ydoc.clientID, null]]))
    spoofer.send(awarenessFrame([[owner.ydoc.clientID, { user: { name: 'Mallory' } }]]))
    await spoofer.idle()

    // A second live client id on one connection is ignored; the first stays.
    const switcher = await joined()
    switcher.setAwareness({ user: { name: 'Me' } })
    switcher.send(awarenessFrame([[switcher.ydoc.clientID + 1, { user: { name: 'Someone else' } }]]))
    const batcher = await joined()
    batcher.send(awarenessFrame([[1001, { user: { name: 'One' } }], [1002, { user: { name: 'Two' } }]]))
    await Promise.all([switcher.idle(), batcher.idle()])

    const big = await joined()
    big.setAwareness({ user: { name: 'x'.repeat(10_000) } })
    await big.idle()
    expect(big.socket.closedWith).toEqual({ code: CloseCode.forbidden, reason: 'awareness state too large' })

    const observer = await joined()
    observer.deliver()
    const states = observer.awareness.getStates()
    expect(states.get(owner.ydoc.clientID)).toEqual({ user: { name: 'Ada' } })
    expect(states.get(switcher.ydoc.clientID)).toEqual({ user: { name: 'Me' } })
    expect(states.has(switcher.ydoc.clientID + 1)).toBe(false)
    expect(states.get(1001)).toEqual({ user: { name: 'One' } })
    expect(states.has(1002)).toBe(false)
    expect([owner, spoofer, switcher, batcher].map((peer) => peer.socket.closedWith)).toEqual([null, null, null, null])
  })
})
