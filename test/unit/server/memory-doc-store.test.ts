import { describe, expect, it } from 'vitest'
import { registerDocStoreContract } from '../../helpers/contracts/doc-store.contract.ts'
import { MemoryDocBacking, MemoryDocStore } from '../../helpers/memory-doc-store.ts'

// The fake used by the sync unit tests keeps the same rules as the real stores.
registerDocStoreContract('MemoryDocStore', async () => {
  const backing = new MemoryDocBacking()
  return {
    store: new MemoryDocStore(backing),
    reopen: async () => new MemoryDocStore(backing),
    cleanup: async () => {},
  }
})

describe('MemoryDocStore', () => {
  it('counts rows, so unit tests can see compaction', async () => {
    const store = new MemoryDocStore()
    await store.append('doc', new Uint8Array([0, 0]))
    await store.append('doc', new Uint8Array([0, 0]))
    expect(store.rowCount('doc')).toBe(2)
    const loaded = await store.load('doc')
    await store.compact('doc', loaded!.update, loaded!.refs)
    expect(store.rowCount('doc')).toBe(1)
    expect(store.rowCount('never')).toBe(0)
  })
})
