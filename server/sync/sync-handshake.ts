/**
 * SyncHandshake: the server's side of the y-protocols sync handshake for one room. A client sends
 * its sync step 1 (its state vector) first; the server answers with step 2 (what the client
 * lacks) and sends its own step 1, so the client answers with what the server lacks. The
 * server's step 1 goes first, as y-websocket servers do, unless reading it means walking a large
 * pad that is not built: then it follows the answer (which it would otherwise delay). A client
 * that sends no step 1 gets the server's after `step1DelayMs`; a connect storm reads it once.
 * While the room reads its state vector over several turns (RoomDoc `readStateVectorLater`), the
 * step 1 waits for it: the room sends it to every peer waiting once it is read.
 */
import { writeSyncStep1Frame, writeSyncStep2Frame } from '../../shared/protocol.ts'
import { UpdateRefusedError } from './errors.ts'
import type { Peer } from './peer.ts'
import type { RoomDoc } from './room-doc.ts'
import { checkStateVector } from './update-checks.ts'
import { ContentRefusedError } from './update-shape.ts'

/**
 * How long a new connection may wait for the server's sync step 1: it is sent right after the
 * answer to the client's own step 1 (clients send theirs first), or after this delay.
 */
const step1DelayMs = 50

export class SyncHandshake {
  /** Peers waiting for the server's sync step 1. */
  private readonly awaiting = new Set<Peer>()

  constructor(
    private readonly doc: RoomDoc,
    private readonly peers: ReadonlySet<Peer>,
    /** Most clients a state vector may list (4422 past it). */
    private readonly maxStateVectorClients: number,
  ) {}

  /** A peer joined: it gets the server's step 1 after its own step 1 is answered, or after `step1DelayMs`. */
  joined(peer: Peer): void {
    this.awaiting.add(peer)
    if (this.awaiting.size === 1) setTimeout(() => this.sendAwaitedStep1(), step1DelayMs).unref()
  }

  /** A peer left. */
  left(peer: Peer): void {
    this.awaiting.delete(peer)
  }

  /**
   * Answers `peer`'s sync step 1 (`stateVector`) with step 2, and sends the server's step 1 if it
   * still waits for it. Throws as `syncStep2For`. `maxFrameBytes`: an answer larger than this is
   * sent after the server's step 1, so the answer cannot make the client look slow.
   */
  answerStep1(peer: Peer, stateVector: Uint8Array, maxFrameBytes: number): void {
    const step2 = this.syncStep2For(stateVector)
    const answerFirst = this.doc.stateVectorIsCostly && step2.length <= maxFrameBytes
    if (!answerFirst) this.sendAwaitedStep1(peer)
    peer.send(writeSyncStep2Frame(step2))
    if (answerFirst) this.sendAwaitedStep1(peer)
  }

  /**
   * The update holding everything the peer with `stateVector` lacks (see RoomDoc.missingFor).
   * Throws on a state vector that does not decode, and UpdateRefusedError (4422) on one listing
   * more than `maxStateVectorClients` clients.
   */
  syncStep2For(stateVector: Uint8Array): Uint8Array {
    try {
      checkStateVector(stateVector, this.maxStateVectorClients)
    } catch (error) {
      if (error instanceof ContentRefusedError) throw new UpdateRefusedError('unprocessable', `update refused: ${error.message}`)
      throw error
    }
    return this.doc.missingFor(stateVector)
  }

  /**
   * Sends the server's sync step 1 to `only` if it still waits for it, else to every peer waiting;
   * nothing while the state vector is being read (then it is sent once read).
   */
  sendAwaitedStep1(only?: Peer): void {
    if (this.awaiting.size === 0 || this.doc.isReleased || this.doc.stateVectorPending) return
    if (only && !this.awaiting.has(only)) return
    const frame = writeSyncStep1Frame(this.doc.stateVector())
    const waiting = only ? [only] : [...this.awaiting]
    for (const peer of waiting) {
      this.awaiting.delete(peer)
      if (this.peers.has(peer)) peer.send(frame)
    }
  }
}
