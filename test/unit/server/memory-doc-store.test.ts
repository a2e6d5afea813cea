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
