import { describe, expect, it } from 'vitest'
import { LocalBus } from '../../../../server/bus/local-bus.ts'
import { settle } from '../../../helpers/wait-for.ts'

describe('LocalBus', () => {
  it('is always up, and subscribing, publishing and unsubscribing resolve at once', async () => {
    const bus = new LocalBus()
    expect(bus.status()).toBe('up')
    const unsubscribe = await bus.subscribe('pad', () => {})
    await expect(bus.publish('pad', { kind: 'update', payload: Uint8Array.of(1, 2) })).resolves.toBeUndefined()
    await expect(unsubscribe()).resolves.toBeUndefined()
    await expect(bus.publishSessionEvent({ sessionId: 'pad' })).resolves.toBeUndefined()
    await bus.close()
    await bus.close()
  })

  it('[BUS2] never delivers its own messages (there is no other instance to deliver)', async () => {
    const bus = new LocalBus()
    const received: unknown[] = []
    await bus.subscribe('pad', (message) => received.push(message))
    bus.onSessionEvent((event) => received.push(event))
    bus.onReconnect(() => received.push('reconnect'))
    await bus.publish('pad', { kind: 'awareness', payload: Uint8Array.of(3) })
    await bus.publishSessionEvent({ sessionId: 'pad' })
    await settle()
    expect(received).toEqual([])
  })

  it('gives each instance its own id', () => {
    expect(new LocalBus().instanceId).not.toBe(new LocalBus().instanceId)
  })
})
