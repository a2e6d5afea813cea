/**
 * A redis-server child process owned by one test, stopped (SIGKILL) and started again on one
 * port, for outages the shared Redis on 6379 must not suffer.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { waitFor } from './wait-for.ts'

export { freePort } from './free-port.ts'


/** A redis-server child process of this test, stopped and started on one port. */
export class OwnedRedis {
  private child: ChildProcess | null = null
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: 'ignore',
    })
    this.child = child
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
        const { stdout } = await promisify(execFile)('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), 'ping'])
        return stdout.trim() === 'PONG'
      },
      10_000,
      `redis-server on port ${this.port}`,
    )
  }

  async kill(): Promise<void> {
    const child = this.child
    this.child = null
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
}

