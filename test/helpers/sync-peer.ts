/**
 * SyncPeer: a client of a RoomRegistry for unit tests. It owns a Y.Doc and an Awareness, joins
 * through a FakeSocket, speaks the y-websocket protocol with y-protocols' encoders, and applies
 * what the server sent only when the test calls `deliver()`, so a test can look at the frames in
 * between. Closing works like the real transport: a server-side close reaches
 * `registry.disconnected` on a later microtask, as the ws 'close' event would.
 */
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { Connection } from '../../server/sync/connection.ts'
import type { RoomRegistry } from '../../server/sync/room-registry.ts'
import { awarenessFrame, messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate, syncFrame } from '../../shared/protocol.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { FakeSocket, type ServerFrame } from './fake-socket.ts'

const fromServer = Symbol('from server')

export class SyncPeer {
  readonly ydoc = new Y.Doc({ gc: false })
  readonly awareness = new awarenessProtocol.Awareness(this.ydoc)
  readonly socket = new FakeSocket()
  readonly connection: Connection
  private delivered = 0

  constructor(
    private readonly registry: RoomRegistry,
    readonly docName: string,
    options: { wantsAck?: boolean; mayParticipate?: () => boolean } = {},
  ) {
    this.awareness.setLocalState(null)
    this.connection = registry.connect(docName, this.socket, { wantsAck: options.wantsAck ?? false, mayParticipate: options.mayParticipate })
    this.socket.onClose = () => queueMicrotask(() => registry.disconnected(docName, this.connection))
  }

  /** The pad fragment of this peer's doc. */
  get fragment(): Y.XmlFragment {
    return this.ydoc.getXmlFragment(padFragmentName)
  }

  /** Sends raw bytes, as a client socket would. */
  send(frame: Uint8Array): void {
    this.connection.receive(frame)
  }

  /** Sends sync step 1 (this doc's state vector), as a provider does when it connects. */
  sendSyncStep1(): void {
    this.send(syncFrame(messageYjsSyncStep1, Y.encodeStateVector(this.ydoc)))
  }

  /** Sends `update` as a sync update frame. */
  sendUpdate(update: Uint8Array): void {
    this.send(syncFrame(messageYjsUpdate, update))
  }

  /** Runs `change` on the pad fragment in one transaction, sends the update and returns it. */
  edit(change: (fragment: Y.XmlFragment) => void): Uint8Array {
    let update: Uint8Array | null = null
    const capture = (u: Uint8Array) => {
      update = u
    }
    this.ydoc.on('update', capture)
    this.ydoc.transact(() => change(this.fragment))
    this.ydoc.off('update', capture)
    if (!update) throw new Error('edit changed nothing')
    this.sendUpdate(update)
    return update
  }

  /** Sets this peer's awareness state and sends it. */
  setAwareness(state: Record<string, unknown>): void {
    this.awareness.setLocalState(state)
    this.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.ydoc.clientID])))
  }

  /**
   * Applies every frame received since the last call: updates to the doc, awareness to the
   * awareness; answers a sync step 1 with a step 2. Returns the frames it handled.
   */
  deliver(): ServerFrame[] {
    const frames = this.socket.frames().slice(this.delivered)
    this.delivered += frames.length
    for (const frame of frames) {
      switch (frame.type) {
        case 'sync-step1': {
          this.send(syncFrame(messageYjsSyncStep2, Y.encodeStateAsUpdate(this.ydoc, frame.stateVector)))
          break
        }
        case 'sync-step2':
        case 'update':
          Y.applyUpdate(this.ydoc, frame.update, fromServer)
          break
        case 'awareness':
          awarenessProtocol.applyAwarenessUpdate(this.awareness, frame.update, fromServer)
          break
        default:
          break
      }
    }
    return frames
  }

  /** Frames received so far of `type`. */
  received<T extends ServerFrame['type']>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.socket.frames().filter((frame): frame is Extract<ServerFrame, { type: T }> => frame.type === type)
  }

  /**
   * Resolves once the server has handled every frame this peer sent so far and sent out what it
   * coalesces for the end of the turn (broadcasts, and awareness when its throttle is 0).
   */
  async idle(): Promise<void> {
    await this.connection.whenIdle()
    await new Promise((resolve) => setImmediate(resolve))
  }

  /** The client goes away: its socket closes and the transport tells the registry. */
  disconnect(): void {
    this.socket.closeFromPeer()
    this.registry.disconnected(this.docName, this.connection)
  }
}
