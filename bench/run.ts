/**
 * `npm run bench`: runs the benchmark scenarios against a real server child process and prints
 * one JSON line per run on stdout, then a summary table. Progress goes to stderr.
 *
 *   npm run bench -- --scenario fanout --clients 50,200 --seconds 10 --rate 200 --writers 10
 *   npm run bench -- --scenario coldload --ops 100000 --repeats 5
 *   BENCH_FULL=1 npm run bench        # adds the 500-client fanout run
 *
 * Every server child is killed when the bench exits, fails or is interrupted.
 */
import { parseArgs } from 'node:util'
import { progress } from './log.ts'
import { renderSummary, type BenchResult } from './report.ts'
import { runColdload } from './scenarios/coldload.ts'
import { runFanout } from './scenarios/fanout.ts'
import { killAllServersSync } from './server-process.ts'

const usage = `usage: npm run bench -- [options]
  --scenario <all|fanout|coldload>  which scenarios to run (default all)
  --full                            bigger sizes (same as BENCH_FULL=1): fanout adds 500 clients
  --server-env <KEY=VALUE>          extra server environment, repeatable (e.g. COMPACT_AFTER_ROWS=5000)
 fanout:
  --clients <n,n,...>               receiving clients per run (default 50,200; full: 50,200,500)
  --writers <n>                     writer clients (default 10)
  --rate <n>                        total updates per second over all writers (default 200)
  --seconds <n>                     length of the write phase (default 10)
  --probes <n>                      latency probes (default 3)
  --workers <n>                     worker threads for the receivers (default 2)
  --drain-timeout <s>               longest wait for delivery after the last write (default 15)
 coldload:
  --ops <n>                         operations in the editing trace (default 100000)
  --batch <n>                       operations per update frame while building (default 100)
  --repeats <n>                     restarts + cold loads (default 5)
  --seed <n>                        PRNG seed of the trace (default 1)
 --timeout <s>                      abort the whole bench after this long (default 900)`

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    full: { type: 'boolean', default: false },
    'server-env': { type: 'string', multiple: true, default: [] },
    clients: { type: 'string' },
    writers: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    probes: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    'drain-timeout': { type: 'string', default: '15' },
    ops: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '100' },
    repeats: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '900' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
})

if (values.help) {
  console.log(usage)
  process.exit(0)
}

/** Parses a positive integer flag within [min, max]; exits with the usage on a bad value. */
function intFlag(name: string, value: string, min: number, max: number): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}, got "${value}"\n\n${usage}`)
    process.exit(2)
  }
  return parsed
}

const full = values.full || process.env.BENCH_FULL === '1'
const scenario = values.scenario
if (!['all', 'fanout', 'coldload'].includes(scenario)) {
  console.error(`unknown --scenario "${scenario}"\n\n${usage}`)
  process.exit(2)
}
const serverEnv: Record<string, string> = {}
for (const pair of values['server-env']) {
  const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(pair)
  if (!match) {
    console.error(`--server-env expects KEY=VALUE, got "${pair}"\n\n${usage}`)
    process.exit(2)
  }
  serverEnv[match[1]!] = match[2]!
}
const clients = (values.clients ?? (full ? '50,200,500' : '50,200')).split(',').map((n) => intFlag('clients', n.trim(), 1, 5000))
const fanoutOptions = {
  clients,
  writers: intFlag('writers', values.writers, 1, 200),
  rate: intFlag('rate', values.rate, 1, 100_000),
  seconds: intFlag('seconds', values.seconds, 1, 600),
  probes: intFlag('probes', values.probes, 1, 50),
  workers: intFlag('workers', values.workers, 1, 16),
  drainTimeoutMs: intFlag('drain-timeout', values['drain-timeout'], 1, 600) * 1000,
  serverEnv,
}
const coldloadOptions = {
  ops: intFlag('ops', values.ops, 1, 10_000_000),
  batch: intFlag('batch', values.batch, 1, 100_000),
  repeats: intFlag('repeats', values.repeats, 1, 100),
  seed: intFlag('seed', values.seed, 0, 2 ** 31 - 1),
  serverEnv,
}
const timeoutSeconds = intFlag('timeout', values.timeout, 10, 86_400)

// Never leave a server child behind: on normal exit, errors, signals and the overall timeout.
process.on('exit', killAllServersSync)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    progress(`${signal}: stopping`)
    killAllServersSync()
    process.exit(130)
  })
}
const fail = (error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  killAllServersSync()
  process.exit(1)
}
process.on('uncaughtException', fail)
process.on('unhandledRejection', fail)
setTimeout(() => fail(new Error(`bench did not finish within --timeout ${timeoutSeconds} s`)), timeoutSeconds * 1000).unref()

const results: BenchResult[] = []
const emit = (result: BenchResult) => {
  results.push(result)
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

try {
  if (scenario === 'all' || scenario === 'fanout') await runFanout(fanoutOptions, emit)
  if (scenario === 'all' || scenario === 'coldload') await runColdload(coldloadOptions, emit)
} catch (error) {
  fail(error)
}
process.stdout.write(`\n${renderSummary(results)}\n`)
process.exit(0)
