/**
 * A RoomRegistry over a MemoryDocStore for sync unit tests: before each test a fresh store holding
 * `seed` under `docName`; `make(overrides)` builds the registry (closed after each test), `joined()`
 * adds a peer that has synced.
 *
 * `useControlledRegistryFixture` puts a ControlledDocStore between the registry and the memory
 * store (to count, hold and fail the store's calls) and builds the registry before each test.
 */
import { afterEach, beforeEach, vi } from 'vitest'
import type * as Y from 'yjs'
import { silentLogger } from '../../server/observability/log.ts'
import type { DocStore } from '../../server/storage/doc-store.ts'
import { RoomRegistry, type RoomRegistryOptions } from '../../server/sync/room-registry.ts'
import { ControlledDocStore } from './controlled-doc-store.ts'
import { MemoryDocStore } from './memory-doc-store.ts'
import { SyncPeer } from './sync-peer.ts'
import { docFromUpdate, p, padText } from './ydoc-builder.ts'

/** A registry over `store` with the common defaults and `overrides`. */
function testRegistry(store: DocStore, overrides: Partial<RoomRegistryOptions>): RoomRegistry {
  return new RoomRegistry({ store, logger: silentLogger, compactAfterRows: 1000, unloadDelayMs: 20, maxQueuedBytesPerConnection: 1024 * 1024, ...overrides })
}

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
      registry = testRegistry(store!, overrides)
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

export interface ControlledRegistryFixture {
  /** This test's registry: built before it with the defaults, or the last `make()`. */
  readonly registry: RoomRegistry
  /** The stored rows, read and written around the registry's store (no call counted or held). */
  readonly memory: MemoryDocStore
  /** The registry's store: counts its calls, holds a method open, fails the next call. */
  readonly store: ControlledDocStore
  /** Builds this test's registry anew with the common defaults and `overrides`. */
  make(overrides?: Partial<RoomRegistryOptions>): RoomRegistry
  /** A peer connected to `name` that has sent nothing yet. */
  join(name?: string, options?: { wantsAck?: boolean }): SyncPeer
  /**
   * Joins and completes the sync handshake both ways; the peer then holds the stored content. (A
   * freshly loaded room answers the peer's step 1 at once and sends its own once its doc is built;
   * reading the room builds it.)
   */
  joinSynced(name?: string, options?: { wantsAck?: boolean }): Promise<SyncPeer>
  /** The stored content of `name`, as pad XML. */
  storedText(name?: string): Promise<string>
}

export function useControlledRegistryFixture(docName: string, seed: () => Uint8Array): ControlledRegistryFixture {
  let memory: MemoryDocStore
  let store: ControlledDocStore
  let registry: RoomRegistry
  beforeEach(async () => {
    memory = new MemoryDocStore()
    store = new ControlledDocStore(memory)
    await memory.append(docName, seed())
    fixture.make()
  })
  afterEach(async () => {
    // A test may have faked the timers: the close needs the real ones.
    vi.useRealTimers()
    store.releaseAll()
    await registry.close()
  })
  const fixture: ControlledRegistryFixture = {
    get registry() {
      return registry
    },
    get memory() {
      return memory
    },
    get store() {
      return store
    },
    make(overrides = {}) {
      registry = testRegistry(store, overrides)
      return registry
    },
    join(name = docName, options = {}) {
      return new SyncPeer(registry, name, options)
    },
    async joinSynced(name = docName, options = {}) {
      const peer = fixture.join(name, options)
      peer.sendSyncStep1()
      await peer.idle()
      await registry.read(name, () => undefined)
      peer.deliver()
      await peer.idle()
      return peer
    },
    async storedText(name = docName) {
      const loaded = await memory.load(name)
      return loaded ? padText(docFromUpdate(loaded.update)) : ''
    },
  }
  return fixture
}

/** An edit for `SyncPeer.edit` that adds a paragraph holding `text` at the end of the pad. */
export const appendParagraph = (text: string) => (fragment: Y.XmlFragment) => fragment.insert(fragment.length, [p(text)])
