import { describe, expect, it } from 'vitest'
import { registerBusContract } from '../../../helpers/contracts/bus.contract.ts'
import { InMemoryBusHub } from '../../../helpers/in-memory-bus.ts'

function twoInstances() {
  const hub = new InMemoryBusHub()
  const a = hub.connect()
  const b = hub.connect()
  return {
    hub,
    a,
    b,
    async cleanup() {
      await Promise.all([a.close(), b.close()])
    },
  }
}

registerBusContract(
  'InMemoryBusHub',
  async () => twoInstances(),
  async () => {
    const fixture = twoInstances()
    return {
      ...fixture,
      interrupt: async () => fixture.hub.interrupt(),
      restore: async () => fixture.hub.restore(),
    }
  },
)

describe('InMemoryBusHub (the fixture itself)', () => {
  it('connects separate instances that are up until interrupted', async () => {
    const { hub, a, b, cleanup } = twoInstances()
    expect(a).not.toBe(b)
    expect([a.status(), b.status()]).toEqual(['up', 'up'])
    hub.interrupt()
    expect([a.status(), b.status()]).toEqual(['down', 'down'])
    hub.restore()
    await cleanup()
  })
})
