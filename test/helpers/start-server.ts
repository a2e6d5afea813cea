/**
 * Starts the real server as a child process (`node --import tsx server/main.ts`) on a free
 * loopback port with its own data directory, and tears it down. `kill('SIGKILL')` followed by
 * `restart()` is how durability tests crash it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'

/**
 * The organizer token every test server accepts (its hash is in ORGANIZER_TOKEN_HASHES unless a
 * test sets that variable itself). Tests of organizer-only routes send `organizerHeaders`.
 */
export const organizerToken = 'test-organizer-token-0123456789abcdef'
/** `Authorization: Bearer <organizerToken>`. */
export const organizerHeaders = { authorization: `Bearer ${organizerToken}` } as const

/**
 * What every test server gets unless the test overrides it: the organizer token above, and no
 * session-creation rate limit (tests create many sessions from one address quickly; the limit
 * has tests of its own).
 */
const testDefaults: Record<string, string> = {
  ORGANIZER_TOKEN_HASHES: createHash('sha256').update(organizerToken).digest('hex'),
  SESSION_CREATE_PER_IP_PER_MINUTE: '0',
  SESSION_CREATE_PER_MINUTE: '0',
}

export interface ServerProcess {
  url: string
  wsUrl: string
  port: number
  dataDir: string
  /** Log lines (parsed JSON) the server printed so far. */
  logs: Record<string, unknown>[]
  /** The running process's id (changes on restart). */
  readonly pid: number
  /** Sends `signal` and resolves with the exit code once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<number | null>
  /** Starts a new process on the same port and data directory (after a kill). */
  restart(): Promise<void>
  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and removes the data directory. */
  dispose(): Promise<void>
}

export interface StartOptions {
  env?: Record<string, string>
  dataDir?: string
}

const root = path.resolve(import.meta.dirname, '../..')

export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-test-'))
  let child: ChildProcess | null = null
  const logs: Record<string, unknown>[] = []
  let port = 0

  const launch = async (requestedPort: number) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(requestedPort),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        ...testDefaults,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    let stderr = ''
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const lines = readline.createInterface({ input: proc.stdout! })
    return new Promise<number>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`server exited with ${code} before listening:\n${stderr}`))
      proc.once('exit', onExit)
      lines.on('line', (line) => {
        let entry: Record<string, unknown>
        try {
          entry = JSON.parse(line) as Record<string, unknown>
        } catch {
          entry = { msg: line }
        }
        logs.push(entry)
        if (entry.msg === 'summitpad listening') {
          proc.off('exit', onExit)
          resolve(entry.port as number)
        }
      })
    })
  }

  port = await launch(0)

  const kill = (signal: NodeJS.Signals = 'SIGTERM') => {
    const proc = child
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc?.exitCode ?? null)
    return new Promise<number | null>((resolve) => {
      proc.once('exit', (code) => resolve(code))
      proc.kill(signal)
    })
  }

  return {
    get url() {
      return `http://127.0.0.1:${port}`
    },
    get wsUrl() {
      return `ws://127.0.0.1:${port}/sync`
    },
    get port() {
      return port
    },
    get pid() {
      return child?.pid ?? 0
    },
    dataDir,
    logs,
    kill,
    async restart() {
      await kill('SIGKILL')
      port = await launch(port)
    },
    async dispose() {
      const proc = child
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
        await kill('SIGTERM')
        clearTimeout(timer)
      }
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
