/**
 * Summit: a summit day in one server (issue 21 item 1). R rooms (sessions, created and started
 * through the API by their moderators) of C clients each, every one a browser tab opening what the
 * pad page opens (the pad, control and chat sockets, the session read and the clock reads; see
 * bench/summit-worker.ts), one projector per room (pad and control), and B board viewers polling
 * `GET /api/sessions` every 5 s as client/pages/board.ts does. Everyone joins within J seconds, at
 * seeded uniform times. Then W writers per room type at K keystrokes/s each (markers, bench/marker.ts)
 * with their cursors in the awareness as y-prosemirror sends them, for T seconds: the measured phase.
 *
 * The clients run in worker threads: one for the writers, one for the probes (a few full Y.Docs per
 * room timing edit → applied) and the projectors, the rest for the readers, which only count bytes.
 *
 * The reference (`@y/websocket-server`) has no control or chat docs, no API and no board: against it
 * only the pad sockets run (with the same awareness, authorship claims and writers).
 */
import fs from 'node:fs'
import * as prng from 'lib0/prng'
import { nowMicros, nowMs, pollUntil, sleep } from '../clock.ts'
import { progress } from '../log.ts'
import { clockTicksPerSecond, CpuMeter, MachineMeter, readMemory, machineFigures } from '../proc.ts'
import { startBenchServer, type BenchServer, type BenchTarget } from '../server-process.ts'
import { maxPerBucket, round, roundSummary, summarize } from '../stats.ts'
import type { SummitClientSpec, SummitWorkerApi, SummitWorkerStats } from '../summit-worker.ts'
import { RpcWorker } from '../worker-rpc.ts'
import { benchLimits } from './capacity.ts'

/** Parameters of the summit scenario. */
export interface SummitOptions {
  target: BenchTarget
  rooms: number
  clientsPerRoom: number
  writersPerRoom: number
  /** Full Y.Doc probes per room (counted among its clients). */
  probesPerRoom: number
  /** Keystrokes (updates) per second per writer. */
  rate: number
  /** Board viewers (summitpad only). */
  boards: number
  /** Everyone joins within this many seconds. */
  joinSeconds: number
  /** Length of the measured editing phase. */
  seconds: number
  /** Chance per keystroke that the writer clicks into its other paragraph (a cursor move). */
  cursorMoveProbability: number
  /** Reader worker threads (besides the writers' and the probes'). */
  readerWorkers: number
  seed: number
  drainTimeoutMs: number
  serverEnv: Record<string, string>
}

/** The result of one summit run (one JSON line). */
export interface SummitResult
  extends Pick<SummitOptions, 'target' | 'serverEnv' | 'rooms' | 'clientsPerRoom' | 'writersPerRoom' | 'probesPerRoom' | 'rate' | 'boards' | 'joinSeconds' | 'seconds'> {
  scenario: 'summit'
  /** Sockets opened: pad (clients + projectors), control, chat. */
  sockets: { pad: number; control: number; chat: number; total: number }
  /** Pad socket open → synced, ms (every pad socket); the control and chat sockets' likewise. */
  joinMs: ReturnType<typeof roundSummary>
  joinControlMs: ReturnType<typeof roundSummary>
  joinChatMs: ReturnType<typeof roundSummary>
  /** The pad page's `GET /api/sessions/<id>` before its sockets, ms. */
  sessionReadMs: ReturnType<typeof roundSummary>
  /** From the join phase's start until the last client was synced, s. */
  joinPhaseSeconds: number | null
  /** Tabs whose join failed (a socket or the session read not done within 30 s, or refused): none may. */
  failedTabs: number
  /** The machine over the join phase: CPU used by neither the server nor the bench, and CPU pressure (the join is where a starved server falls behind). */
  joinMachine: { otherCpuPercent: number | null; cpuPressurePercent: number | null }
  /** Every failure, counted by kind (`not synced after 30000 ms`, `read ECONNRESET`, `closed before synced: 1006`, ...), and the first few in full. */
  failures: { count: number; byKind: Record<string, number>; first: string[] }
  /** Keystrokes typed in the measured phase, and how late the generator was at worst. */
  sent: number
  generatorLagMaxMs: number | null
  /** Typed → applied at a probe in the same room, ms. */
  latencyMs: ReturnType<typeof roundSummary>
  /** The worst latency of the keystrokes typed in each 5 s of the measured phase, ms (a growing one is a queue). */
  latencyMaxMsBy5s: (number | null)[]
  /** Probes that saw every marker of their room exactly once, of all probes. */
  delivery: { completeProbes: number; probes: number; drainMs: number | null }
  /** Board polls (`GET /api/sessions`) over the whole run, and over the measured phase alone, ms. */
  boardPollMs: ReturnType<typeof roundSummary>
  boardPollEditingMs: ReturnType<typeof roundSummary>
  traffic: { framesIn: number; bytesInMiB: number | null; updatesOut: number; awarenessOut: number; cursorUpdatesOut: number; closedByServer: number }
  server: {
    /** Over the measured editing phase; 100 = one core. */
    cpuPercent: number | null
    mainThreadCpuPercent: number | null
    peakSecondCpuPercent: number | null
    /** Over the join phase. */
    joinCpuPercent: number | null
    /** Peak RSS over the whole run (VmHWM) and RSS at the end. */
    peakRssMiB: number | null
    rssMiB: number | null
    warnings: number
    /** The first few of them. */
    firstWarnings: string[]
  }
  benchCpuPercent: number | null
  /** The bench's busiest thread over the measured phase (100 = that thread never rested): near 100, the bench may be the bottleneck. */
  benchBusiestThreadPercent: number | null
  machine: { cores: number; busyPercent: number | null; otherCpuPercent: number | null; cpuPressurePercent: number | null }
}

const mib = (bytes: number) => round(bytes / (1024 * 1024), 1)
const connectTimeoutMs = 30_000
/** client/pages/board.ts's refreshMs. */
const boardRefreshMs = 5000

/** A started session: its id and moderator secret. */
export interface Room {
  id: string
  moderatorKey: string | null
}

/** Creates the summit's sessions through the API, each in its own room, and starts each as its moderator. */
async function openRooms(server: BenchServer, count: number): Promise<Room[]> {
  if (server.target === 'reference') return Array.from({ length: count }, (_, i) => ({ id: `summit-${i}-${Math.random().toString(36).slice(2, 8)}`, moderatorKey: null }))
  const rooms: Room[] = []
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: `Summit session ${i + 1}`, room: `Room ${i + 1}`, track: `Track ${(i % 4) + 1}`, moderator: `Moderator ${i + 1}`, scheduledStart: new Date().toISOString(), durationMinutes: 90 }),
      signal: AbortSignal.timeout(10_000),
    })
    if (response.status !== 201) throw new Error(`POST /api/sessions: ${response.status} ${await response.text()}\n${server.logs.slice(-5).join('\n')}`)
    const body = (await response.json()) as { session: { id: string }; links: { moderator: string } }
    const moderatorKey = new URL(body.links.moderator, server.url).hash.replace(/^#key=/, '')
    // The moderator starts the session (live: the board shows it "Now").
    const started = await fetch(`${server.url}/api/sessions/${body.session.id}/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${moderatorKey}` },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    })
    if (!started.ok) throw new Error(`POST /api/sessions/${body.session.id}/start: ${started.status} ${await started.text()}`)
    rooms.push({ id: body.session.id, moderatorKey })
  }
  return rooms
}

/** The summit's tabs, with seeded join times uniform over the join phase. */
export function plan(server: Pick<BenchServer, 'target' | 'wsUrl' | 'url'>, rooms: Room[], options: SummitOptions, gen: prng.PRNG): SummitClientSpec[] {
  const summitpad = server.target === 'summitpad'
  const specs: SummitClientSpec[] = []
  const joinMs = options.joinSeconds * 1000
  let id = 1
  rooms.forEach((room, r) => {
    const padUrl = `${server.wsUrl}/${room.id}`
    const side = (kind: string) => (summitpad ? `${padUrl}/${kind}` : null)
    const sessionApi = summitpad ? `${server.url}/api/sessions/${room.id}` : null
    for (let c = 0; c <= options.clientsPerRoom; c++) {
      // The last one is the room's projector; client 0 is the moderator, and one of the writers.
      const kind: SummitClientSpec['kind'] =
        c === options.clientsPerRoom ? 'projector' : c < options.writersPerRoom ? 'writer' : c < options.writersPerRoom + options.probesPerRoom ? 'probe' : 'reader'
      specs.push({
        id: id++,
        room: r,
        kind,
        atMs: prng.real53(gen) * joinMs,
        token: c === 0 ? room.moderatorKey : null,
        padUrl,
        controlUrl: side('control'),
        chatUrl: kind === 'projector' ? null : side('chat'),
        sessionApi,
        claim: kind !== 'projector',
      })
    }
  })
  return specs
}

/** Board viewers: each starts at a seeded time in the join phase and polls until `stop()`. */
class Boards {
  readonly polls: { at: number; ms: number }[] = []
  failures = 0
  private stopped = false
  private readonly loops: Promise<void>[] = []

  constructor(url: string, count: number, startAtMs: number, joinMs: number, gen: prng.PRNG) {
    for (let i = 0; i < count; i++) {
      const at = startAtMs + prng.real53(gen) * joinMs
      this.loops.push(this.viewer(url, at))
    }
  }

  private async viewer(url: string, at: number): Promise<void> {
    await sleep(Math.max(0, at - nowMs()))
    // syncServerClock and loadEventZone, once.
    for (let i = 0; i < 5; i++) await fetch(`${url}/api/time`).then((r) => r.arrayBuffer()).catch(() => {})
    await fetch(`${url}/api/event`).then((r) => r.arrayBuffer()).catch(() => {})
    while (!this.stopped) {
      const started = nowMs()
      try {
        const response = await fetch(`${url}/api/sessions`, { signal: AbortSignal.timeout(10_000) })
        await response.arrayBuffer()
        if (!response.ok) throw new Error(String(response.status))
        this.polls.push({ at: started, ms: nowMs() - started })
      } catch {
        this.failures++
      }
      // setInterval(refresh, 5000): the next poll 5 s after this one began.
      await sleep(Math.max(0, started + boardRefreshMs - nowMs()))
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    await Promise.allSettled(this.loops)
  }
}

/** Runs one summit on a fresh server. */
export async function runSummit(options: SummitOptions): Promise<SummitResult> {
  const { target } = options
  const summitpad = target === 'summitpad'
  progress(
    `summit (${target}): ${options.rooms} rooms × ${options.clientsPerRoom} clients (+1 projector each${summitpad ? `, ${options.boards} boards` : ', pad sockets only'}), joining within ${options.joinSeconds} s; ${options.writersPerRoom} writers per room at ${options.rate}/s for ${options.seconds} s`,
  )
  const server = await startBenchServer({ target, env: { ...benchLimits, ...options.serverEnv } })
  const gen = prng.create(options.seed)
  const writerWorker = RpcWorker.spawn<SummitWorkerApi>(new URL('../summit-worker.ts', import.meta.url))
  const probeWorker = RpcWorker.spawn<SummitWorkerApi>(new URL('../summit-worker.ts', import.meta.url))
  const readerWorkers = Array.from({ length: options.readerWorkers }, () => RpcWorker.spawn<SummitWorkerApi>(new URL('../summit-worker.ts', import.meta.url)))
  const workers = [writerWorker, probeWorker, ...readerWorkers]
  let boards: Boards | null = null
  try {
    const rooms = await openRooms(server, options.rooms)
    const specs = plan(server, rooms, options, gen)
    const readers = specs.filter((s) => s.kind === 'reader')
    const shares = [specs.filter((s) => s.kind === 'writer'), specs.filter((s) => s.kind === 'probe' || s.kind === 'projector'), ...readerWorkers.map((_, w) => readers.filter((_, i) => i % readerWorkers.length === w))]
    // Give the workers a moment to load before the clock starts.
    await Promise.all(workers.map((worker) => worker.call('stats', undefined)))
    const joinMs = options.joinSeconds * 1000
    const startAtMs = nowMs() + 500
    const joinCpu = new CpuMeter(server.pid)
    const joinBenchCpu = new CpuMeter(process.pid)
    const joinMachine = new MachineMeter()
    joinCpu.start()
    joinBenchCpu.start()
    joinMachine.begin()
    if (summitpad && options.boards > 0) boards = new Boards(server.url, options.boards, startAtMs, joinMs, gen)
    const joined = await Promise.all(workers.map((worker, w) => worker.call('join', { startAtMs, clients: shares[w]!, timeoutMs: connectTimeoutMs }, joinMs + connectTimeoutMs * 3)))
    const joinPhaseSeconds = (nowMs() - startAtMs) / 1000
    const joinReading = joinCpu.stop()
    const joinBenchReading = joinBenchCpu.stop()
    const joinMachineReading = joinMachine.end()
    const failedJoins = joined.reduce((sum, j) => sum + j.failed, 0)
    progress(`summit: ${joined.reduce((sum, j) => sum + j.joined, 0)} tabs joined in ${joinPhaseSeconds.toFixed(1)} s, ${failedJoins} failed`)
    if (failedJoins > 0) {
      const reasons = (await Promise.all(workers.map((worker) => worker.call('stats', undefined)))).flatMap((s) => s.failures)
      progress(`summit: first failures:\n  ${reasons.slice(0, 8).join('\n  ')}`)
    }
    server.assertAlive()
    await sleep(2000)

    const cpu = new CpuMeter(server.pid)
    const benchCpu = new CpuMeter(process.pid)
    const threadsBefore = threadCpuSeconds()
    const machine = new MachineMeter()
    cpu.start()
    benchCpu.start()
    machine.begin()
    const editStart = nowMs()
    const typeStartMicros = nowMicros() + 50_000
    const typed = await writerWorker.call('type', { startAtMs: typeStartMicros / 1000, seconds: options.seconds, rate: options.rate, switchProbability: options.cursorMoveProbability, seed: options.seed + 1 }, (options.seconds + 60) * 1000)
    const lastWrite = nowMs()
    const expected = new Map(typed.byRoom)
    const drained = await pollUntil(
      async () => (await probeWorker.call('latencies', undefined)).probes.every((p) => p.markers >= (expected.get(p.room) ?? 0)),
      options.drainTimeoutMs,
      100,
    )
    const editEnd = nowMs()
    server.assertAlive()
    const serverCpu = cpu.stop()
    const benchReading = benchCpu.stop()
    const threadsAfter = threadCpuSeconds()
    const busiestThreadSeconds = Math.max(0, ...[...threadsAfter].map(([tid, seconds]) => seconds - (threadsBefore.get(tid) ?? 0)))
    const machineReading = machine.end()
    const memory = readMemory(server.pid)
    await boards?.stop()

    const all = await Promise.all(workers.map((worker) => worker.call('stats', undefined)))
    const merged = mergeStats(all)
    const lat = await probeWorker.call('latencies', undefined)
    const pollsAll = boards?.polls ?? []
    const pollsEditing = pollsAll.filter((p) => p.at >= editStart && p.at <= editEnd)
    const padSockets = specs.length
    const controlSockets = specs.filter((s) => s.controlUrl).length
    const chatSockets = specs.filter((s) => s.chatUrl).length
    return {
      scenario: 'summit',
      target,
      serverEnv: summitpad ? options.serverEnv : {},
      rooms: options.rooms,
      clientsPerRoom: options.clientsPerRoom,
      writersPerRoom: options.writersPerRoom,
      probesPerRoom: options.probesPerRoom,
      rate: options.rate,
      boards: summitpad ? options.boards : 0,
      joinSeconds: options.joinSeconds,
      seconds: options.seconds,
      sockets: { pad: padSockets, control: controlSockets, chat: chatSockets, total: padSockets + controlSockets + chatSockets },
      joinMs: roundSummary(summarize(merged.joinPadMs)),
      joinControlMs: roundSummary(summarize(merged.joinControlMs)),
      joinChatMs: roundSummary(summarize(merged.joinChatMs)),
      sessionReadMs: roundSummary(summarize(merged.sessionReadMs)),
      joinPhaseSeconds: round(joinPhaseSeconds, 1),
      failedTabs: failedJoins,
      joinMachine: {
        otherCpuPercent: round(Math.max(0, joinMachineReading.busyPercent - joinReading.cpuPercent - joinBenchReading.cpuPercent), 1),
        cpuPressurePercent: joinMachineReading.cpuPressurePercent === null ? null : round(joinMachineReading.cpuPressurePercent, 1),
      },
      failures: { count: merged.failures.length + (boards?.failures ?? 0), byKind: failureKinds(merged.failures, boards?.failures ?? 0), first: merged.failures.slice(0, 5) },
      sent: typed.sent,
      generatorLagMaxMs: round(typed.maxLagMs),
      latencyMs: roundSummary(summarize(lat.latenciesMs)),
      latencyMaxMsBy5s: maxPerBucket(lat.sentMicros, lat.latenciesMs, typeStartMicros, 5e6, Math.ceil(options.seconds / 5)).map((v) => (v === null ? null : round(v, 0))),
      delivery: {
        completeProbes: lat.probes.filter((p) => p.markers === (expected.get(p.room) ?? 0) && p.duplicates === 0).length,
        probes: lat.probes.length,
        drainMs: drained ? round(editEnd - lastWrite, 0) : null,
      },
      boardPollMs: roundSummary(summarize(pollsAll.map((p) => p.ms))),
      boardPollEditingMs: roundSummary(summarize(pollsEditing.map((p) => p.ms))),
      traffic: {
        framesIn: merged.framesIn,
        bytesInMiB: mib(merged.bytesIn),
        updatesOut: merged.updatesOut,
        awarenessOut: merged.awarenessOut,
        cursorUpdatesOut: merged.cursorUpdatesOut,
        closedByServer: merged.closedByServer,
      },
      server: {
        cpuPercent: round(serverCpu.cpuPercent, 1),
        mainThreadCpuPercent: round(serverCpu.mainThreadPercent, 1),
        peakSecondCpuPercent: round(serverCpu.peakSecondPercent, 1),
        joinCpuPercent: round(joinReading.cpuPercent, 1),
        peakRssMiB: mib(memory.peakRssBytes),
        rssMiB: mib(memory.rssBytes),
        warnings: server.logs.length,
        firstWarnings: server.logs.slice(0, 3),
      },
      benchCpuPercent: round(benchReading.cpuPercent, 1),
      benchBusiestThreadPercent: round((100 * busiestThreadSeconds) / benchReading.wallSeconds, 1),
      machine: { cores: machineReading.cores, ...machineFigures(machineReading, serverCpu.cpuPercent + benchReading.cpuPercent) },
    }
  } finally {
    await boards?.stop()
    await Promise.allSettled(workers.map((worker) => worker.call('close', undefined, 10_000)))
    await Promise.allSettled(workers.map((worker) => worker.terminate()))
    await server.dispose().catch((error: unknown) => progress(`could not stop the server: ${String(error)}`))
  }
}

/** CPU seconds of each of this process's threads (the main thread and the workers), by thread id. */
function threadCpuSeconds(): Map<string, number> {
  const seconds = new Map<string, number>()
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      seconds.set(tid, (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond())
    } catch {
      // the thread ended
    }
  }
  return seconds
}

/** Failures counted by what happened, the URL left out. */
function failureKinds(failures: string[], boardFailures: number): Record<string, number> {
  const kinds: Record<string, number> = {}
  for (const failure of failures) {
    const kind = failure.replace(/^(GET )?\S+: /, (_, get: string | undefined) => (get ? 'session read: ' : ''))
    kinds[kind] = (kinds[kind] ?? 0) + 1
  }
  if (boardFailures > 0) kinds['board poll failed'] = boardFailures
  return kinds
}

function mergeStats(all: SummitWorkerStats[]): SummitWorkerStats {
  return {
    joinPadMs: all.flatMap((s) => s.joinPadMs),
    joinControlMs: all.flatMap((s) => s.joinControlMs),
    joinChatMs: all.flatMap((s) => s.joinChatMs),
    sessionReadMs: all.flatMap((s) => s.sessionReadMs),
    failures: all.flatMap((s) => s.failures),
    sockets: all.reduce((sum, s) => sum + s.sockets, 0),
    framesIn: all.reduce((sum, s) => sum + s.framesIn, 0),
    bytesIn: all.reduce((sum, s) => sum + s.bytesIn, 0),
    updatesOut: all.reduce((sum, s) => sum + s.updatesOut, 0),
    awarenessOut: all.reduce((sum, s) => sum + s.awarenessOut, 0),
    cursorUpdatesOut: all.reduce((sum, s) => sum + s.cursorUpdatesOut, 0),
    closedByServer: all.reduce((sum, s) => sum + s.closedByServer, 0),
  }
}
