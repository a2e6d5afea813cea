/**
 * Capacity scenarios, run against either server:
 * - `rooms`: many sessions with a few clients each, joining over a few seconds: each client's
 *   connect time (socket → synced) and the server's memory per room (RSS growth over the idle
 *   server); then one writer per room types at human pace while the others receive:
 *   edit-to-delivery latency and server CPU over the editing window (bench/room-worker.ts).
 * - `burst`: N clients connecting at once to one large pad (a replayed editing trace): the time
 *   until every one of them has the whole doc.
 * - `ingest`: one writer replays an editing trace one operation per update, as fast as the
 *   server takes them (pacing by a probe that watches the writer's clock arrive): updates/s.
 */
import * as Y from 'yjs'
import { nowMs, pollUntil, sleep } from '../clock.ts'
import { progress } from '../log.ts'
import { CpuMeter, MachineMeter, readCpuSeconds, readMemory, machineFigures } from '../proc.ts'
import type { ReceiverWorkerApi } from '../receiver-worker.ts'
import type { RoomJoin, RoomWorkerApi } from '../room-worker.ts'
import { createSession, startBenchServer, type BenchServer, type BenchTarget } from '../server-process.ts'
import { round, roundSummary, summarize, type Summary } from '../stats.ts'
import { EditingTrace } from '../trace.ts'
import { RpcWorker } from '../worker-rpc.ts'
import { YClient } from '../y-client.ts'

/** Server env that lifts summitpad's abuse limits, which a load generator on one address trips by design. */
export const benchLimits = { CONNECTIONS_PER_IP_PER_SECOND: '0', MAX_MESSAGES_PER_SECOND: '1000000', MESSAGE_BURST: '1000000' }
const timeoutMs = 60_000
const mib = (bytes: number) => round(bytes / (1024 * 1024), 1)

export interface RoomsResult {
  scenario: 'rooms'
  target: BenchTarget
  rooms: number
  clientsPerRoom: number
  /** The rooms joined evenly spaced over this long. */
  joinSeconds: number
  /** From the first room's join to the last client synced. */
  connectSeconds: number | null
  /** Each client's socket created → server's sync step 2 received, ms. */
  connectMs: Record<keyof Summary, number | null>
  /** The part of it until the socket was open (TCP connect and HTTP upgrade), ms. */
  openMs: Record<keyof Summary, number | null>
  connectFailures: number
  /** Server CPU from the first join to the last client synced, per connection, ms. */
  joinCpuMsPerConnection: number | null
  rssIdleMiB: number | null
  rssLoadedMiB: number | null
  /** RSS growth per room (its clients included) once every room joined, before editing, KB. */
  kbPerRoom: number | null
  kbPerConnection: number | null
  ratePerRoom: number
  editSeconds: number
  /** Markers typed, warm-up included. */
  typed: number
  /** Markers typed in the timed window, and their rate (below rooms × rate when the bench falls behind). */
  timedTyped: number
  achievedRate: number | null
  /** Marker typed by a room's writer → read at the room's other clients, typed in the timed window, ms. */
  latencyMs: Record<keyof Summary, number | null>
  /** Receivers that got every marker of their room's writer (after a drain of at most 15 s). */
  delivery: { complete: number; receivers: number; closed: number }
  /** Server CPU over the timed editing window (100 = one core), and memory after it. */
  server: { cpuPercent: number | null; mainThreadCpuPercent: number | null; cpuSeconds: number | null; cpuMsPerUpdate: number | null; rssAfterEditMiB: number | null; peakRssMiB: number | null }
  /** RSS growth per room over the idle server after editing, KB. */
  kbPerRoomAfterEdit: number | null
  benchCpuPercent: number | null
  machine: { busyPercent: number | null; otherCpuPercent: number | null; cpuPressurePercent: number | null }
}

export interface BurstResult {
  scenario: 'burst'
  target: BenchTarget
  clients: number
  docKiB: number | null
  /** From the first connect to the last client holding the whole doc, ms. */
  stormMs: number | null
  serverCpuSeconds: number | null
}

export interface IngestResult {
  scenario: 'ingest'
  target: BenchTarget
  updates: number
  seconds: number | null
  updatesPerSecond: number | null
}

async function withServer<T>(target: BenchTarget, serverEnv: Record<string, string>, run: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startBenchServer({ target, env: { ...benchLimits, ...serverEnv } })
  try {
    return await run(server)
  } finally {
    await server.dispose().catch((error: unknown) => progress(`could not stop the server: ${String(error)}`))
  }
}

function spawnReceivers(count: number): RpcWorker<ReceiverWorkerApi>[] {
  return Array.from({ length: count }, () => RpcWorker.spawn<ReceiverWorkerApi>(new URL('../receiver-worker.ts', import.meta.url)))
}

async function closeReceivers(workers: RpcWorker<ReceiverWorkerApi>[]): Promise<void> {
  await Promise.allSettled(workers.map((worker) => worker.call('close', undefined, 10_000)))
  await Promise.allSettled(workers.map((worker) => worker.terminate()))
}

/** What `runRooms` measures with. */
export interface RoomsOptions {
  target: BenchTarget
  rooms: number
  clientsPerRoom: number
  /** The rooms join one after another over this long (open loop, evenly spaced), each room's clients at once. */
  joinSeconds: number
  /** Typing before the measured window, not timed. */
  warmupSeconds: number
  /** The measured editing window. */
  editSeconds: number
  /** Markers each room's writer types per second (intervals jittered ±50 %). */
  ratePerRoom: number
  serverEnv: Record<string, string>
}

export async function runRooms(options: RoomsOptions): Promise<RoomsResult> {
  progress(`rooms (${options.target}): ${options.rooms} sessions × ${options.clientsPerRoom} clients joining over ${options.joinSeconds} s, then ${options.ratePerRoom} update/s per room for ${options.warmupSeconds} + ${options.editSeconds} s`)
  return withServer(options.target, options.serverEnv, async (server) => {
    const ids: string[] = []
    for (let i = 0; i < options.rooms; i++) ids.push(await createSession(server, `room ${i}`))
    await sleep(500)
    const idle = readMemory(server.pid).rssBytes
    const workers = Array.from({ length: 2 }, () => RpcWorker.spawn<RoomWorkerApi>(new URL('../room-worker.ts', import.meta.url)))
    const protocol = server.target === 'hocuspocus' ? 'hocuspocus' : 'stock'
    const roomUrl = (id: string) => (protocol === 'hocuspocus' ? server.wsUrl : `${server.wsUrl}/${id}`)
    try {
      // Let both workers load their modules before the clock starts.
      await Promise.all(workers.map((worker) => worker.call('delivery', undefined)))
      const joinCpuBefore = readCpuSeconds(server.pid)
      const started = nowMs() + 100
      const intervalMs = (options.joinSeconds * 1000) / options.rooms
      const joined = await Promise.all(
        workers.map((worker, w) => {
          const rooms: RoomJoin[] = []
          for (let i = w; i < ids.length; i += workers.length) rooms.push({ url: roomUrl(ids[i]!), docName: ids[i]!, atMs: started + i * intervalMs })
          return worker.call('join', { rooms, clientsPerRoom: options.clientsPerRoom, protocol, timeoutMs }, timeoutMs + options.joinSeconds * 1000 + 10_000)
        }),
      )
      const connectSeconds = (nowMs() - started) / 1000
      const joinCpuSeconds = readCpuSeconds(server.pid) - joinCpuBefore
      const connectMs = joined.flatMap((j) => j.connectMs)
      const failures = joined.flatMap((j) => j.failures)
      if (failures.length > 0) progress(`rooms (${options.target}): ${failures.length} clients failed to join, e.g. ${failures[0]}`)
      await sleep(1000)
      const loaded = readMemory(server.pid).rssBytes
      const connections = options.rooms * options.clientsPerRoom

      // Editing: one writer per room, the others receive. The CPU window is exactly the timed typing.
      const timedFromMs = nowMs() + 200 + options.warmupSeconds * 1000
      const untilMs = timedFromMs + options.editSeconds * 1000
      const editing = Promise.all(workers.map((worker) => worker.call('edit', { ratePerRoom: options.ratePerRoom, timedFromMs, untilMs }, untilMs - nowMs() + 60_000)))
      await sleep(timedFromMs - nowMs())
      const serverCpu = new CpuMeter(server.pid)
      const benchCpu = new CpuMeter(process.pid)
      const machine = new MachineMeter()
      serverCpu.start()
      benchCpu.start()
      machine.begin()
      await sleep(untilMs - nowMs())
      const serverReading = serverCpu.stop()
      const benchReading = benchCpu.stop()
      const machineReading = machine.end()
      const edits = await editing
      const typed = edits.reduce((sum, e) => sum + e.typed, 0)
      const timedTyped = edits.reduce((sum, e) => sum + e.timedTyped, 0)
      const deliveryOf = async () => {
        const parts = await Promise.all(workers.map((worker) => worker.call('delivery', undefined)))
        return { complete: parts.reduce((n, p) => n + p.complete, 0), receivers: parts.reduce((n, p) => n + p.receivers, 0) }
      }
      await pollUntil(async () => {
        const d = await deliveryOf()
        return d.complete === d.receivers
      }, 15_000, 100)
      const delivery = await deliveryOf()
      const results = await Promise.all(workers.map((worker) => worker.call('results', undefined)))
      const latency = summarize(results.flatMap((r) => r.latencies))
      const edited = readMemory(server.pid)
      server.assertAlive()
      return {
        scenario: 'rooms',
        target: options.target,
        rooms: options.rooms,
        clientsPerRoom: options.clientsPerRoom,
        joinSeconds: options.joinSeconds,
        connectSeconds: round(connectSeconds, 2),
        connectMs: roundSummary(summarize(connectMs), 1),
        openMs: roundSummary(summarize(joined.flatMap((j) => j.openMs)), 1),
        connectFailures: failures.length,
        joinCpuMsPerConnection: round((joinCpuSeconds * 1000) / Math.max(1, connectMs.length), 2),
        rssIdleMiB: mib(idle),
        rssLoadedMiB: mib(loaded),
        kbPerRoom: round((loaded - idle) / 1024 / options.rooms, 1),
        kbPerConnection: round((loaded - idle) / 1024 / connections, 1),
        ratePerRoom: options.ratePerRoom,
        editSeconds: options.editSeconds,
        typed,
        timedTyped,
        achievedRate: round(timedTyped / options.editSeconds, 0),
        latencyMs: roundSummary(latency, 2),
        delivery: { ...delivery, closed: results.reduce((n, r) => n + r.closed, 0) },
        server: {
          cpuPercent: round(serverReading.cpuPercent, 1),
          mainThreadCpuPercent: round(serverReading.mainThreadPercent, 1),
          cpuSeconds: round(serverReading.cpuSeconds, 2),
          cpuMsPerUpdate: timedTyped > 0 ? round((serverReading.cpuSeconds * 1000) / timedTyped, 3) : null,
          rssAfterEditMiB: mib(edited.rssBytes),
          peakRssMiB: mib(edited.peakRssBytes),
        },
        kbPerRoomAfterEdit: round((edited.rssBytes - idle) / 1024 / options.rooms, 1),
        benchCpuPercent: round(benchReading.cpuPercent, 1),
        machine: machineFigures(machineReading, serverReading.cpuPercent + benchReading.cpuPercent),
      }
    } finally {
      await Promise.allSettled(workers.map((worker) => worker.call('close', undefined, 10_000)))
      await Promise.allSettled(workers.map((worker) => worker.terminate()))
    }
  })
}

/** A pad from `ops` operations of the editing trace, as one update (what a large session becomes). */
function largePad(ops: number): Uint8Array {
  const ydoc = new Y.Doc({ gc: false })
  const trace = new EditingTrace(ydoc, { seed: 1 })
  for (let i = 0; i < ops; i++) trace.step()
  return Y.encodeStateAsUpdate(ydoc)
}

/** Puts `update` into the room at `url` and waits until a fresh client sees all of it. */
async function seed(url: string, update: Uint8Array): Promise<void> {
  const writer = await YClient.connect({ url, autoSend: false, openTimeoutMs: timeoutMs })
  await writer.waitSynced(timeoutMs)
  writer.sendUpdate(update)
  const expected = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))
  const stored = await pollUntil(
    async () => {
      const reader = await YClient.connect({ url, autoSend: false, openTimeoutMs: timeoutMs })
      await reader.waitSynced(timeoutMs)
      const state = Y.decodeStateVector(Y.encodeStateVector(reader.ydoc))
      reader.close()
      return [...expected].every(([client, clock]) => (state.get(client) ?? 0) >= clock)
    },
    timeoutMs,
    100,
  )
  writer.close()
  if (!stored) throw new Error('the server never held the seeded pad')
}

export async function runBurst(options: { target: BenchTarget; clients: number; ops: number; serverEnv: Record<string, string> }): Promise<BurstResult> {
  progress(`burst (${options.target}): ${options.clients} clients at once on a pad of ${options.ops} operations`)
  const pad = largePad(options.ops)
  return withServer(options.target, { MAX_UPDATE_BYTES: String(8 * 1024 * 1024), MAX_UPDATE_STRUCTS: '1000000', ...options.serverEnv }, async (server) => {
    const url = `${server.wsUrl}/${await createSession(server, 'burst')}`
    await seed(url, pad)
    const workers = spawnReceivers(2)
    try {
      const cpuBefore = readCpuSeconds(server.pid)
      const started = nowMs()
      const shares = [Math.ceil(options.clients / 2), Math.floor(options.clients / 2)]
      await Promise.all(workers.map((worker, i) => worker.call('connect', { url, count: shares[i]!, concurrency: shares[i]!, timeoutMs }, timeoutMs * 2)))
      const stormMs = nowMs() - started
      return {
        scenario: 'burst',
        target: options.target,
        clients: options.clients,
        docKiB: round(pad.length / 1024, 0),
        stormMs: round(stormMs, 0),
        serverCpuSeconds: round(readCpuSeconds(server.pid) - cpuBefore, 2),
      }
    } finally {
      await closeReceivers(workers)
    }
  })
}

export async function runIngest(options: { target: BenchTarget; ops: number; serverEnv: Record<string, string> }): Promise<IngestResult> {
  progress(`ingest (${options.target}): ${options.ops} operations, one update each, as fast as the server takes them`)
  // The trace's updates, recorded once, replayed below.
  const source = new Y.Doc({ gc: false })
  const updates: Uint8Array[] = []
  source.on('update', (update: Uint8Array) => updates.push(update))
  const trace = new EditingTrace(source, { seed: 2 })
  for (let i = 0; i < options.ops; i++) trace.step()
  const finalState = Y.decodeStateVector(Y.encodeStateVector(source))
  return withServer(options.target, options.serverEnv, async (server) => {
    const url = `${server.wsUrl}/${await createSession(server, 'ingest')}`
    const writer = await YClient.connect({ url, autoSend: false, applyRemote: 'untilSynced', openTimeoutMs: timeoutMs })
    const probe = await YClient.connect({ url, autoSend: false, openTimeoutMs: timeoutMs })
    await Promise.all([writer.waitSynced(timeoutMs), probe.waitSynced(timeoutMs)])
    const probeHas = (client: number, clock: number) => Y.getState(probe.ydoc.store, client) >= clock
    const received = () => [...finalState].every(([client, clock]) => probeHas(client, clock))
    // Where each update ends (its client and clock), to know when a window of them has arrived.
    // (A delete-only update adds no clock: it counts as arrived with the update before it.)
    const ends: [number, number][] = []
    for (const update of updates) ends.push([...Y.parseUpdateMeta(update).to].at(-1) ?? ends.at(-1) ?? [0, 0])
    const started = nowMs()
    // At most `window` updates ahead of what the probe has seen, so what is measured is the
    // server's pace, not the socket buffers'.
    const window = 1000
    let sent = 0
    while (sent < updates.length) {
      const last = Math.min(updates.length, sent + window)
      for (; sent < last; sent++) writer.sendUpdate(updates[sent]!)
      const [client, clock] = ends[last - 1]!
      if (!(await pollUntil(() => probeHas(client, clock), timeoutMs, 1))) break
    }
    const done = await pollUntil(received, timeoutMs, 2)
    const seconds = (nowMs() - started) / 1000
    writer.close()
    probe.close()
    return {
      scenario: 'ingest',
      target: options.target,
      updates: updates.length,
      seconds: done ? round(seconds, 2) : null,
      updatesPerSecond: done ? round(updates.length / seconds, 0) : null,
    }
  })
}
