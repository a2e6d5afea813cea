/**
 * RoomPresence: a room's Awareness (presence and cursors of its clients). It keeps which peer
 * announced each awareness client id (one owner per id), bounds the characters of state the room
 * holds, sends changes through the room's AwarenessBroadcast (and to other instances), and
 * reports the people present for the first time (or under a new name).
 */
import * as awarenessProtocol from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { isUpdateOrigin, type UpdateOrigin } from './origin.ts'
import type { Peer } from './peer.ts'
import { AwarenessBroadcast } from './room-broadcast.ts'
import { presentPerson, type PresentPerson } from '../../shared/participants.ts'

export interface PresenceOptions {
  /** Least time between two awareness frames of the room, in ms. */
  flushMs: number
  /** Characters of awareness state JSON the room holds over all its clients. */
  maxChars: number
  /** Publishes this instance's awareness changes to other instances. */
  publish: (payload: Uint8Array) => void
  /** Called with the people seen in this room for the first time or under a new name (see RoomOptions.onPresence). */
  onPeople?: (people: PresentPerson[]) => void
}

export class RoomPresence {
  /** Made on first use: a room whose clients announce no presence (e.g. a projector) needs none. */
  private awarenessInstance: awarenessProtocol.Awareness | null = null
  private broadcastInstance: AwarenessBroadcast | null = null
  /** Which peer announced each awareness client id. */
  private readonly owners = new Map<number, Peer>()
  /** Characters of each client's awareness state, and their sum (see `maxChars`). */
  private readonly chars = new Map<number, number>()
  private charsTotal = 0
  /** Person key → the last name reported for them (bounded by the room's awareness states over its life). */
  private readonly presentPeople = new Map<string, string>()

  constructor(
    private readonly doc: () => Y.Doc,
    private readonly peers: ReadonlySet<Peer>,
    private readonly options: PresenceOptions,
  ) {}

  /** The room's Awareness. */
  get awareness(): awarenessProtocol.Awareness {
    if (!this.awarenessInstance) {
      const awareness = new awarenessProtocol.Awareness(this.doc())
      awareness.setLocalState(null)
      awareness.on('change', this.stateChanged)
      awareness.on('update', this.changed)
      this.awarenessInstance = awareness
    }
    return this.awarenessInstance
  }

  private get broadcast(): AwarenessBroadcast {
    this.broadcastInstance ??= new AwarenessBroadcast(this.peers, () => this.awareness, this.options.flushMs, this.options.publish, () =>
      this.sweepMeta(),
    )
    return this.broadcastInstance
  }

  /** Sends a peer that just joined every awareness state of the room (if there are any). */
  welcome(peer: Peer): void {
    const clients = this.awarenessInstance ? [...this.awarenessInstance.getStates().keys()] : []
    if (clients.length > 0) peer.send(this.broadcast.encode(clients))
  }

  /** Applies an awareness update of `origin` (a peer or the bus); throws when it does not decode. */
  apply(update: Uint8Array, origin: UpdateOrigin): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin)
  }

  /** Every awareness state, encoded as one awareness frame. */
  encodeAll(): Uint8Array {
    return this.broadcast.encode([...this.awareness.getStates().keys()])
  }

  /** Removes the states `peer` owned (others see its cursor vanish). */
  remove(peer: Peer): void {
    const owned = [...peer.awarenessClients]
    for (const client of owned) {
      if (this.owners.get(client) === peer) this.owners.delete(client)
    }
    if (owned.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, owned, null)
  }

  /** Announces this instance's states to other instances again (after a bus outage). */
  reannounce(): void {
    this.broadcast.note(this.owners.keys(), true)
  }

  /**
   * True when the room can hold an awareness state of `chars` characters for `client` (replacing
   * its current one) within `maxChars`; the state is then counted as the client's.
   */
  admit(client: number, chars: number): boolean {
    const old = this.chars.get(client) ?? 0
    const total = this.charsTotal - old + chars
    if (total > this.options.maxChars) return false
    this.chars.set(client, chars)
    this.charsTotal = total
    return true
  }

  /** True when a peer other than `asking` has announced awareness client id `client`. */
  ownedByOther(client: number, asking: Peer): boolean {
    const owner = this.owners.get(client)
    return owner !== undefined && owner !== asking
  }

  /** Awareness metadata entries the room holds (states and recently removed ids). */
  get metaSize(): number {
    return this.awarenessInstance?.meta.size ?? 0
  }

  /** Stops scheduling frames (the room is closing). */
  stop(): void {
    this.broadcastInstance?.stop()
  }

  /** Sends what waits for its frame now. */
  flush(): void {
    if (this.broadcastInstance?.pending) this.broadcastInstance.flush()
  }

  /** Destroys the Awareness. */
  destroy(): void {
    this.awarenessInstance?.off('change', this.stateChanged)
    this.awarenessInstance?.off('update', this.changed)
    this.awarenessInstance?.destroy()
  }

  /**
   * Drops the awareness metadata of ids that have no state any more, once their removal has been
   * sent (y-protocols keeps it for ever otherwise; issue 15 part 4). Called after each frame.
   */
  private sweepMeta(): void {
    const awareness = this.awarenessInstance
    if (!awareness || awareness.meta.size === awareness.states.size) return
    for (const client of awareness.meta.keys()) {
      if (!awareness.states.has(client) && !this.broadcastInstance?.isPending(client)) awareness.meta.delete(client)
    }
  }

  /**
   * The ids whose state the update being applied changed: y-protocols emits `change` (real
   * changes only) just before `update` (renewals too), so `changed` tells renewals apart.
   */
  private statesChanged: readonly number[] | null = null

  private readonly stateChanged = ({ updated }: { updated: number[] }): void => {
    this.statesChanged = updated
  }

  private readonly changed = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const sender = isUpdateOrigin(origin) && origin.kind === 'connection' ? origin.connection : null
    if (sender) {
      for (const client of added) {
        sender.awarenessClients.add(client)
        this.owners.set(client, sender)
      }
      for (const client of removed) {
        sender.awarenessClients.delete(client)
        if (this.owners.get(client) === sender) this.owners.delete(client)
      }
    }
    // Forget the size of states that are gone (their metadata goes once the removal is sent).
    for (const client of removed) {
      this.charsTotal -= this.chars.get(client) ?? 0
      this.chars.delete(client)
    }
    const fromBus = isUpdateOrigin(origin) && origin.kind === 'bus'
    const statesChanged = this.statesChanged
    this.statesChanged = null
    const renewed = updated.filter((client) => !statesChanged?.includes(client))
    this.broadcast.note([...added, ...updated.filter((client) => statesChanged?.includes(client)), ...removed], !fromBus)
    if (renewed.length > 0) this.broadcast.note(renewed, !fromBus, true)
    // Viewers and anyone after the end may be present, but are not participants (issue 15 part 4).
    if (sender && this.options.onPeople && sender.mayParticipate) this.notePresent([...added, ...updated])
  }

  private notePresent(clients: number[]): void {
    const fresh: PresentPerson[] = []
    for (const client of clients) {
      const present = presentPerson((this.awareness.getStates().get(client) as { user?: unknown } | undefined)?.user)
      if (present && this.presentPeople.get(present.person) !== present.name) {
        this.presentPeople.set(present.person, present.name)
        fresh.push(present)
      }
    }
    if (fresh.length > 0) this.options.onPeople!(fresh)
  }
}
