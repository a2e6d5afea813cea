/**
 * `idle`: the server's memory when nothing happens (issue 21, item 4: a lean process).
 *
 * 1. Start the server (summitpad as deployed: compiled, plain `node`) and wait until its RSS
 *    settles; read VmRSS of the server process itself (`/proc/<pid>/status`): the **idle** figure.
 * 2. Create `rooms` sessions and open one synced connection to each (the rooms are loaded), let
 *    the RSS settle again: the growth over the idle server, per room, is the **room** figure (a
 *    loaded room's doc, awareness and first connection).
 * 3. Open the remaining connections, spread evenly over the same rooms (raw `ws` sockets in worker
 *    threads that send sync step 1, receive step 2, then do nothing: no awareness, no edits), let
 *    the RSS settle: the growth over step 2, per connection, is the **connection** figure.
 *
 * Run twice per server by default: 1,000 connections over a few rooms (10) and over many (200).
 * Only the per-address connection rate limit is lifted (one load generator, one address).
 */
import { nowMs, sleep } from '../clock.ts'
import { progress } from '../log.ts'
import { readMemory } from '../proc.ts'
import type { ReceiverWorkerApi } from '../receiver-worker.ts'
import { createSession, startBenchServer, type BenchTarget } from '../server-process.ts'
import { round } from '../stats.ts'
import { RpcWorker } from '../worker-rpc.ts'

const timeoutMs = 60_000

export interface IdleResult {
  scenario: 'idle'
  target: BenchTarget
  rooms: number
  connections: number
  /** VmRSS of the settled server before any request, MiB. */
  idleMiB: number | null
  /** VmRSS with one connection per room, MiB. */
  roomsMiB: number | null
  /** VmRSS with every connection open, MiB. */
  loadedMiB: number | null
  /** RSS growth per loaded room (its first connection included), KB. */
  kbPerRoom: number | null
  /** RSS growth per further idle connection, KB. */
  kbPerConnection: number | null
  /** Seconds the server took to settle after starting. */
  settleSeconds: number | null
}

/**
 * Waits until the RSS of `pid` stops changing (two readings `stepMs` apart within `toleranceKiB`),
 * at least `minMs`, at most `maxMs`; returns the last reading in bytes.
 */
async function settledRss(pid: number, minMs: number, maxMs = 20_000, stepMs = 1000, toleranceKiB = 128): Promise<number> {
  const started = nowMs()
  await sleep(minMs)
  let last = readMemory(pid).rssBytes
  while (nowMs() - started < maxMs) {
    await sleep(stepMs)
    const now = readMemory(pid).rssBytes
    if (Math.abs(now - last) <= toleranceKiB * 1024) return now
    last = now
  }
  return last
}

/** Least time after the start before the idle reading (see `runIdle`). */
const idleSettleMs = 15_000

const mib = (bytes: number) => round(bytes / (1024 * 1024), 1)

export async function runIdle(options: { target: BenchTarget; rooms: number; connections: number; serverEnv: Record<string, string> }): Promise<IdleResult> {
  const { target, rooms } = options
  const connections = Math.max(options.connections, rooms)
  progress(`idle (${target}): settle, then ${connections} idle connections over ${rooms} rooms`)
  const server = await startBenchServer({ target, env: { CONNECTIONS_PER_IP_PER_SECOND: '0', ...options.serverEnv } })
  const workers = Array.from({ length: 2 }, () => RpcWorker.spawn<ReceiverWorkerApi>(new URL('../receiver-worker.ts', import.meta.url)))
  try {
    const started = nowMs()
    // At least 15 s: V8's memory reducer shrinks a heap that stopped growing some 8-12 s after the
    // start (about 5 MiB here), and a reading before it measures the start, not an idle server.
    const idle = await settledRss(server.pid, idleSettleMs, idleSettleMs + 15_000)
    const settleSeconds = (nowMs() - started) / 1000
    const urls: string[] = []
    for (let i = 0; i < rooms; i++) urls.push(`${server.wsUrl}/${await createSession(server, `idle ${i}`)}`)
    // One connection per room, then the rest round-robin over the rooms; each worker takes every other room.
    const open = async (perRoom: (room: number) => number) =>
      Promise.all(
        workers.map(async (worker, w) => {
          for (let i = w; i < rooms; i += workers.length) {
            const count = perRoom(i)
            if (count > 0) await worker.call('connect', { url: urls[i]!, count, concurrency: Math.min(count, 20), timeoutMs }, timeoutMs * 2)
          }
        }),
      )
    await open(() => 1)
    const withRooms = await settledRss(server.pid, 2000)
    const rest = connections - rooms
    await open((i) => Math.floor(rest / rooms) + (i < rest % rooms ? 1 : 0))
    const loaded = await settledRss(server.pid, 2000)
    server.assertAlive()
    return {
      scenario: 'idle',
      target,
      rooms,
      connections,
      idleMiB: mib(idle),
      roomsMiB: mib(withRooms),
      loadedMiB: mib(loaded),
      kbPerRoom: round((withRooms - idle) / 1024 / rooms, 1),
      kbPerConnection: rest > 0 ? round((loaded - withRooms) / 1024 / rest, 1) : 0,
      settleSeconds: round(settleSeconds, 1),
    }
  } finally {
    await Promise.allSettled(workers.map((worker) => worker.call('close', undefined, 10_000)))
    await Promise.allSettled(workers.map((worker) => worker.terminate()))
    await server.dispose().catch((error: unknown) => progress(`could not stop the server: ${String(error)}`))
  }
}
