/**
 * Worker thread of the summit scenario: hosts a share of the summit's clients, each opening the
 * sockets the browser page opens, at the time the plan says (bench/scenarios/summit.ts).
 *
 * A client is what one browser tab is:
 * - `reader` (the pad page of someone following along): the pad socket (`/sync/<id>?ack=1&schema=N`,
 *   with an awareness `user` state), the control socket (`/sync/<id>/control`) and the chat socket
 *   (`/sync/<id>/chat`), both with awareness null as client/sync sets it, each a raw
 *   socket that speaks the handshake as y-websocket does (step 1, its awareness, step 2 in answer
 *   to the server's step 1) and from then on only counts what arrives. After the pad is synced it
 *   claims authorship (the PermanentUserData mapping and `authors` entry the page writes).
 * - `probe`: a reader whose pad is a full Y.Doc timing the writers' markers (bench/probe.ts's rule).
 * - `writer`: a reader whose pad is a Y.Doc that types markers (bench/marker.ts) into its own
 *   paragraphs at a fixed rate, and sends its cursor in the awareness whenever y-prosemirror would:
 *   when the cursor's relative position changes (here: the first character of a paragraph, and a
 *   switch to its other paragraph, a click elsewhere, with a seeded probability per keystroke).
 * - `projector` (client/pages/projector.ts): the pad without a key and with awareness null, and the
 *   control socket; no chat (the projector opens it only when the moderator shows it).
 *
 * Every socket with a local awareness state renews it every 15 s, as y-protocols' Awareness does.
 * The pad page's HTTP requests come first: `GET /api/sessions/<id>` (before any socket, as
 * loadSessionView), then `/api/time` five times and `/api/event` beside the sockets.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as prng from 'lib0/prng'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { ackQueryParam, awarenessFrame, emptyStep1Frame, messageSync, messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate, schemaQueryParam, syncFrame, tokenQueryParam } from '../shared/protocol.ts'
import { padFragmentName, SCHEMA_VERSION } from '../shared/schema.ts'
import { nowMicros, nowMs, sleep } from './clock.ts'
import { formatMarker, MarkerTally } from './marker.ts'
import { toBytes } from './wire.ts'
import { serveRpc } from './worker-rpc.ts'

/** One browser tab of the summit. */
export interface SummitClientSpec {
  /** Unique over the whole summit. */
  id: number
  room: number
  kind: 'reader' | 'probe' | 'writer' | 'projector'
  /** When it joins, ms after the join phase's start. */
  atMs: number
  /** The moderator secret (the moderator's tab), else null. */
  token: string | null
  /** `ws://host:port/sync/<session>` (summitpad) or `ws://host:port/<room>` (reference). */
  padUrl: string
  /** The page's other sockets; null where the client (or the reference) has none. */
  controlUrl: string | null
  chatUrl: string | null
  /** `http://host:port/api/sessions/<id>`: the page's session read, and its clock and zone reads; null for the reference. */
  sessionApi: string | null
  /** Claim authorship after the pad is synced (the page does when this person may write). */
  claim: boolean
}

/** What a summit worker measured. */
export interface SummitWorkerStats {
  /** Pad socket open → the server's step 2 arrived (applied, for Y.Doc clients), ms, one per pad socket. */
  joinPadMs: number[]
  joinControlMs: number[]
  joinChatMs: number[]
  /** `GET /api/sessions/<id>` before the sockets, ms. */
  sessionReadMs: number[]
  /** Sockets that failed to open or sync, or were closed by the server, with why. */
  failures: string[]
  sockets: number
  /** Frames and bytes received by every socket (handshakes included). */
  framesIn: number
  bytesIn: number
  /** Frames sent: updates (markers, paragraphs, claims) and awareness updates (cursor moves, renewals). */
  updatesOut: number
  awarenessOut: number
  cursorUpdatesOut: number
  /** Socket closes by the server after the join. */
  closedByServer: number
}

/** The methods a summit worker serves (see RpcWorker). */
export type SummitWorkerApi = {
  /** Joins every client at `startAtMs + atMs` (monotonic ms, clock.ts); resolves once each is synced or failed. */
  join(params: { startAtMs: number; clients: SummitClientSpec[]; timeoutMs: number }): Promise<{ joined: number; failed: number }>
  /** The writers here type `rate` keystrokes per second each for `seconds`, from `startAtMs`, phases spread by `seed`. */
  type(params: { startAtMs: number; seconds: number; rate: number; switchProbability: number; seed: number }): Promise<{ sent: number; byRoom: [number, number][]; maxLagMs: number }>
  /** Counters and join times. */
  stats(params: void): SummitWorkerStats
  /** Every probe's marker latencies (ms) with the time each was typed (µs), and per probe its room, markers and duplicates. */
  latencies(params: void): { latenciesMs: Float64Array; sentMicros: Float64Array; probes: { room: number; markers: number; duplicates: number }[] }
  /** Closes every socket. */
  close(params: void): void
}

const renewMs = 15_000
const colors = ['#1565c0', '#2e7d32', '#c62828', '#6a1b9a', '#ad1457', '#00695c', '#e65100', '#4e342e', '#283593', '#37474f']
const emptyUpdate = Y.encodeStateAsUpdate(new Y.Doc())

const stats: SummitWorkerStats = {
  joinPadMs: [],
  joinControlMs: [],
  joinChatMs: [],
  sessionReadMs: [],
  failures: [],
  sockets: 0,
  framesIn: 0,
  bytesIn: 0,
  updatesOut: 0,
  awarenessOut: 0,
  cursorUpdatesOut: 0,
  closedByServer: 0,
}

/** One socket as y-websocket runs it: the handshake, its awareness state (renewed), counting what arrives. */
class SummitSocket {
  readonly ws: WebSocket
  private awarenessClock = 0
  private awarenessAt = 0
  opened = Number.NaN
  synced = false
  private closing = false

  constructor(
    url: string,
    readonly clientId: number,
    private awarenessState: Record<string, unknown> | null,
    /** Applies a sync frame's payload; null: count only. */
    private readonly ydoc: Y.Doc | null,
    private readonly onSynced: (ms: number) => void,
    private readonly onFailed: (why: string) => void,
  ) {
    this.ws = new WebSocket(url, { perMessageDeflate: false })
    stats.sockets++
    this.ws.on('open', () => {
      this.opened = nowMs()
      // As y-websocket's onopen: step 1 with the doc's state vector, then the local awareness state.
      this.ws.send(this.ydoc ? syncFrame(messageYjsSyncStep1, Y.encodeStateVector(this.ydoc)) : emptyStep1Frame)
      if (this.awarenessState !== null) this.sendAwareness()
    })
    this.ws.on('message', (data: Buffer) => this.receive(toBytes(data)))
    // An error is followed by a close: a socket fails once, with the first reason.
    const fail = (why: string) => {
      if (this.closing) return
      this.closing = true
      onFailed(why)
    }
    this.ws.on('error', (error) => {
      if (!this.synced) fail(`${url}: ${error.message}`)
    })
    this.ws.on('close', (code, reason) => {
      if (!this.synced) {
        fail(`${url}: closed before synced: ${code} ${reason.toString()}`)
        return
      }
      if (this.closing) return
      stats.closedByServer++
      stats.failures.push(`${url}: closed by the server: ${code} ${reason.toString()}`)
    })
  }

  /** Sets the local awareness state (y-protocols: clock + 1) and sends it. */
  setAwareness(state: Record<string, unknown>): void {
    this.awarenessState = state
    this.sendAwareness()
  }

  /** Renews the awareness state once 15 s old, as y-protocols' Awareness check does. */
  renew(now: number): void {
    if (this.awarenessState !== null && this.synced && now - this.awarenessAt >= renewMs) this.sendAwareness()
  }

  sendUpdate(update: Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    this.ws.send(syncFrame(messageYjsUpdate, update))
    stats.updatesOut++
  }

  close(): void {
    this.closing = true
    this.ws.close()
  }

  /** Gives up on a socket that did not sync in time: terminated, and what happens to it after is not counted again. */
  drop(): void {
    this.closing = true
    this.ws.terminate()
  }

  private sendAwareness(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    this.awarenessClock++
    this.awarenessAt = nowMs()
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarUint(encoder, this.clientId)
    encoding.writeVarUint(encoder, this.awarenessClock)
    encoding.writeVarString(encoder, JSON.stringify(this.awarenessState))
    this.ws.send(awarenessFrame(encoding.toUint8Array(encoder)))
    stats.awarenessOut++
  }

  private receive(frame: Uint8Array): void {
    stats.framesIn++
    stats.bytesIn += frame.byteLength
    if (frame[0] !== messageSync) return // awareness, acks, auth: counted only
    if (this.ydoc === null) {
      if (frame[1] === messageYjsSyncStep1) {
        // An empty doc answers the server's step 1 with an empty step 2, as y-websocket does.
        this.ws.send(syncFrame(messageYjsSyncStep2, emptyUpdate))
      } else if (frame[1] === messageYjsSyncStep2 && !this.synced) {
        this.synced = true
        this.onSynced(nowMs() - this.opened)
      }
      return
    }
    const decoder = decoding.createDecoder(frame)
    decoding.readVarUint(decoder)
    const syncType = decoding.readVarUint(decoder)
    if (syncType === messageYjsSyncStep1) {
      this.ws.send(syncFrame(messageYjsSyncStep2, Y.encodeStateAsUpdate(this.ydoc, decoding.readVarUint8Array(decoder))))
    } else if (syncType === messageYjsSyncStep2 || syncType === messageYjsUpdate) {
      // A writer applies nothing after its sync (it only types); a probe applies everything.
      if (this.synced && !this.applyAll) return
      Y.applyUpdate(this.ydoc, decoding.readVarUint8Array(decoder), remote)
      if (syncType === messageYjsSyncStep2 && !this.synced) {
        this.synced = true
        this.onSynced(nowMs() - this.opened)
      }
    }
  }

  /** Probes apply every update; writers only the initial state. */
  applyAll = false
}

const remote = Symbol('remote')

/** One tab: its sockets and, for writers and probes, the pad's Y.Doc. */
class SummitClient {
  readonly sockets: SummitSocket[] = []
  pad: SummitSocket | null = null
  ydoc: Y.Doc | null = null
  readonly identity: { id: string; name: string; color: string }
  /** Writers: their two paragraphs, the one typed into, and the cursor last published. */
  texts: Y.XmlText[] = []
  current = 0
  cursor: { anchor: Y.RelativePosition; head: Y.RelativePosition } | null = null
  /** Probes: markers seen, latencies. */
  readonly tally = new MarkerTally()

  constructor(readonly spec: SummitClientSpec) {
    this.identity = { id: `u-bench-${spec.id}`, name: `Guest ${spec.id}`, color: colors[spec.id % colors.length]! }
  }

  /** Runs the page's join: the session read, then the sockets; resolves once every socket is synced (or failed). */
  async join(timeoutMs: number): Promise<boolean> {
    const { spec } = this
    const headers: Record<string, string> = spec.token ? { authorization: `Bearer ${spec.token}` } : {}
    if (spec.sessionApi) {
      const started = nowMs()
      try {
        const response = await fetch(spec.sessionApi, { headers, signal: AbortSignal.timeout(timeoutMs) })
        await response.arrayBuffer()
        if (!response.ok) throw new Error(`${response.status}`)
        stats.sessionReadMs.push(nowMs() - started)
      } catch (error) {
        // fetch's own message ('fetch failed') hides why: a refused or reset connection, a connect timeout.
        const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause
        stats.failures.push(`GET ${spec.sessionApi}: ${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`)
        return false
      }
      // syncServerClock (five /api/time reads) and loadEventZone run beside the sockets, unawaited.
      const origin = new URL(spec.sessionApi).origin
      void (async () => {
        for (let i = 0; i < 5; i++) await fetch(`${origin}/api/time`, { cache: 'no-store' }).then((r) => r.arrayBuffer()).catch(() => {})
        await fetch(`${origin}/api/event`, { headers: { accept: 'application/json' } }).then((r) => r.arrayBuffer()).catch(() => {})
      })()
    }
    const full = spec.kind === 'writer' || spec.kind === 'probe'
    if (full) this.ydoc = new Y.Doc({ gc: false })
    const clientId = this.ydoc?.clientID ?? Math.floor(Math.random() * 2 ** 31)
    const token: Record<string, string> = spec.token ? { [tokenQueryParam]: spec.token } : {}
    const padQuery = new URLSearchParams({ [ackQueryParam]: '1', [schemaQueryParam]: String(SCHEMA_VERSION), ...(spec.kind === 'projector' ? {} : token) })
    const sideQuery = new URLSearchParams(spec.kind === 'projector' ? {} : token).toString()
    const waits: Promise<boolean>[] = []
    const open = (url: string, awareness: Record<string, unknown> | null, ydoc: Y.Doc | null, times: number[]) => {
      let socket!: SummitSocket
      waits.push(
        new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => {
            stats.failures.push(`${url}: not synced after ${timeoutMs} ms`)
            // As y-websocket after 30 s without a message: drop the socket (this bench does not reconnect).
            socket.drop()
            resolve(false)
          }, timeoutMs)
          socket = new SummitSocket(
            url,
            clientId,
            awareness,
            ydoc,
            (ms) => {
              clearTimeout(timer)
              times.push(ms)
              resolve(true)
            },
            (why) => {
              clearTimeout(timer)
              stats.failures.push(why)
              resolve(false)
            },
          )
        }),
      )
      this.sockets.push(socket)
      return socket
    }
    // The order of the page: the pad, the control doc, the chat.
    this.pad = open(`${spec.padUrl}?${padQuery}`, spec.kind === 'projector' ? null : { user: this.identity }, this.ydoc, stats.joinPadMs)
    this.pad.applyAll = spec.kind === 'probe'
    if (spec.controlUrl) open(`${spec.controlUrl}${sideQuery ? `?${sideQuery}` : ''}`, null, null, stats.joinControlMs)
    if (spec.chatUrl) open(`${spec.chatUrl}${sideQuery ? `?${sideQuery}` : ''}`, null, null, stats.joinChatMs)
    if (spec.kind === 'probe') this.ydoc!.getXmlFragment(padFragmentName).observeDeep((events) => this.tally.observe(events))
    const [padSynced] = await Promise.all(waits)
    if (!padSynced) return false
    if (spec.claim) this.claimAuthorship(clientId)
    if (spec.kind === 'writer') this.startParagraphs()
    return true
  }

  /** The page's Authorship.claim: the PermanentUserData mapping and the `authors` entry, one update. */
  private claimAuthorship(clientId: number): void {
    const doc = this.ydoc ?? new Y.Doc({ gc: false })
    if (!this.ydoc) doc.clientID = clientId
    let update: Uint8Array | null = null
    const capture = (u: Uint8Array, origin: unknown) => {
      if (origin !== remote) update = update ? Y.mergeUpdates([update, u]) : u
    }
    doc.on('update', capture)
    const pud = new Y.PermanentUserData(doc)
    pud.setUserMapping(doc, doc.clientID, this.identity.id)
    doc.getMap('authors').set(this.identity.id, { name: this.identity.name, color: this.identity.color })
    doc.off('update', capture)
    if (update) this.pad!.sendUpdate(update)
    if (!this.ydoc) doc.destroy()
  }

  /** A writer's two paragraphs, created when it joins (one update each). */
  private startParagraphs(): void {
    const doc = this.ydoc!
    for (let i = 0; i < 2; i++) {
      const text = new Y.XmlText()
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [text])
      this.texts.push(text)
      this.typeUpdate(() => doc.getXmlFragment(padFragmentName).push([paragraph]))
    }
    this.publishCursor()
  }

  /** Runs `change` on the writer's doc and sends the update it makes. */
  typeUpdate(change: () => void): void {
    const doc = this.ydoc!
    let update: Uint8Array | null = null
    const capture = (u: Uint8Array, origin: unknown) => {
      if (origin !== remote) update = u
    }
    doc.on('update', capture)
    doc.transact(change)
    doc.off('update', capture)
    if (update) this.pad!.sendUpdate(update)
  }

  /** y-prosemirror's cursor plugin: publish the cursor when its relative position changed. */
  publishCursor(): void {
    const text = this.texts[this.current]!
    // absolutePositionToRelativePosition at the end of a paragraph's text (the fragment is not empty: assoc 0).
    const position = Y.createRelativePositionFromTypeIndex(text, text.length, 0)
    if (this.cursor && Y.compareRelativePositions(this.cursor.anchor, position)) return
    this.cursor = { anchor: position, head: position }
    const json = Y.relativePositionToJSON(position)
    this.pad!.setAwareness({ user: this.identity, cursor: { anchor: json, head: json } })
    stats.cursorUpdatesOut++
  }


  close(): void {
    for (const socket of this.sockets) socket.close()
    this.ydoc?.destroy()
  }
}

const clients: SummitClient[] = []
let renewTimer: NodeJS.Timeout | null = null
/** Marker ids: unique over the summit (this worker's writers' client ids are unique; ids are id * 1e6 + n). */
const typedBy = new Map<number, number>()

const api: SummitWorkerApi = {
  async join({ startAtMs, clients: specs, timeoutMs }) {
    // y-protocols checks every 3 s whether a state is 15 s old.
    renewTimer ??= setInterval(() => {
      const now = nowMs()
      for (const client of clients) for (const socket of client.sockets) socket.renew(now)
    }, 3000)
    const sorted = [...specs].sort((a, b) => a.atMs - b.atMs)
    const joins: Promise<boolean>[] = []
    for (const spec of sorted) {
      const wait = startAtMs + spec.atMs - nowMs()
      if (wait > 0) await sleep(wait)
      const client = new SummitClient(spec)
      clients.push(client)
      joins.push(client.join(timeoutMs))
    }
    const results = await Promise.all(joins)
    return { joined: results.filter(Boolean).length, failed: results.filter((ok) => !ok).length }
  },
  type({ startAtMs, seconds, rate, switchProbability, seed }) {
    const writers = clients.filter((client) => client.spec.kind === 'writer' && client.texts.length > 0)
    const gen = prng.create(seed)
    const intervalMs = 1000 / rate
    const total = Math.round(rate * seconds)
    // Each writer's keystroke k is due at start + (phase + k) / rate: the same pace, not in step.
    const phase = writers.map(() => prng.real53(gen) * intervalMs)
    const done = writers.map(() => 0)
    const byRoom = new Map<number, number>()
    let sent = 0
    let maxLagMs = 0
    return new Promise((resolve) => {
      const tick = () => {
        const now = nowMs()
        for (let w = 0; w < writers.length; w++) {
          const writer = writers[w]!
          while (done[w]! < total && startAtMs + phase[w]! + done[w]! * intervalMs <= now) {
            maxLagMs = Math.max(maxLagMs, now - (startAtMs + phase[w]! + done[w]! * intervalMs))
            done[w]!++
            // A click into the writer's other paragraph now and then: the cursor moves.
            if (prng.real53(gen) < switchProbability) writer.current = 1 - writer.current
            const text = writer.texts[writer.current]!
            const n = typedBy.get(writer.spec.id) ?? 0
            typedBy.set(writer.spec.id, n + 1)
            writer.typeUpdate(() => text.insert(text.length, formatMarker(writer.spec.id * 1_000_000 + n, nowMicros())))
            writer.publishCursor()
            byRoom.set(writer.spec.room, (byRoom.get(writer.spec.room) ?? 0) + 1)
            sent++
          }
        }
        if (done.every((d) => d >= total)) {
          clearInterval(timer)
          resolve({ sent, byRoom: [...byRoom], maxLagMs })
        }
      }
      const timer = setInterval(tick, 1)
      tick()
    })
  },
  stats() {
    return stats
  },
  latencies() {
    const probes = clients.filter((client) => client.spec.kind === 'probe')
    return {
      latenciesMs: Float64Array.from(probes.flatMap((probe) => probe.tally.latenciesMs)),
      sentMicros: Float64Array.from(probes.flatMap((probe) => probe.tally.sentMicros)),
      probes: probes.map((probe) => ({ room: probe.spec.room, markers: probe.tally.seen.size, duplicates: probe.tally.duplicates })),
    }
  },
  close() {
    if (renewTimer) clearInterval(renewTimer)
    renewTimer = null
    for (const client of clients) client.close()
    clients.length = 0
  },
}

serveRpc(api)
