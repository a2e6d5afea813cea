/**
 * RawReceiver: the lightweight receiving client of the fanout benchmark. A raw `ws` socket with
 * no Y.Doc: it sends sync step 1 with the empty state vector, waits for the server's step 2 (the
 * whole doc), and from then on only counts the frames and bytes it receives, keeping the update
 * payloads aside (a reference, no copy, no decoding while the run is timed). It never answers the
 * server's step 1 (it has nothing the server lacks) and sends nothing else.
 *
 * Delivery is judged by content, not by frame count, since a server may merge several updates
 * into one frame: `coverage()` reads the kept updates' clock ranges (`Y.parseUpdateMeta`) after
 * the fact, and a receiver is complete once it has every writer's clocks up to the writer's last.
 */
import WebSocket from 'ws'
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import { emptyStep1Frame, frameKind, messageSync, messageYjsSyncStep2, messageYjsUpdate } from '../shared/protocol.ts'

/** What one receiver has counted. */
export interface ReceiverCounts {
  /** Sync update frames (type 2) received after the initial sync, and their bytes. */
  updateFrames: number
  updateBytes: number
  /** Every frame and byte received, handshake and awareness included. */
  frames: number
  bytes: number
  /** The close code if the server closed the socket, else 0. */
  closeCode: number
}

export class RawReceiver {
  readonly counts: ReceiverCounts = { updateFrames: 0, updateBytes: 0, frames: 0, bytes: 0, closeCode: 0 }
  private synced = false
  /** Update frames not yet read by `coverage`. */
  private unread: Buffer[] = []
  /** For each client: the clock up to which updates arrived (exclusive). */
  private readonly reached = new Map<number, number>()

  private constructor(private readonly ws: WebSocket) {}

  /** Connects to `url` and resolves once the server's step 2 arrived; rejects after `timeoutMs`. */
  static connect(url: string, timeoutMs: number): Promise<RawReceiver> {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    const receiver = new RawReceiver(ws)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate()
        reject(new Error(`receiver not synced after ${timeoutMs} ms`))
      }, timeoutMs)
      ws.on('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      ws.on('close', (code) => {
        receiver.counts.closeCode = code
        clearTimeout(timer)
        reject(new Error(`receiver closed before synced: ${code}`))
      })
      ws.on('open', () => ws.send(emptyStep1Frame))
      ws.on('message', (data: Buffer) => {
        receiver.count(data)
        if (!receiver.synced && receiver.isStep2(data)) {
          receiver.synced = true
          clearTimeout(timer)
          resolve(receiver)
        }
      })
    })
  }

  /**
   * True when this receiver got every client's updates up to `expected` (client -> clock, as in a
   * state vector). Reads the frames kept since the last call.
   */
  coverage(expected: Map<number, number>): boolean {
    for (const frame of this.unread) {
      const decoder = decoding.createDecoder(frame)
      decoding.readVarUint(decoder)
      decoding.readVarUint(decoder)
      const { to } = Y.parseUpdateMeta(decoding.readVarUint8Array(decoder))
      for (const [client, clock] of to) if ((this.reached.get(client) ?? 0) < clock) this.reached.set(client, clock)
    }
    this.unread = []
    for (const [client, clock] of expected) if ((this.reached.get(client) ?? 0) < clock) return false
    return true
  }

  /** Closes the socket. */
  close(): void {
    this.ws.close()
  }

  private count(data: Buffer): void {
    this.counts.frames++
    this.counts.bytes += data.byteLength
    // A sync update is [0 messageSync][2 messageYjsUpdate]...: both tags fit in one byte.
    if (this.synced && data[0] === messageSync && data[1] === messageYjsUpdate) {
      this.counts.updateFrames++
      this.counts.updateBytes += data.byteLength
      this.unread.push(data)
    }
  }

  private isStep2(data: Buffer): boolean {
    const { tag, syncType } = frameKind(data)
    return tag === messageSync && syncType === messageYjsSyncStep2
  }
}
