/**
 * The Bus contract: rules [BUS1]–[BUS7] from the doc comment in `server/bus/bus.ts`, each test
 * named by its rule ID, always with two bus instances on one service. Every Bus that fans out
 * (RedisBus, and the in-memory hub unit tests use) registers this suite with a factory for two
 * fresh instances; one whose service a test can stop and start also registers [BUS7].
 */
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Bus, DocMessage, SessionEvent } from '../../../server/bus/bus.ts'
import { waitFor } from '../wait-for.ts'

export interface BusFixture {
  /** Two instances on the same service, both up. */
  a: Bus
  b: Bus
  /** Closes both buses and everything else the fixture opened. */
  cleanup(): Promise<void>
}

export interface BusOutageFixture extends BusFixture {
  /** Makes the service unreachable (for Redis: kills the server); resolves once it is. */
  interrupt(): Promise<void>
  /** Brings the service back at the same address; resolves once it answers. */
  restore(): Promise<void>
}

/** A doc name no other test (or parallel run) uses. */
function freshDoc(label = 'doc'): string {
  return `${label}-${randomBytes(6).toString('hex')}`
}

const text = new TextEncoder()
const utf8 = new TextDecoder()
const message = (body: string, kind: DocMessage['kind'] = 'update'): DocMessage => ({ kind, payload: text.encode(body) })
const bodyOf = (received: DocMessage) => utf8.decode(received.payload)

/** Subscribes a recording handler; `bodies()` are the payloads received so far as strings. */
async function record(bus: Bus, docName: string) {
  const received: DocMessage[] = []
  const unsubscribe = await bus.subscribe(docName, (msg) => received.push(msg))
  return { received, unsubscribe, bodies: () => received.map(bodyOf) }
}

function recordSessionEvents(bus: Bus) {
  const events: SessionEvent[] = []
  const off = bus.onSessionEvent((event) => events.push(event))
  return { events, off, ids: () => events.map((event) => event.sessionId) }
}

export function registerBusContract(
  name: string,
  factory: () => Promise<BusFixture>,
  outageFactory?: () => Promise<BusOutageFixture>,
): void {
  describe(`Bus contract: ${name}`, () => {
    let fixture: BusFixture
    let a: Bus
    let b: Bus
    beforeEach(async () => {
      fixture = await factory()
      ;({ a, b } = fixture)
    })
    afterEach(async () => {
      await fixture.cleanup()
    })

    it('[BUS1] a message published right after subscribe resolved is delivered', async () => {
      // Many fresh docs: a subscribe that resolved before the service confirmed it would lose some.
      const docs = Array.from({ length: 30 }, () => freshDoc())
      const recorders: Awaited<ReturnType<typeof record>>[] = []
      for (const doc of docs) {
        const recorder = await record(a, doc)
        await b.publish(doc, message(`first ${doc}`))
        recorders.push(recorder)
      }
      await waitFor(() => recorders.every((r) => r.received.length === 1), 5000, 'every first message')
      recorders.forEach((r, i) => expect(r.bodies()).toEqual([`first ${docs[i]}`]))
      expect(a.status()).toBe('up')
      expect(b.status()).toBe('up')
    })

    it('[BUS1] a second handler of a doc on one instance is active when its subscribe resolves', async () => {
      const doc = freshDoc()
      const first = await record(a, doc)
      const second = await record(a, doc)
      await b.publish(doc, message('to both'))
      await waitFor(() => first.received.length === 1 && second.received.length === 1, 5000, 'both handlers')
      expect(second.bodies()).toEqual(['to both'])
    })

    it('[BUS1] re-subscribing a doc while its last unsubscribe is in flight is active when it resolves', async () => {
      const doc = freshDoc()
      const first = await record(a, doc)
      const [, second] = await Promise.all([first.unsubscribe(), record(a, doc)])
      await b.publish(doc, message('after resubscribe'))
      await waitFor(() => second.received.length === 1, 5000, 'the message on the new subscription')
      expect(second.bodies()).toEqual(['after resubscribe'])
      expect(first.received).toEqual([])
    })

    it('[BUS2] an instance never receives its own doc messages', async () => {
      const doc = freshDoc()
      const onA = await record(a, doc)
      const alsoOnA = await record(a, doc)
      const onB = await record(b, doc)
      await a.publish(doc, message('from a'))
      await b.publish(doc, message('from b'))
      // b's message was published after a's: had a's echo been delivered to a, it came first.
      await waitFor(() => onA.received.length >= 1 && alsoOnA.received.length >= 1 && onB.received.length >= 1, 5000, 'messages')
      expect(onA.bodies()).toEqual(['from b'])
      expect(alsoOnA.bodies()).toEqual(['from b'])
      expect(onB.bodies()).toEqual(['from a'])
    })

    it('[BUS2] an instance never receives its own session events', async () => {
      const onA = recordSessionEvents(a)
      const onB = recordSessionEvents(b)
      await a.publishSessionEvent({ sessionId: 'from-a' })
      await b.publishSessionEvent({ sessionId: 'from-b' })
      await waitFor(() => onA.events.length >= 1 && onB.events.length >= 1, 5000, 'session events')
      expect(onA.ids()).toEqual(['from-b'])
      expect(onB.ids()).toEqual(['from-a'])
      onA.off()
      onB.off()
    })

    it('[BUS3] messages of one doc from one instance arrive in the order they were published', async () => {
      const doc = freshDoc()
      const other = freshDoc()
      const onDoc = await record(a, doc)
      const onOther = await record(a, other)
      const count = 300
      const sends: Promise<void>[] = []
      for (let i = 0; i < count; i++) {
        // Not awaited one by one: order must hold for publishes in flight together.
        sends.push(b.publish(doc, message(`m${i}`, i % 3 === 0 ? 'awareness' : 'update')))
        if (i % 2 === 0) sends.push(b.publish(other, message(`o${i}`)))
      }
      await Promise.all(sends)
      await waitFor(() => onDoc.received.length === count && onOther.received.length === count / 2, 10_000, 'all messages')
      expect(onDoc.bodies()).toEqual(Array.from({ length: count }, (_, i) => `m${i}`))
      expect(onDoc.received.map((m) => m.kind)).toEqual(Array.from({ length: count }, (_, i) => (i % 3 === 0 ? 'awareness' : 'update')))
      expect(onOther.bodies()).toEqual(Array.from({ length: count / 2 }, (_, i) => `o${i * 2}`))
    })

    it('[BUS4] a doc handler only sees that doc’s messages, whatever the names look like', async () => {
      const base = freshDoc()
      // Prefixes of each other, glob characters (never patterns), and a doc named like the session channel.
      const names = [base, `${base}/control`, `${base}x`, `${base}*`, `${base}?`, `${base}[a]`, 'sessions']
      const recorders = await Promise.all(names.map((doc) => record(a, doc)))
      const sessionEvents = recordSessionEvents(a)
      const unsubscribed = freshDoc('nobody')
      await b.publish(unsubscribed, message('to nobody'))
      for (const doc of names) await b.publish(doc, message(`for ${doc}`))
      await b.publishSessionEvent({ sessionId: base })
      await waitFor(() => recorders.every((r) => r.received.length >= 1) && sessionEvents.events.length >= 1, 5000, 'one message per doc')
      recorders.forEach((r, i) => expect(r.bodies()).toEqual([`for ${names[i]}`]))
      expect(sessionEvents.ids()).toEqual([base])
      sessionEvents.off()
      await Promise.all(recorders.map((r) => r.unsubscribe()))
    })

    it('[BUS5] after unsubscribe resolved the handler is not called again, the doc’s other handlers are', async () => {
      const doc = freshDoc()
      const leaving = await record(a, doc)
      const staying = await record(a, doc)
      await b.publish(doc, message('before'))
      await waitFor(() => leaving.received.length === 1 && staying.received.length === 1, 5000, 'the first message')
      // Unsubscribe while a stream of messages is in flight towards a.
      const count = 200
      const sends = Array.from({ length: count }, (_, i) => b.publish(doc, message(`m${i}`)))
      await leaving.unsubscribe()
      const seenWhenResolved = leaving.received.length
      await Promise.all(sends)
      await b.publish(doc, message('after'))
      await waitFor(() => staying.received.length === count + 2, 10_000, 'every message on the staying handler')
      expect(leaving.received.length).toBe(seenWhenResolved)
      expect(staying.bodies().at(-1)).toBe('after')
    })

    it('[BUS5] after the last handler of a doc unsubscribed nothing more is delivered; unsubscribing twice is harmless', async () => {
      const doc = freshDoc()
      const marker = freshDoc('marker')
      const gone = await record(a, doc)
      const onMarker = await record(a, marker)
      await gone.unsubscribe()
      await gone.unsubscribe()
      await b.publish(doc, message('too late'))
      await b.publish(marker, message('marker'))
      // The marker was published after the other message, so that one had its chance first.
      await waitFor(() => onMarker.received.length === 1, 5000, 'the marker')
      expect(gone.received).toEqual([])
      // The doc can be subscribed again afterwards.
      const again = await record(a, doc)
      await b.publish(doc, message('welcome back'))
      await waitFor(() => again.received.length === 1, 5000, 'the message after subscribing again')
      expect(gone.received).toEqual([])
    })

    it('[BUS5] a session event handler that unsubscribed is not called again', async () => {
      const leaving = recordSessionEvents(a)
      const staying = recordSessionEvents(a)
      await b.publishSessionEvent({ sessionId: 'one' })
      await waitFor(() => leaving.events.length === 1 && staying.events.length === 1, 5000, 'the first event')
      leaving.off()
      await b.publishSessionEvent({ sessionId: 'two' })
      await waitFor(() => staying.events.length === 2, 5000, 'the second event')
      expect(leaving.ids()).toEqual(['one'])
      staying.off()
    })

    it('[BUS6] payload bytes arrive exactly as published, for both kinds', async () => {
      const doc = freshDoc()
      const onA = await record(a, doc)
      const everyByte = Uint8Array.from({ length: 512 }, (_, i) => i % 256)
      // Looks like a bus frame header with b's or a's id: must arrive as plain payload.
      const headerLike = Uint8Array.from([1, 0, ...Buffer.from(a.instanceId, 'hex'), 1, 2, 3])
      const large = new Uint8Array(randomBytes(1024 * 1024))
      const sent: DocMessage[] = [
        { kind: 'update', payload: new Uint8Array(0) },
        { kind: 'awareness', payload: everyByte },
        { kind: 'update', payload: headerLike },
        { kind: 'awareness', payload: Uint8Array.from([0, 0, 0, 255, 254, 0xc3, 0x28]) },
        { kind: 'update', payload: large },
        { kind: 'update', payload: new Uint8Array(randomBytes(4096)).subarray(100, 300) },
      ]
      for (const msg of sent) await b.publish(doc, msg)
      await waitFor(() => onA.received.length === sent.length, 10_000, 'every payload')
      onA.received.forEach((got, i) => {
        expect(got.kind).toBe(sent[i]!.kind)
        expect(got.payload).toBeInstanceOf(Uint8Array)
        expect(got.payload.length).toBe(sent[i]!.payload.length)
        expect(Buffer.from(got.payload).equals(Buffer.from(sent[i]!.payload))).toBe(true)
      })
    })

    it('[BUS6] session ids arrive exactly as published', async () => {
      const onA = recordSessionEvents(a)
      const ids = ['abc_DEF-123', 'zürich ☃ 𝄞', '', 'x'.repeat(300)]
      for (const sessionId of ids) await b.publishSessionEvent({ sessionId })
      await waitFor(() => onA.events.length === ids.length, 5000, 'every session event')
      expect(onA.ids()).toEqual(ids)
      onA.off()
    })

    it('instances have distinct ids and close idempotently', async () => {
      expect(a.instanceId).not.toBe(b.instanceId)
      expect(a.instanceId.length).toBeGreaterThanOrEqual(16)
      await a.close()
      await a.close()
      expect(a.status()).toBe('down')
      await expect(a.publish(freshDoc(), message('closed'))).rejects.toThrow()
      await expect(a.publishSessionEvent({ sessionId: 'closed' })).resolves.toBeUndefined()
    })

    if (outageFactory) registerOutageTest(outageFactory)
  })
}

function registerOutageTest(outageFactory: () => Promise<BusOutageFixture>): void {
  describe('when the service goes away and comes back', () => {
    let fixture: BusOutageFixture
    beforeEach(async () => {
      fixture = await outageFactory()
    })
    afterEach(async () => {
      await fixture.cleanup()
    })

    it('[BUS7] reports down, rejects publishes, reconnects by itself, reactivates subscriptions and runs onReconnect', async () => {
      const { a, b } = fixture
      const doc = freshDoc()
      const onA = await record(a, doc)
      const onB = await record(b, doc)
      const eventsOnA = recordSessionEvents(a)
      const reconnects = { a: 0, b: 0 }
      const statusAtReconnect: string[] = []
      a.onReconnect(() => {
        reconnects.a++
        statusAtReconnect.push(a.status())
      })
      const offB = b.onReconnect(() => reconnects.b++)
      await b.publish(doc, message('before'))
      await waitFor(() => onA.received.length === 1, 5000, 'a message before the outage')

      await fixture.interrupt()
      await waitFor(() => a.status() === 'down' && b.status() === 'down', 10_000, 'both buses down')
      await expect(a.publish(doc, message('lost'))).rejects.toThrow()
      await expect(b.publish(doc, message('lost'))).rejects.toThrow()
      // Best effort: never rejects, even now.
      await expect(b.publishSessionEvent({ sessionId: 'lost' })).resolves.toBeUndefined()
      // A subscription made during the outage becomes active once the service is back.
      const lateDoc = freshDoc('late')
      const late: DocMessage[] = []
      let lateActive = false
      const lateSubscribed = a.subscribe(lateDoc, (msg) => late.push(msg)).then((unsubscribe) => {
        lateActive = true
        return unsubscribe
      })
      // Time for a few reconnection attempts, which fail while the service is away.
      await new Promise((resolve) => setTimeout(resolve, 300))
      // [BUS1] it cannot be active while the service is away, so it has not resolved.
      expect(lateActive).toBe(false)
      expect(reconnects).toEqual({ a: 0, b: 0 })

      await fixture.restore()
      await waitFor(() => a.status() === 'up' && b.status() === 'up', 20_000, 'both buses up again')
      await waitFor(() => reconnects.a === 1 && reconnects.b === 1, 5000, 'onReconnect on both')
      expect(statusAtReconnect).toEqual(['up'])

      // Subscriptions made before the outage deliver again, in both directions.
      await b.publish(doc, message('after from b'))
      await a.publish(doc, message('after from a'))
      await waitFor(() => onA.received.length === 2 && onB.received.length === 1, 5000, 'messages after the outage')
      expect(onA.bodies()).toEqual(['before', 'after from b'])
      expect(onB.bodies()).toEqual(['after from a'])
      await lateSubscribed
      await b.publish(lateDoc, message('late'))
      await waitFor(() => late.length === 1, 5000, 'the subscription made during the outage')
      await b.publishSessionEvent({ sessionId: 'after' })
      await waitFor(() => eventsOnA.events.length === 1, 5000, 'a session event after the outage')
      expect(eventsOnA.ids()).toEqual(['after'])

      // A second outage runs onReconnect again, except on an unsubscribed handler.
      offB()
      await fixture.interrupt()
      await waitFor(() => a.status() === 'down', 10_000, 'down again')
      await fixture.restore()
      await waitFor(() => reconnects.a === 2, 20_000, 'onReconnect after the second outage')
      expect(reconnects.b).toBe(1)
    })
  })
}
