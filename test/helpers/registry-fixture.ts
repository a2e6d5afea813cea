/**
 * A RoomRegistry over a MemoryDocStore for sync unit tests: before each test a fresh store holding
 * `seed` under `docName`; `make(overrides)` builds the registry (closed after each test), `joined()`
 * adds a peer that has synced.
 */
import { afterEach, beforeEach } from 'vitest'
import { silentLogger } from '../../server/observability/log.ts'
import { RoomRegistry, type RoomRegistryOptions } from '../../server/sync/room-registry.ts'
import { MemoryDocStore } from './memory-doc-store.ts'
import { SyncPeer } from './sync-peer.ts'

export interface RegistryFixture {
  readonly registry: RoomRegistry
  readonly store: MemoryDocStore
  /** Builds this test's registry with the common defaults and `overrides`. */
  make(overrides?: Partial<RoomRegistryOptions>): RoomRegistry
  /** A peer that sent its step 1 and applied the answer. */
  joined(): Promise<SyncPeer>
}

export function useRegistryFixture(docName: string, seed: () => Uint8Array): RegistryFixture {
  let registry: RoomRegistry | null = null
  let store: MemoryDocStore | null = null
  beforeEach(async () => {
    store = new MemoryDocStore()
    await store.append(docName, seed())
  })
  afterEach(async () => {
    await registry?.close()
    registry = null
  })
  const fixture: RegistryFixture = {
    get registry() {
      if (!registry) throw new Error('call make() first')
      return registry
    },
    get store() {
      return store!
    },
    make(overrides = {}) {
      registry = new RoomRegistry({ store: store!, logger: silentLogger, compactAfterRows: 1000, unloadDelayMs: 20, maxQueuedBytesPerConnection: 1024 * 1024, ...overrides })
      return registry
    },
    async joined() {
      const peer = new SyncPeer(fixture.registry, docName)
      peer.sendSyncStep1()
      await peer.idle()
      peer.deliver()
      return peer
    },
  }
  return fixture
}
