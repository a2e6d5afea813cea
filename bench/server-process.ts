/**
 * The server under test, as a child process on a loopback port: summitpad as deployed (the
 * compiled `dist/server/main.js` under plain `node`, built first when the sources are newer;
 * `BENCH_SUMMITPAD=tsx` runs `server/main.ts` under tsx instead), its own data directory, LOG_LEVEL=warn so logging costs nothing measurable)
 * or the reference y-websocket server (`@y/websocket-server` 0.1.1, in memory, or on LevelDB in
 * the data directory with `persist`). Both speak the stock protocol; only the URL differs:
 * `ws://host:port/sync/<session>` for summitpad, `ws://host:port/<room>` for the reference.
 * At warn level the server does not print its 'summitpad listening' line, so the bench picks a
 * free port itself and waits until `GET /healthz` answers.
 *
 * Every child started here is tracked; `killAllServersSync()` (called from exit and signal
 * handlers in run.ts) SIGKILLs any that are still running and removes their temp directories.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { nowMs, sleep } from './clock.ts'

const root = path.resolve(import.meta.dirname, '..')
/**
 * Extra node flags for every server child, from `BENCH_NODE_ARGS` (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the server under load; a profile is written
 * when the server stops).
 */
const profileArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
/** Every server child's stdout and stderr lines are appended to this file too, from `BENCH_SERVER_LOG` (e.g. with `--trace-gc`). */
const serverLog = process.env.BENCH_SERVER_LOG
/** The reference server's own entry point (HOST, PORT, YPERSISTENCE from the environment). */
const referenceServer = path.join(root, 'node_modules/@y/websocket-server/src/server.js')
/** A persistent Hocuspocus (`@hocuspocus/server` + `@hocuspocus/extension-sqlite` in DATA_DIR), see the script. */
const hocuspocusServer = path.join(root, 'bench/hocuspocus-server.mjs')
const host = '127.0.0.1'
/** How summitpad runs: 'dist' (compiled, as `npm start` runs it) unless `BENCH_SUMMITPAD=tsx`. */
const summitpadMode = process.env.BENCH_SUMMITPAD === 'tsx' ? 'tsx' : 'dist'
const compiledEntry = path.join(root, 'dist/server/main.js')

/** Newest modification time under `dir` (ms), 0 for a missing one. */
function newestUnder(dir: string): number {
  if (!fs.existsSync(dir)) return 0
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

let compiledChecked = false
/** Compiles the server (`npm run build:server`) when dist/server/main.js is missing or older than server/ or shared/. Once per bench process. */
function ensureCompiledServer(): void {
  if (compiledChecked || summitpadMode !== 'dist') return
  compiledChecked = true
  const built = fs.existsSync(compiledEntry) ? fs.statSync(compiledEntry).mtimeMs : 0
  if (built >= Math.max(newestUnder(path.join(root, 'server')), newestUnder(path.join(root, 'shared')))) return
  const result = spawnSync('npm', ['run', 'build:server'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
  if (result.status !== 0) throw new Error(`npm run build:server failed (${result.status ?? result.signal}): the bench measures the compiled server`)
}

/** Which server a run measures. */
export type BenchTarget = 'summitpad' | 'reference' | 'hocuspocus'

/** A running (or stopped) server child process. */
export interface BenchServer {
  readonly target: BenchTarget
  /** Process id of the current child (changes on `start`). */
  readonly pid: number
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** The URL a room name is appended to: `ws://127.0.0.1:<port>/sync` (summitpad) or `ws://127.0.0.1:<port>` (reference); Hocuspocus's one URL (the document name travels in its messages). */
  readonly wsUrl: string
  readonly dataDir: string
  /** Warn/error log lines and stderr output seen so far (most recent last, at most 200). */
  readonly logs: string[]
  /** Null while the current child runs, else how it ended (`code 1`, `SIGKILL`). */
  readonly exited: string | null
  /** Throws (with the server's recent log lines) if the current child is no longer running. */
  assertAlive(): void
  /** Milliseconds from spawn until /healthz answered, for the latest start. */
  readonly startupMs: number
  /** Starts the server again on the same data directory (after `stop`). */
  start(): Promise<void>
  /** SIGTERM (graceful: flush and compact), SIGKILL after `timeoutMs`; resolves once exited. */
  stop(timeoutMs?: number): Promise<void>
  /** Stops the server and removes its data directory. */
  dispose(): Promise<void>
}

/** Options for `startBenchServer`. */
export interface BenchServerOptions {
  /** @default 'summitpad' */
  target?: BenchTarget
  /** Reference only: keep docs in LevelDB in the data directory (YPERSISTENCE), so a restart keeps them. */
  persist?: boolean
  /** Extra environment for the server (summitpad only). */
  env?: Record<string, string>
  /** How long to wait for the server to become healthy. @default 30000 */
  startTimeoutMs?: number
}

/** The core every server child is pinned to (`pinServers`), or null: not pinned. */
let serverCore: number | null = null

/**
 * `--pin` (issue 21, as the issue's own harness ran): every server child started from now on runs
 * on the last core alone (`taskset -c`), and this bench process, all its threads, on the others,
 * so the load generator and the server under test do not take each other's CPU. The same for
 * both servers. Returns the server's core, or null when it cannot pin (one core, no `taskset`).
 */
export function pinServers(): number | null {
  const cores = os.availableParallelism()
  if (cores < 2) return null
  const last = cores - 1
  const bench = spawnSync('taskset', ['-a', '-p', '-c', last === 1 ? '0' : `0-${last - 1}`, String(process.pid)], { stdio: 'ignore' })
  if (bench.status !== 0) return null
  serverCore = last
  return last
}

const live = new Set<ChildProcess>()
const tempDirs = new Set<string>()

/** SIGKILLs every server child still running and removes the temp data directories. Sync. */
export function killAllServersSync(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
  live.clear()
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
  tempDirs.clear()
}

/** Starts a server child on a fresh temp data directory and waits until it is healthy. */
export async function startBenchServer(options: BenchServerOptions = {}): Promise<BenchServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-bench-'))
  tempDirs.add(dataDir)
  const logs: string[] = []
  const startTimeoutMs = options.startTimeoutMs ?? 30_000
  let child: ChildProcess | null = null
  let port = 0
  let startupMs = Number.NaN

  const remember = (line: string) => {
    if (serverLog) fs.appendFileSync(serverLog, `${line}\n`)
    logs.push(line)
    if (logs.length > 200) logs.shift()
  }

  const target = options.target ?? 'summitpad'
  if (target === 'summitpad') ensureCompiledServer()
  const launch = async () => {
    port ||= await freePort()
    const started = nowMs()
    // Pinned (`pinServers`): `taskset` execs node in place, so the child's pid is the server's.
    const command = serverCore === null ? process.execPath : 'taskset'
    const pinned = (args: string[]) => (serverCore === null ? args : ['-c', String(serverCore), process.execPath, ...args])
    const proc =
      target === 'summitpad'
        ? spawn(command, pinned([...profileArgs, ...(summitpadMode === 'dist' ? [compiledEntry] : ['--import', 'tsx', 'server/main.ts'])]), {
            cwd: root,
            // The load generator creates its rooms from one address: no session-creation limit.
            env: { ...process.env, PORT: String(port), HOST: host, DATA_DIR: dataDir, LOG_LEVEL: 'warn', SESSION_CREATE_PER_IP_PER_MINUTE: '0', SESSION_CREATE_PER_MINUTE: '0', ...options.env },
            stdio: ['ignore', 'pipe', 'pipe'],
          })
        : target === 'hocuspocus'
          ? spawn(command, pinned([...profileArgs, hocuspocusServer]), {
              cwd: root,
              env: { ...process.env, PORT: String(port), HOST: host, DATA_DIR: dataDir },
              stdio: ['ignore', 'pipe', 'pipe'],
            })
          : spawn(command, pinned([...profileArgs, referenceServer]), {
              cwd: root,
              env: { ...process.env, PORT: String(port), HOST: host, ...(options.persist ? { YPERSISTENCE: path.join(dataDir, 'leveldb') } : {}) },
              stdio: ['ignore', 'pipe', 'pipe'],
            })
    child = proc
    live.add(proc)
    proc.once('exit', () => live.delete(proc))
    readline.createInterface({ input: proc.stdout! }).on('line', remember)
    readline.createInterface({ input: proc.stderr! }).on('line', remember)
    await waitHealthy(proc, `http://${host}:${port}${target === 'summitpad' ? '/healthz' : '/'}`, startTimeoutMs, logs)
    startupMs = nowMs() - started
  }

  const stop = async (timeoutMs = 15_000) => {
    const proc = child
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
    await exited
    clearTimeout(timer)
  }

  await launch()
  return {
    target,
    get pid() {
      return child?.pid ?? -1
    },
    get port() {
      return port
    },
    get url() {
      return `http://${host}:${port}`
    },
    get wsUrl() {
      return target === 'summitpad' ? `ws://${host}:${port}/sync` : `ws://${host}:${port}`
    },
    get startupMs() {
      return startupMs
    },
    get exited() {
      return exitDescription(child)
    },
    assertAlive() {
      const how = exitDescription(child)
      if (how !== null) throw new Error(`the server exited (${how}) during the run:\n${logs.join('\n')}`)
    },
    dataDir,
    logs,
    start: launch,
    stop,
    async dispose() {
      await stop()
      fs.rmSync(dataDir, { recursive: true, force: true })
      tempDirs.delete(dataDir)
    },
  }
}

/** Creates a session through summitpad's HTTP API and returns its id; the reference takes any room name. */
export async function createSession(server: BenchServer, title: string): Promise<string> {
  if (server.target !== 'summitpad') return `bench-${Math.random().toString(36).slice(2, 10)}`
  const response = await fetch(`${server.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
    signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 201) {
    const recent = server.logs.slice(-5).join('\n')
    throw new Error(`POST /api/sessions: ${response.status} ${await response.text()}\nserver log:\n${recent}`)
  }
  const body = (await response.json()) as { session: { id: string } }
  return body.session.id
}

function exitDescription(proc: ChildProcess | null): string | null {
  if (!proc) return 'never started'
  if (proc.exitCode !== null) return `code ${proc.exitCode}`
  if (proc.signalCode !== null) return proc.signalCode
  return null
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

async function waitHealthy(proc: ChildProcess, healthUrl: string, timeoutMs: number, logs: string[]): Promise<void> {
  const deadline = nowMs() + timeoutMs
  while (nowMs() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`server exited (${proc.exitCode ?? proc.signalCode}) before it was healthy:\n${logs.join('\n')}`)
    }
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) })
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await sleep(25)
  }
  proc.kill('SIGKILL')
  throw new Error(`server not healthy after ${timeoutMs} ms:\n${logs.join('\n')}`)
}
