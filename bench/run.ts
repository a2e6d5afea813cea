/**
 * `npm run bench`: runs the benchmark scenarios against a real server child process and prints
 * one JSON line per run on stdout, then a summary table. Progress goes to stderr.
 *
 *   npm run bench -- --scenario fanout --clients 200 --seconds 10 --rate 200 --writers 10
 *   npm run bench -- --scenario coldload --ops 100000 --loads 5
 *   npm run bench -- --repeats 5       # five rounds of every size on both servers
 *   npm run bench -- --scenario summit  # 20 rooms × 60 tabs joining within a minute, then editing
 *   npm run bench -- --scenario archive --archive-stores sqlite
 *
 * Every server child is killed when the bench exits, fails or is interrupted.
 */
import { parseArgs } from 'node:util'
import { progress } from './log.ts'
import { renderSummary, type BenchResult } from './report.ts'
import { runArchive, type ArchiveStore } from './scenarios/archive.ts'
import { runColdload } from './scenarios/coldload.ts'
import { runBurst, runIngest, runRooms } from './scenarios/capacity.ts'
import { runDecoder } from './scenarios/decoder.ts'
import { runFanout } from './scenarios/fanout.ts'
import { runIdle } from './scenarios/idle.ts'
import { runSummit } from './scenarios/summit.ts'
import { killAllServersSync, pinServers, type BenchTarget } from './server-process.ts'

const usage = `usage: npm run bench -- [options]
  --scenario <all|fanout|rooms|burst|ingest|coldload|decoder|idle|summit|archive>  which scenarios to run (default all)
  --quick                           a smoke run of a few minutes: small sizes, short runs, one round
  --target <both|summitpad|reference|hocuspocus>  which servers (default both; both runs the rooms
                                    scenario on hocuspocus too, and only rooms runs on hocuspocus)
  --repeats <n>                     rounds: every size runs on both servers once per round, the order
                                    alternating from round to round; the targets use medians (default 3)
  --server-env <KEY=VALUE>          extra summitpad environment, repeatable (e.g. COMPACT_AFTER_ROWS=5000)
  --pin <on|off>                    on (default, with 2 cores or more): every server runs on the last core
                                    alone (taskset), the bench on the others
 fanout:
  --clients <n,n,...>               receiving clients, one run each (default 200,250,500,1000; quick 50,200)
  --writers <n>                     writer clients (default 10; 20 for 1,000 clients)
  --rate <n>                        total updates per second over all writers (default 200)
  --seconds <n>                     length of the measured write phase (default 10; quick 4)
  --warmup <n>                      seconds of writing before it, not measured (default 3; quick 1)
  --probes <n>                      latency probes (default 3)
  --workers <n>                     worker threads for the receivers (default 2)
  --drain-timeout <s>               longest wait for delivery after the last write (default 15)
 rooms / burst / ingest:
  --rooms <n>                       sessions of 3 clients each (default 1000; quick 100)
  --rooms-join-seconds <n>          the rooms join evenly spaced over this long (default 30; quick 5)
  --rooms-seconds <n>               measured editing window of the rooms scenario (default 20; quick 5)
  --rooms-rate <n>                  updates per second typed by each room's writer (default 1)
  --burst <n,n>                     clients connecting at once to one large pad (default 100,300; quick 50)
  --ingest-ops <n>                  trace operations replayed by the ingest writer (default 20000; quick 3000)
 coldload:
  --ops <n>                         operations in the editing trace (default 100000; quick 20000)
  --batch <n>                       operations per update frame while building (default 100)
  --loads <n>                       restarts, each followed by a cold and a warm load (default 5; quick 2)
  --seed <n>                        PRNG seed of the trace (default 1)
 idle:
  --idle-connections <n>            idle synced connections per run (default 1000; quick 200)
  --idle-rooms <n,n>                rooms they are spread over, one run each (default 10,200; quick 5,50)
 decoder (summitpad only, in process):
  --decoder-inputs <n>              seeded hostile inputs, the slowest judged against 50 ms (default 100000; quick 20000)
 summit (see bench/README.md):
  --summit-rooms <n>                rooms, each a started session (default 20; quick 5)
  --summit-clients <n>              browser tabs per room, besides its projector (default 60)
  --summit-writers <n>              writers per room, typing --summit-rate keystrokes/s each (default 6)
  --summit-rate <n>                 keystrokes per second per writer (default 5)
  --summit-probes <n>               latency probes per room, among its tabs (default 2)
  --summit-boards <n>               board viewers polling the schedule (default 10)
  --summit-join <s>                 everyone joins within this many seconds (default 60; quick 15)
  --summit-seconds <s>              the measured editing phase (default 45; quick 15)
  --summit-workers <n>              worker threads for the readers (default 3)
 archive (summitpad only: a seeded decade of archived sessions, then search, index, actions, zip):
  --archive-stores <sqlite,postgres>  stores to seed and measure, one run each (default both)
  --archive-sessions <n>            archived sessions (default 10000; quick 1000)
  --archive-mb <n>                  MB of pad text over all sessions (default 50; quick 5)
  --archive-queries <n>             timed requests per query and page (default 10)
  --pg-url <url>                    PostgreSQL server, no database: a fresh one is made and dropped
                                    (default postgres://postgres@127.0.0.1:5432)
 --timeout <s>                      abort the whole bench after this long (default 2400)`

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    'decoder-inputs': { type: 'string' },
    target: { type: 'string', default: 'both' },
    quick: { type: 'boolean', default: false },
    rooms: { type: 'string' },
    'rooms-join-seconds': { type: 'string' },
    'rooms-seconds': { type: 'string' },
    'rooms-rate': { type: 'string', default: '1' },
    burst: { type: 'string' },
    'ingest-ops': { type: 'string' },
    'idle-connections': { type: 'string' },
    'idle-rooms': { type: 'string' },
    'server-env': { type: 'string', multiple: true, default: [] },
    pin: { type: 'string', default: 'on' },
    clients: { type: 'string' },
    writers: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string' },
    probes: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    'drain-timeout': { type: 'string', default: '15' },
    ops: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '100' },
    repeats: { type: 'string' },
    loads: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'summit-rooms': { type: 'string' },
    'summit-clients': { type: 'string', default: '60' },
    'summit-writers': { type: 'string', default: '6' },
    'summit-rate': { type: 'string', default: '5' },
    'summit-probes': { type: 'string', default: '2' },
    'summit-boards': { type: 'string', default: '10' },
    'summit-join': { type: 'string' },
    'summit-seconds': { type: 'string' },
    'summit-workers': { type: 'string', default: '3' },
    'archive-stores': { type: 'string', default: 'sqlite,postgres' },
    'archive-sessions': { type: 'string' },
    'archive-mb': { type: 'string' },
    'archive-queries': { type: 'string', default: '10' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
    timeout: { type: 'string', default: '2400' },
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

const scenario = values.scenario
if (!['all', 'fanout', 'coldload', 'rooms', 'burst', 'ingest', 'decoder', 'idle', 'summit', 'archive'].includes(scenario)) {
  console.error(`unknown --scenario "${scenario}"\n\n${usage}`)
  process.exit(2)
}
if (!['both', 'summitpad', 'reference', 'hocuspocus'].includes(values.target)) {
  console.error(`unknown --target "${values.target}"\n\n${usage}`)
  process.exit(2)
}
// Hocuspocus speaks its own protocol: only the rooms scenario's clients speak it.
const roomsTargets: BenchTarget[] = values.target === 'both' ? ['summitpad', 'reference', 'hocuspocus'] : [values.target as BenchTarget]
const targets: BenchTarget[] = roomsTargets.filter((target) => target !== 'hocuspocus')
const serverEnv: Record<string, string> = {}
for (const pair of values['server-env']) {
  const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(pair)
  if (!match) {
    console.error(`--server-env expects KEY=VALUE, got "${pair}"\n\n${usage}`)
    process.exit(2)
  }
  serverEnv[match[1]!] = match[2]!
}
if (!['on', 'off'].includes(values.pin)) {
  console.error(`--pin must be on or off, got "${values.pin}"\n\n${usage}`)
  process.exit(2)
}
if (values.pin === 'on') {
  const core = pinServers()
  progress(core === null ? 'not pinned (one core, or no taskset): server and bench share the cores' : `servers pinned to core ${core}, the bench to the others`)
}
const quick = values.quick
const clients = (values.clients ?? (quick ? '50,200' : '200,250,500,1000')).split(',').map((n) => intFlag('clients', n.trim(), 1, 5000))
const fanoutOptions = {
  clients,
  writers: intFlag('writers', values.writers, 1, 200),
  rate: intFlag('rate', values.rate, 1, 100_000),
  seconds: intFlag('seconds', quick ? '4' : values.seconds, 1, 600),
  warmupSeconds: intFlag('warmup', values.warmup ?? (quick ? '1' : '3'), 0, 600),
  probes: intFlag('probes', values.probes, 1, 50),
  workers: intFlag('workers', values.workers, 1, 16),
  drainTimeoutMs: intFlag('drain-timeout', values['drain-timeout'], 1, 600) * 1000,
  serverEnv,
}
const roomCount = intFlag('rooms', values.rooms ?? (quick ? '100' : '1000'), 1, 100_000)
const roomsOptions = {
  rooms: roomCount,
  clientsPerRoom: 3,
  joinSeconds: intFlag('rooms-join-seconds', values['rooms-join-seconds'] ?? (quick ? '5' : '30'), 1, 600),
  editSeconds: intFlag('rooms-seconds', values['rooms-seconds'] ?? (quick ? '5' : '20'), 1, 600),
  warmupSeconds: intFlag('warmup', values.warmup ?? (quick ? '1' : '3'), 0, 600),
  ratePerRoom: intFlag('rooms-rate', values['rooms-rate'], 1, 100),
  serverEnv,
}
const burstSizes = (values.burst ?? (quick ? '50' : '100,300')).split(',').map((n) => intFlag('burst', n.trim(), 1, 10_000))
const ingestOps = intFlag('ingest-ops', values['ingest-ops'] ?? (quick ? '3000' : '20000'), 1, 10_000_000)
const coldloadOptions = {
  ops: intFlag('ops', quick ? '20000' : values.ops, 1, 10_000_000),
  batch: intFlag('batch', values.batch, 1, 100_000),
  loads: intFlag('loads', quick ? '2' : values.loads, 1, 100),
  seed: intFlag('seed', values.seed, 0, 2 ** 31 - 1),
  serverEnv,
}
const decoderInputs = intFlag('decoder-inputs', values['decoder-inputs'] ?? (quick ? '20000' : '100000'), 1, 10_000_000)
const idleConnections = intFlag('idle-connections', values['idle-connections'] ?? (quick ? '200' : '1000'), 1, 100_000)
const idleRooms = (values['idle-rooms'] ?? (quick ? '5,50' : '10,200')).split(',').map((n) => intFlag('idle-rooms', n.trim(), 1, 100_000))
const summitClients = intFlag('summit-clients', values['summit-clients'], 1, 1000)
const summitWriters = intFlag('summit-writers', values['summit-writers'], 1, summitClients)
const summitOptions = {
  rooms: intFlag('summit-rooms', values['summit-rooms'] ?? (quick ? '5' : '20'), 1, 1000),
  clientsPerRoom: summitClients,
  writersPerRoom: summitWriters,
  probesPerRoom: intFlag('summit-probes', values['summit-probes'], 1, summitClients - summitWriters),
  rate: intFlag('summit-rate', values['summit-rate'], 1, 100),
  boards: intFlag('summit-boards', values['summit-boards'], 0, 1000),
  joinSeconds: intFlag('summit-join', values['summit-join'] ?? (quick ? '15' : '60'), 1, 3600),
  seconds: intFlag('summit-seconds', values['summit-seconds'] ?? (quick ? '15' : '45'), 1, 3600),
  readerWorkers: intFlag('summit-workers', values['summit-workers'], 1, 16),
  cursorMoveProbability: 0.1,
  seed: intFlag('seed', values.seed, 0, 2 ** 31 - 1),
  drainTimeoutMs: intFlag('drain-timeout', values['drain-timeout'], 1, 600) * 1000,
  serverEnv,
}
const archiveStores = values['archive-stores'].split(',').map((store) => store.trim())
if (archiveStores.some((store) => store !== 'sqlite' && store !== 'postgres')) {
  console.error(`--archive-stores takes sqlite and/or postgres, got "${values['archive-stores']}"\n\n${usage}`)
  process.exit(2)
}
const archiveOptions = {
  sessions: intFlag('archive-sessions', values['archive-sessions'] ?? (quick ? '1000' : '10000'), 1, 1_000_000),
  textBytes: intFlag('archive-mb', values['archive-mb'] ?? (quick ? '5' : '50'), 1, 10_000) * 1_000_000,
  queries: intFlag('archive-queries', values['archive-queries'], 1, 1000),
  seed: intFlag('seed', values.seed, 0, 2 ** 31 - 1),
  pgUrl: values['pg-url'].replace(/\/+$/, ''),
  serverEnv,
}
const rounds = intFlag('repeats', values.repeats ?? (quick ? '1' : '3'), 1, 100)
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
  const wants = (name: string) => scenario === 'all' || scenario === name
  for (let round = 1; round <= rounds; round++) {
    // Each size runs on both servers one right after the other, so both see the same machine; the
    // order alternates from round to round, so neither always runs first.
    const order = round % 2 === 1 ? targets : [...targets].reverse()
    const roomsOrder = round % 2 === 1 ? roomsTargets : [...roomsTargets].reverse()
    const emitRound = (result: BenchResult) => emit({ ...result, round })
    if (rounds > 1) progress(`round ${round} of ${rounds}`)
    if (wants('fanout')) {
      for (const clientCount of fanoutOptions.clients) {
        // The 1,000-client row has 20 writers; smaller rows keep --writers.
        const writers = clientCount >= 1000 && values.writers === '10' ? 20 : fanoutOptions.writers
        for (const target of order) {
          await runFanout({ ...fanoutOptions, writers, clients: [clientCount], target, serverEnv: { CONNECTIONS_PER_IP_PER_SECOND: '0', ...serverEnv } }, emitRound)
        }
      }
    }
    if (wants('rooms')) for (const target of roomsOrder) emitRound(await runRooms({ ...roomsOptions, target }))
    if (wants('burst')) for (const size of burstSizes) for (const target of order) emitRound(await runBurst({ target, clients: size, ops: quick ? 20_000 : 100_000, serverEnv }))
    if (wants('ingest')) for (const target of order) emitRound(await runIngest({ target, ops: ingestOps, serverEnv }))
    if (wants('idle')) for (const rooms of idleRooms) for (const target of order) emitRound(await runIdle({ target, rooms, connections: idleConnections, serverEnv }))
    // A summit takes about two and a half minutes per server: `all` runs it in the first round only.
    if (wants('summit') && (scenario === 'summit' || round === 1)) for (const target of order) emitRound(await runSummit({ ...summitOptions, target }))
  }
  // summitpad only (the in-memory reference keeps nothing across a restart): its loads are its repeats.
  if (wants('coldload') && targets.includes('summitpad')) await runColdload(coldloadOptions, (result) => emit({ ...result, round: 1 }))
  if (wants('decoder') && targets.includes('summitpad')) emit({ ...(await runDecoder({ inputs: decoderInputs, seed: 1 })), round: 1 })
  // summitpad only (the reference has no archive); one run per store.
  if (wants('archive') && targets.includes('summitpad')) for (const store of archiveStores) emit({ ...(await runArchive({ ...archiveOptions, store: store as ArchiveStore })), round: 1 })
} catch (error) {
  fail(error)
}
process.stdout.write(`\n${renderSummary(results)}\n`)
process.exit(0)
