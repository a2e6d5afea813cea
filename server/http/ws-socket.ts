/**
 * Adapts a `ws` WebSocket to the sync core: wraps it as a SyncSocket, feeds its frames to the
 * Connection, and keeps it alive with ping/pong (a socket that misses a pong is terminated, so
 * a vanished laptop's cursor disappears instead of lingering).
 *
 * The send path mirrors `ws` internals (`_socket`, `_sender._queue`, `Sender.frame`): small
 * frames are framed once and written straight to the socket (the fast path), anything else goes
 * through `ws.send` (the fallback). Every frame is counted by path
 * (`summitpad_ws_frames_sent_total{path}`), so a `ws` upgrade that silently turns the fast path
 * off shows. `ws` is pinned exactly in package.json; on upgrading it, run
 * `npx vitest run test/unit/server/http/ws-socket.test.ts` (it fails when the fast path is not
 * taken) and watch the metric.
 */
import * as wsModule from 'ws'
import type { WebSocket } from 'ws'
import { CloseCode, closeReason } from '../../shared/close-codes.ts'
import type { Connection } from '../sync/connection.ts'
import type { SyncSocket } from '../sync/socket.ts'
import type { SendPath } from '../observability/metrics.ts'

/** `ws`'s frame builder (public in `ws`, missing from its type definitions). */
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[] }
}

/** The raw socket under a WebSocket, as far as the send paths use it. */
interface RawSocket {
  write(chunk: Buffer): boolean
  cork?(): void
  uncork?(): void
}

/** What a WebSocket holds that the direct write path needs (see `WsSyncSocket.send`). */
interface WsInternals {
  _socket?: RawSocket
  _sender?: { _queue?: unknown[] }
}

/** A raw socket that can be corked, and whether it is corked for the current tick. */
interface TickCork {
  socket: RawSocket & { cork(): void; uncork(): void }
  corked: boolean
}

/** Ends a tick's cork (see `WsSyncSocket.send`): a module function, so no closure per send. */
function endTick(cork: TickCork): void {
  if (!cork.corked) return // a large frame flushed it already
  cork.corked = false
  cork.socket.uncork()
}

/** Payloads up to this size are framed once and written straight to each socket. */
const directMaxBytes = 16 * 1024

/**
 * The WebSocket frame (header and payload in one buffer) of the payload sent last: a broadcast
 * hands the same bytes to every connection in turn, so it is framed once, and framing it per
 * socket (a header, two writes, a writev) costs more than writing one buffer. One entry only, so
 * nothing outlives the broadcast.
 */
let lastPayload: Uint8Array | null = null
let lastFrame: Buffer | null = null

function framed(payload: Uint8Array): Buffer {
  if (payload !== lastPayload) {
    const data = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
    lastFrame = Buffer.concat(Sender.frame(data, { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false }))
    lastPayload = payload
  }
  return lastFrame!
}

/** Wraps `ws` as a SyncSocket; `sentVia` counts each frame sent by the path it took. */
export function toSyncSocket(ws: WebSocket, sentVia: (path: SendPath) => void = () => {}): SyncSocket {
  return new WsSyncSocket(ws, sentVia)
}

/** (A class, not an object of closures: one per connection, so its methods are shared.) */
class WsSyncSocket implements SyncSocket {
  /**
   * The raw socket and ws's sender queue when small frames may bypass `ws.send`: no extension
   * (compression) was negotiated, so ws's sender writes every frame to the socket as it comes,
   * and writing a pre-built frame to the same socket keeps the order. Null otherwise.
   */
  private readonly direct: { socket: RawSocket; queue: unknown[] } | null
  /** The raw socket, corked from a tick's first frame to the end of that tick; null if it cannot be. */
  private readonly cork: TickCork | null

  constructor(
    private readonly ws: WebSocket,
    private readonly sentVia: (path: SendPath) => void,
  ) {
    const { _socket: socket, _sender: sender } = ws as unknown as WsInternals
    this.direct = ws.extensions === '' && typeof socket?.write === 'function' && Array.isArray(sender?._queue) ? { socket, queue: sender._queue } : null
    // reason: the typeof checks narrow the optional methods of `socket` but not its type.
    this.cork = typeof socket?.cork === 'function' && typeof socket.uncork === 'function' ? { socket: socket as TickCork['socket'], corked: false } : null
  }

  send(frame: Uint8Array): void {
    const ws = this.ws
    if (ws.readyState !== ws.OPEN) return
    // Small frames sent to one socket in the same tick (a joining client's sync step 2 and the
    // server's step 1, an update and an ack) leave in one write instead of a system call each:
    // the socket is corked at the tick's first frame and uncorked once the tick's code has run
    // (issue 21: these writes were a fifth of a connect's cost when a thousand rooms join in a
    // minute). A large frame (a whole pad) flushes them and is written at once, as before, so
    // the backlog the next send checks (`bufferedAmount`) is only what the client has not taken.
    const cork = this.cork
    if (cork) {
      if (frame.byteLength <= directMaxBytes) {
        if (!cork.corked) {
          cork.corked = true
          cork.socket.cork()
          process.nextTick(endTick, cork)
        }
      } else if (cork.corked) {
        cork.corked = false
        cork.socket.uncork()
      }
    }
    const direct = this.direct
    // Only while ws holds nothing queued of its own, or the direct frame would overtake it.
    if (direct && frame.byteLength <= directMaxBytes && direct.queue.length === 0) {
      direct.socket.write(framed(frame))
      this.sentVia('fast')
    } else {
      ws.send(frame, { binary: true })
      this.sentVia('fallback')
    }
  }

  close(code: number, reason: string): void {
    const ws = this.ws
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason)
  }

  // A slow consumer would read the close frame only after the backlog it is not reading, and
  // the backlog would stay in memory until the 30 s close timeout: the core drops it at once.
  terminate(): void {
    this.ws.terminate()
  }

  // ws stops reading the TCP socket: the client's sends back up in its own buffers.
  pause(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.pause()
  }

  resume(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.resume()
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount
  }
}

/**
 * Keeps sockets alive with one interval for all of them (not a timer per socket: issue 21, a
 * connection holds as little as it can). Every `intervalMs` each socket is pinged, and a socket
 * that sent nothing (no pong, no frame) since the previous ping is terminated. The sockets are
 * spread over `slots` groups, one swept per `intervalMs / slots`, so a summit's thousands of
 * sockets are not all pinged in one turn of the event loop (each ping is a write). The interval
 * runs only while there are sockets, and never keeps the process alive.
 */
export class PingSweep {
  /** The sockets of each slot; a socket joins the slot after the last one a socket joined. */
  private readonly slots: Set<SocketBinding>[]
  private count = 0
  private nextSlot = 0
  private current = 0
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly intervalMs: number,
    slotCount = 16,
  ) {
    this.slots = Array.from({ length: Math.max(1, slotCount) }, () => new Set())
  }

  /** Sockets watched now (for tests). @internal */
  get size(): number {
    return this.count
  }

  add(binding: SocketBinding): void {
    binding.slot = this.nextSlot
    this.nextSlot = (binding.slot + 1) % this.slots.length
    this.slots[binding.slot]!.add(binding)
    this.count++
    if (this.timer) return
    this.timer = setInterval(() => this.sweep(), this.intervalMs / this.slots.length)
    this.timer.unref()
  }

  remove(binding: SocketBinding): void {
    if (!this.slots[binding.slot]?.delete(binding)) return
    this.count--
    if (this.count > 0 || !this.timer) return
    clearInterval(this.timer)
    this.timer = null
  }

  /** Sweeps the next slot: each of its sockets has had a whole interval since its last ping. */
  private sweep(): void {
    const slot = this.slots[this.current]!
    this.current = (this.current + 1) % this.slots.length
    for (const binding of slot) {
      if (!binding.alive) {
        binding.ws.terminate()
        continue
      }
      binding.alive = false
      binding.ws.ping()
    }
  }
}

/** What one socket's listeners need: module-level listeners find it by the socket (`this`). */
interface SocketBinding {
  readonly ws: WebSocket
  readonly connection: Connection
  readonly sweep: PingSweep
  readonly onClosed: (code: number) => void
  alive: boolean
  /** Its PingSweep slot (set by `add`). */
  slot: number
}

const bindings = new WeakMap<WebSocket, SocketBinding>()

/**
 * Routes `ws` events to `connection`. Call synchronously in the upgrade callback so no frame is
 * missed while the room loads. `onClosed` runs once, after the socket closed for any reason, with
 * the close code.
 * The listeners are module functions (`ws` calls them with the socket as `this`), so a
 * connection keeps no closure of its own for them.
 */
export function bindSocket(ws: WebSocket, connection: Connection, sweep: PingSweep, onClosed: (code: number) => void): void {
  const binding: SocketBinding = { ws, connection, sweep, onClosed, alive: true, slot: 0 }
  bindings.set(ws, binding)
  sweep.add(binding)
  ws.on('pong', onPong)
  ws.on('message', onMessage)
  ws.on('error', onError)
  ws.on('close', onClose)
}

function onPong(this: WebSocket): void {
  const binding = bindings.get(this)
  if (binding) binding.alive = true
}

function onMessage(this: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  const binding = bindings.get(this)
  if (!binding) return
  binding.alive = true
  if (!isBinary) {
    binding.connection.close(CloseCode.unsupportedData, closeReason[CloseCode.unsupportedData])
    return
  }
  binding.connection.receive(toBytes(data))
}

function onError(): void {
  // ws emits 'error' for protocol violations (e.g. a frame over maxPayload, closed with 1009);
  // the socket then closes and 'close' does the cleanup.
}

function onClose(this: WebSocket, code: number): void {
  const binding = bindings.get(this)
  if (!binding) return
  bindings.delete(this)
  binding.sweep.remove(binding)
  binding.onClosed(code)
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
