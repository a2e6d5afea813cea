/**
 * A room's outgoing frames, coalesced: the doc updates and the awareness changes of a room are
 * each sent as one frame per turn of the event loop (per window while the room is busy), the same
 * bytes to every connection, and nobody is echoed what it sent itself.
 */
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { writeAwarenessFrame, writeUpdateFrame } from '../../shared/protocol.ts'
import type { Peer } from './peer.ts'
import { TimeWindow } from './time-window.ts'

/** Above this many contributing connections in one frame, they get the full merge (echo included). */
const maxPersonalFrames = 16

/** One update waiting for the next frame. */
interface OutgoingUpdate {
  update: Uint8Array
  /** The connection it came from (never echoed to it), or null. */
  sender: Peer | null
  /** Stored by this instance, so other instances must hear of it. */
  publish: boolean
}

/**
 * The doc updates a room sends. What other instances and the server change waits for the room's
 * window (time-window.ts): the first after a quiet spell goes out on the next turn, later ones
 * at most one frame per window, merged (`Y.mergeUpdates`) and encoded once. Clients' updates
 * already waited for the window before they were stored, so they go out on the next turn once
 * stored. A connection that contributed gets the merge of the others' updates instead.
 */
export class UpdateBroadcast {
  private outgoing: OutgoingUpdate[] = []
  private nextTurnSet = false

  constructor(
    private readonly connections: ReadonlySet<Peer>,
    /** The room's one time window. */
    private readonly window: TimeWindow,
    /** Called once per frame with the merge of its updates that this instance stored (for other instances). */
    private readonly publish: (update: Uint8Array) => void,
    /**
     * Called after each frame went out, in the same turn: the room sends its waiting awareness
     * changes with it (a typist's cursor moves with each keystroke), so both reach each socket in
     * one write instead of two (issue 21: socket writes are most of a summit's CPU).
     */
    private readonly afterFrame: () => void = () => {},
  ) {}

  /** Queues `update` for the frame that goes out when the room's window closes. */
  queue(update: Uint8Array, sender: Peer | null, publish: boolean): void {
    this.outgoing.push({ update, sender, publish })
    if (!this.nextTurnSet) this.window.schedule(this.flush, 'next-turn')
  }

  /** Queues a stored client `update` for a frame on the next turn, whatever the window: it already waited for it. */
  queueStored(update: Uint8Array, sender: Peer | null, publish: boolean): void {
    this.outgoing.push({ update, sender, publish })
    if (this.nextTurnSet) return
    this.nextTurnSet = true
    setImmediate(() => {
      this.nextTurnSet = false
      this.flush()
    })
  }

  /** Sends what is queued now: one merged frame for everyone, personal ones for senders. */
  readonly flush = (): void => {
    const batch = this.outgoing
    if (batch.length === 0) return
    this.outgoing = []
    const published = batch.filter((item) => item.publish).map((item) => item.update)
    if (published.length > 0) this.publish(mergeAll(published))
    const frame = writeUpdateFrame(mergeAll(batch.map((item) => item.update)))
    const senders = new Set<Peer>()
    for (const item of batch) if (item.sender) senders.add(item.sender)
    const personal = senders.size <= maxPersonalFrames
    for (const connection of this.connections) {
      if (!senders.has(connection) || !personal) connection.send(frame)
    }
    if (personal) {
      for (const sender of senders) {
        if (!this.connections.has(sender)) continue
        const others = batch.filter((item) => item.sender !== sender).map((item) => item.update)
        if (others.length > 0) sender.send(writeUpdateFrame(mergeAll(others)))
      }
    }
    this.afterFrame()
  }
}

/**
 * How long a renewal waits for its frame. A client re-sends its awareness state unchanged every
 * 15 s (y-protocols), and a peer drops a state it has not heard of for 30 s; so renewals can wait
 * a few seconds and go out together, or with the next change, instead of one frame to every
 * connection each (issue 21: by estimate, the 3,640 sockets of a summit renew about 240 states a
 * second, each a frame to some 60 connections; the summit bench's traffic is mostly update frames).
 */
export const renewalDelayMs = 5000

/**
 * The awareness changes a room sends: client ids changed since the last frame, sent in one frame
 * at most every `flushMs` (0: on the next turn); renewals (a state re-sent as it was) within
 * `renewalDelayMs`, or with the next change. A connection is never sent the states it owns.
 */
export class AwarenessBroadcast {
  /** Changed client ids, each with whether other instances must hear of it. */
  private changed = new Map<number, boolean>()
  /** Renewed client ids waiting for the next frame (see `renewalDelayMs`), as `changed`. */
  private renewed = new Map<number, boolean>()
  private renewalTimer: NodeJS.Timeout | null = null
  /** At most one frame per `flushMs`. */
  private readonly window: TimeWindow
  private stopped = false

  constructor(
    private readonly connections: ReadonlySet<Peer>,
    private readonly awareness: () => awarenessProtocol.Awareness,
    flushMs: number,
    /** Called with the encoded states of the changed ids that came from this instance. */
    private readonly publish: (payload: Uint8Array) => void,
    /** Called after each frame went out (e.g. to drop metadata of removed ids). */
    private readonly afterFlush: () => void = () => {},
  ) {
    this.window = new TimeWindow(() => flushMs)
  }

  /** True while a change of `client` waits for its frame. */
  isPending(client: number): boolean {
    return this.changed.has(client) || this.renewed.has(client)
  }

  /**
   * Notes that `clients` changed (or, with `renewal`, were re-sent unchanged); `publish`: the
   * change came from this instance.
   */
  note(clients: Iterable<number>, publish: boolean, renewal = false): void {
    const noted = renewal ? this.renewed : this.changed
    for (const client of clients) noted.set(client, (noted.get(client) ?? false) || publish)
    if (this.stopped || noted.size === 0) return
    if (!renewal) this.window.schedule(this.send, 'next-turn')
    else if (!this.renewalTimer) {
      this.renewalTimer = setTimeout(this.sendRenewals, renewalDelayMs)
      this.renewalTimer.unref?.()
    }
  }

  private readonly sendRenewals = (): void => {
    this.renewalTimer = null
    if (this.renewed.size > 0 && !this.stopped) this.window.schedule(this.send, 'now')
  }

  /** True while changes wait for their frame. */
  get pending(): boolean {
    return this.window.isWaiting
  }

  /** No frames are scheduled from now on (the room is closing); `flush` still sends. */
  stop(): void {
    this.stopped = true
    if (this.renewalTimer) clearTimeout(this.renewalTimer)
    this.renewalTimer = null
  }

  /** Sends the changes noted since the last frame now, if a frame was due. */
  flush(): void {
    this.window.close()
  }

  /** Sends the changes noted since the last frame, in one frame (owners never get their own entry). */
  private readonly send = (): void => {
    const changed = this.changed
    // Renewals go with any frame.
    for (const [client, publish] of this.renewed) changed.set(client, (changed.get(client) ?? false) || publish)
    this.renewed.clear()
    if (changed.size === 0) return
    this.changed = new Map()
    const clients = [...changed.keys()]
    const toPublish = clients.filter((client) => changed.get(client))
    if (toPublish.length > 0) this.publish(awarenessProtocol.encodeAwarenessUpdate(this.awareness(), toPublish))
    const frame = this.encode(clients)
    for (const connection of this.connections) {
      const own = [...connection.awarenessClients].filter((client) => changed.has(client))
      if (own.length === 0) {
        connection.send(frame)
        continue
      }
      const others = clients.filter((client) => !connection.awarenessClients.has(client))
      if (others.length > 0) connection.send(this.encode(others))
    }
    this.afterFlush()
  }

  /** The states of `clients` as one awareness frame. */
  encode(clients: number[]): Uint8Array {
    return writeAwarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness(), clients))
  }
}

/** `updates` as one update (the update itself when there is one). */
export function mergeAll(updates: Uint8Array[]): Uint8Array {
  return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates)
}
