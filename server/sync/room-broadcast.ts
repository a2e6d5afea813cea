/**
 * A room's outgoing frames, coalesced: the doc updates and the awareness changes of a room are
 * each sent as one frame per turn of the event loop (per window while the room is busy), the same
 * bytes to every connection, and nobody is echoed what it sent itself.
 */
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { messageAwareness, messageSync } from '../../shared/protocol.ts'
import type { Connection } from './connection.ts'

/** Above this many contributing connections in one frame, they get the full merge (echo included). */
const maxPersonalFrames = 16

/** One update waiting for the next frame. */
interface OutgoingUpdate {
  update: Uint8Array
  /** The connection it came from (never echoed to it), or null. */
  sender: Connection | null
  /** Stored by this instance, so other instances must hear of it. */
  publish: boolean
}

/**
 * The doc updates a room sends. The first update after a quiet spell goes out on the next turn;
 * while updates keep coming, at most one frame per window (`window()`, read at each frame) goes
 * out, holding everything queued since, merged (`Y.mergeUpdates`) and encoded once. A connection
 * that contributed gets the merge of the others' updates instead of the shared frame.
 */
export class UpdateBroadcast {
  private outgoing: OutgoingUpdate[] = []
  private windowTimerSet = false
  private nextTurnSet = false
  private lastFrame = 0

  constructor(
    private readonly connections: ReadonlySet<Connection>,
    private readonly window: () => number,
    /** Called once per frame with the merge of its updates that this instance stored (for other instances). */
    private readonly publish: (update: Uint8Array) => void,
  ) {}

  /** Queues `update` for the next frame, which goes out when the window allows. */
  queue(update: Uint8Array, sender: Connection | null, publish: boolean): void {
    this.outgoing.push({ update, sender, publish })
    if (this.windowTimerSet || this.nextTurnSet) return
    this.windowTimerSet = true
    const wait = this.lastFrame + this.window() - Date.now()
    if (wait > 0) setTimeout(() => this.windowClosed(), wait)
    else setImmediate(() => this.windowClosed())
  }

  /** Queues `update` for a frame on the next turn, whatever the window: it already waited for it. */
  queueNow(update: Uint8Array, sender: Connection | null, publish: boolean): void {
    this.outgoing.push({ update, sender, publish })
    if (this.nextTurnSet) return
    this.nextTurnSet = true
    setImmediate(() => {
      this.nextTurnSet = false
      this.flush()
    })
  }

  private windowClosed(): void {
    this.windowTimerSet = false
    this.flush()
  }

  /** Sends what is queued now: one merged frame for everyone, personal ones for senders. */
  flush(): void {
    const batch = this.outgoing
    if (batch.length === 0) return
    this.lastFrame = Date.now()
    this.outgoing = []
    const published = batch.filter((item) => item.publish).map((item) => item.update)
    if (published.length > 0) this.publish(mergeAll(published))
    const frame = encodeUpdateFrame(mergeAll(batch.map((item) => item.update)))
    const senders = new Set<Connection>()
    for (const item of batch) if (item.sender) senders.add(item.sender)
    const personal = senders.size <= maxPersonalFrames
    for (const connection of this.connections) {
      if (!senders.has(connection) || !personal) connection.send(frame)
    }
    if (!personal) return
    for (const sender of senders) {
      if (!this.connections.has(sender)) continue
      const others = batch.filter((item) => item.sender !== sender).map((item) => item.update)
      if (others.length > 0) sender.send(encodeUpdateFrame(mergeAll(others)))
    }
  }
}

/**
 * The awareness changes a room sends: client ids changed since the last frame, sent in one frame
 * at most every `flushMs` (0: on the next turn). A connection is never sent the states it owns.
 */
export class AwarenessBroadcast {
  /** Changed client ids, each with whether other instances must hear of it. */
  private changed = new Map<number, boolean>()
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null
  private lastFrame = 0
  private stopped = false

  constructor(
    private readonly connections: ReadonlySet<Connection>,
    private readonly awareness: () => awarenessProtocol.Awareness,
    private readonly flushMs: number,
    /** Called with the encoded states of the changed ids that came from this instance. */
    private readonly publish: (payload: Uint8Array) => void,
    /** Called after each frame went out (e.g. to drop metadata of removed ids). */
    private readonly afterFlush: () => void = () => {},
  ) {}

  /** True while a change of `client` waits for its frame. */
  isPending(client: number): boolean {
    return this.changed.has(client)
  }

  /** Notes that `clients` changed; `publish`: the change came from this instance. */
  note(clients: Iterable<number>, publish: boolean): void {
    for (const client of clients) this.changed.set(client, (this.changed.get(client) ?? false) || publish)
    this.schedule()
  }

  /** True while changes wait for their frame. */
  get pending(): boolean {
    return this.timer !== null
  }

  /** No frames are scheduled from now on (the room is closing); `flush` still sends. */
  stop(): void {
    this.stopped = true
  }

  private schedule(): void {
    if (this.timer || this.changed.size === 0 || this.stopped) return
    const wait = this.lastFrame + this.flushMs - Date.now()
    this.timer = wait > 0 ? setTimeout(() => this.flush(), wait) : setImmediate(() => this.flush())
  }

  /** Sends the changes noted since the last frame, in one frame (owners never get their own entry). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout)
      clearImmediate(this.timer as NodeJS.Immediate)
      this.timer = null
    }
    const changed = this.changed
    if (changed.size === 0) return
    this.changed = new Map()
    this.lastFrame = Date.now()
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
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageAwareness)
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness(), clients))
    return encoding.toUint8Array(encoder)
  }
}

/** `updates` as one update (the update itself when there is one). */
export function mergeAll(updates: Uint8Array[]): Uint8Array {
  return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates)
}

function encodeUpdateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageSync)
  syncProtocol.writeUpdate(encoder, update)
  return encoding.toUint8Array(encoder)
}
