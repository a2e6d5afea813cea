/**
 * RoomDoc: a room's Y.Doc and its stored bytes. A room is loaded as the bytes its store holds and
 * its Y.Doc is built from them only when something needs more than the bytes: a room whose
 * clients only read is served the stored state and its state vector, so an idle pad costs its
 * bytes, not a Y.Doc of every item. The encoding of the whole doc is kept until the next change,
 * so a connect storm encodes it once. When the load did not read the state vector of the stored
 * bytes (nothing to check: quarantine.ts), it is read in slices after the room is served.
 */
import * as Y from 'yjs'
import { readDeletions, type Deletions } from './refused-writes.ts'
import type { TypeInfo } from './update-placement.ts'
import type { UpdateOrigin } from './origin.ts'
import { stateFromUpdate } from './stored-walk.ts'
import { readStateInSlices } from './quarantine.ts'
import { nextGuid } from './scratch-doc.ts'

/** Stored bytes past which reading the state vector of an unbuilt pad is worth deferring. */
const costlyStep1Bytes = 64 * 1024

export class RoomDoc {
  /** The live doc, made on first use; holds nothing until built (see `build`). */
  private docInstance: Y.Doc | null = null
  /** Set by `release`: the doc was destroyed. */
  private released = false
  /** `Y.encodeStateAsUpdate` of the doc, kept until the next change. */
  private fullState: Uint8Array | null = null
  /**
   * The built doc's state vector as its last change left it (that transaction's `afterState`,
   * which Yjs reads anyway), and its encoding, read once per change: every acknowledgement and
   * every joining client's sync step 1 would otherwise walk the doc's clients (issue 21: 60 tabs
   * claiming authorship make 60 clients, walked for each of a summit's 600 keystrokes a second).
   */
  private builtState: Map<number, number> | null = null
  private encodedState: Uint8Array | null = null
  /** The loaded state not yet applied to the doc. */
  private unbuilt: Uint8Array | null = null
  /** The state vector of `unbuilt`, read once for every client of an unbuilt room. */
  private unbuiltStateVector: Uint8Array | null = null
  /** True while `readStateVectorLater` reads the state vector of `unbuilt`. */
  private readingState = false
  /** The delete set of `unbuilt`, read once when a read-only client's update needs it. */
  private unbuiltDeletions: Deletions | null = null
  /** Type infos of the doc's types, for placing the items of incoming updates (update-checks.ts). */
  readonly typeInfos = new WeakMap<Y.AbstractType<unknown>, TypeInfo>()

  constructor(
    /** Called once with the Y.Doc when it is made, before anything is applied to it. */
    private readonly onCreated: (ydoc: Y.Doc) => void,
    /** Called for every change of the doc (Y.Doc `update` event), after the cached encoding is dropped. */
    private readonly onChange: (update: Uint8Array, origin: unknown) => void,
  ) {}

  /**
   * Takes the store's bytes as the doc's whole state (served at once; applied when first needed),
   * with their state (`stateFromUpdate`) when the load's walk read it, so the server's sync step 1
   * costs no second walk.
   */
  loaded(update: Uint8Array, state: Map<number, number> | null = null): void {
    this.fullState = update
    this.unbuilt = update
    this.unbuiltStateVector = state && Y.encodeStateVector(state)
  }

  /**
   * When the state vector of the stored bytes is not known and costly to read (see
   * `stateVectorIsCostly`), reads it over later turns of the event loop, a slice per turn, so the
   * room is served meanwhile (a cold pad whose rows were all stored checked is not walked at
   * load: quarantine.ts). `ready` is called once it is known, or once the doc was built or
   * released meanwhile; `stateVectorPending` is true until then.
   */
  readStateVectorLater(ready: () => void): void {
    const update = this.unbuilt
    if (!update || !this.stateVectorIsCostly || this.readingState) return
    this.readingState = true
    const current = () => this.unbuilt === update && !this.released
    void readStateInSlices(update, current).then((state) => {
      this.readingState = false
      if (state && current()) this.unbuiltStateVector = Y.encodeStateVector(state)
      ready()
    })
  }

  /** True while `readStateVectorLater` is reading the state vector. */
  get stateVectorPending(): boolean {
    return this.readingState
  }

  /** The Y.Doc as it is (not built from the stored bytes: see `built`). History is kept (gc off). */
  get doc(): Y.Doc {
    if (!this.docInstance) {
      this.docInstance = new Y.Doc({ gc: false, guid: nextGuid('room') })
      this.docInstance.on('update', this.changed)
      this.onCreated(this.docInstance)
    }
    return this.docInstance
  }

  /** The Y.Doc with everything stored applied (building it if it was not yet). */
  get built(): Y.Doc {
    this.build()
    return this.doc
  }

  /** True once the stored state has been applied to the doc. */
  get isBuilt(): boolean {
    return this.unbuilt === null
  }

  /** True once `release` destroyed the doc. */
  get isReleased(): boolean {
    return this.released
  }

  /** Applies the loaded state to the doc if that has not happened yet. */
  build(): void {
    const update = this.unbuilt
    if (!update || this.released) return
    this.unbuilt = null
    this.unbuiltStateVector = null
    this.unbuiltDeletions = null
    const served = this.fullState
    Y.applyUpdate(this.doc, update, { kind: 'store' } satisfies UpdateOrigin)
    // The stored bytes still describe the whole doc unless something else changed it meanwhile.
    if (served === update) this.fullState = served
  }

  /** Applies `updates` in one transaction with `origin` (one `update` event). Throws what Yjs throws. */
  apply(updates: Uint8Array[], origin: UpdateOrigin): void {
    const doc = this.built
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update, origin)
    }, origin)
  }

  /**
   * The doc's state vector, read from the stored bytes while the doc is not built, else kept from
   * its last change (the same bytes each time until the next one: do not modify them).
   */
  stateVector(): Uint8Array {
    if (this.unbuilt) return (this.unbuiltStateVector ??= Y.encodeStateVector(stateFromUpdate(this.unbuilt)))
    return (this.encodedState ??= Y.encodeStateVector(this.builtState ?? this.doc))
  }

  /** True when the state vector means walking a large pad that is not built. */
  get stateVectorIsCostly(): boolean {
    return this.unbuilt !== null && this.unbuiltStateVector === null && this.unbuilt.length > costlyStep1Bytes
  }

  /** The doc's delete set: from the stored bytes while the doc is not built. */
  deletions(): Deletions {
    if (this.unbuilt) return (this.unbuiltDeletions ??= readDeletions(this.unbuilt))
    return Y.createDeleteSetFromStructStore(this.doc.store).clients
  }

  /**
   * What a peer with `stateVector` lacks. A fresh peer (empty state vector) gets the cached full
   * state, even before the doc is built; any other waits for the build.
   */
  missingFor(stateVector: Uint8Array): Uint8Array {
    const fresh = stateVector.length === 1 && stateVector[0] === 0
    if (fresh && this.fullState) return this.fullState
    this.build()
    if (!fresh) return Y.encodeStateAsUpdate(this.doc, stateVector)
    this.fullState ??= Y.encodeStateAsUpdate(this.doc)
    return this.fullState
  }

  /**
   * The whole doc as one update, the parts Yjs keeps pending (missing what they build on) included:
   * `Y.encodeStateAsUpdate` merges them in itself. (Yjs keeps them in the v2 encoding; merging
   * them as v1 updates read their bytes as a garbage delete set, e.g. client 0 with clocks twice
   * the real client ids, which the compacted row then kept and every client was sent.)
   */
  encodeWhole(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc)
  }

  /** Bytes of updates the doc holds but cannot integrate yet. */
  pendingBytes(): number {
    return (this.doc.store.pendingStructs?.update.length ?? 0) + (this.doc.store.pendingDs?.length ?? 0)
  }

  /** Destroys the doc. Idempotent. */
  release(): void {
    this.released = true
    this.docInstance?.off('update', this.changed)
    this.docInstance?.destroy()
  }

  /**
   * (Yjs emits `update` for every transaction that changed the doc, once it has set the
   * transaction's `afterState`: no change of the state vector goes by without it.)
   */
  private readonly changed = (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction): void => {
    this.fullState = null
    this.builtState = transaction.afterState
    this.encodedState = null
    this.onChange(update, origin)
  }
}
