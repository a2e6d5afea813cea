/**
 * The heavy-request attacks of issue 15 part 2, measured: for each attack a fresh server
 * (`node --import tsx server/main.ts`, default settings, SQLite), a probe polling `GET /healthz`
 * every 10 ms on its own keep-alive connection, then the attack. The table shows the longest
 * probe answer time while the attack ran (the event-loop stall), how the attack was answered,
 * how long it took, and the server's peak RSS. Each attack runs `ATTACK_REPEAT` times (default 3)
 * and the run with the shortest stall is shown, with the longest stall of any run beside it.
 *
 *   node --import tsx bench/attacks.ts                 # every attack at its default size
 *   node --import tsx bench/attacks.ts search zip      # only these
 *   ATTACK_SCALE=0.25 node --import tsx bench/attacks.ts   # every size times 0.25
 *   ATTACK_REPEAT=1 node --import tsx bench/attacks.ts     # one run per attack
 */
import { performance } from 'node:perf_hooks'
import {
  archivedPad,
  emptyEventsIcs,
  markdownAgenda,
  peakRssMiB,
  planText,
  postJson,
  startProbe,
  summitIcs,
  textAgenda,
} from '../test/helpers/attacks.ts'
import { organizerHeaders, startServerProcess, type ServerProcess } from '../test/helpers/start-server.ts'
import { table } from './report.ts'

const scale = Number(process.env.ATTACK_SCALE ?? '1')
const sized = (n: number) => Math.max(1, Math.round(n * scale))

interface Attack {
  name: string
  /** What is sent, for the table. */
  input: string
  /** Setup that is not measured (archived pads to search or zip). */
  prepare?: (server: ServerProcess) => Promise<unknown>
  /** The attack; returns how it was answered (statuses). */
  run: (server: ServerProcess, prepared: unknown) => Promise<string>
}

const statusOf = async (res: Response) => {
  await res.arrayBuffer()
  return String(res.status)
}

const attacks: Attack[] = [
  {
    name: 'search',
    input: `q=plan over ${sized(2)} pads of ${sized(150)} KB "plan plan …"`,
    prepare: async (server) => {
      for (let i = 0; i < sized(2); i++) await archivedPad(server.url, `Plan ${i}`, planText(sized(150) * 1000))
    },
    run: async (server) => statusOf(await fetch(`${server.url}/api/archive?q=plan`)),
  },
  {
    name: 'ics',
    input: `${sized(256)} KiB of empty VEVENTs`,
    run: async (server) => String((await postJson(`${server.url}/api/schedule/import`, { event: 'Attack', format: 'ics', content: emptyEventsIcs(sized(256) * 1024) }, organizerHeaders)).status),
  },
  {
    name: 'ics-200',
    input: 'a legitimate 200-session schedule (dry run)',
    run: async (server) => String((await postJson(`${server.url}/api/schedule/import`, { event: 'Summit', format: 'ics', content: summitIcs(200), dryRun: true }, organizerHeaders)).status),
  },
  {
    name: 'ics-200-import',
    input: 'a legitimate 200-session schedule, imported',
    run: async (server) => String((await postJson(`${server.url}/api/schedule/import`, { event: 'Summit', format: 'ics', content: summitIcs(200) }, organizerHeaders)).status),
  },
  {
    name: 'text-agenda',
    input: `${sized(512_000)} bytes of text agenda`,
    run: async (server) => String((await postJson(`${server.url}/api/sessions`, { title: 'a', content: textAgenda(sized(512_000)), contentFormat: 'text' })).status),
  },
  {
    name: 'text-agenda-x4',
    input: `4 parallel ${sized(512_000)}-byte text agendas`,
    run: async (server) => {
      const all = await Promise.all(
        [0, 1, 2, 3].map(() => postJson(`${server.url}/api/sessions`, { title: 'a', content: textAgenda(sized(512_000)), contentFormat: 'text' })),
      )
      return all.map((answer) => answer.status).join(',')
    },
  },
  {
    name: 'md-agenda',
    input: `${sized(60_000)} Markdown list items`,
    run: async (server) => String((await postJson(`${server.url}/api/sessions`, { title: 'a', content: markdownAgenda(sized(60_000)) })).status),
  },
  {
    name: 'exports',
    input: `md, html, txt, json of a ${sized(500)} KB pad`,
    prepare: async (server) => archivedPad(server.url, 'Export me', planText(sized(500) * 1000)),
    run: async (server, id) => {
      const statuses: string[] = []
      for (const format of ['md', 'html', 'txt', 'json']) statuses.push(await statusOf(await fetch(`${server.url}/api/sessions/${id as string}/export?format=${format}`)))
      return statuses.join(',')
    },
  },
  {
    name: 'exports-live',
    input: `md, html, txt, json of a live ${sized(500)} KB pad`,
    prepare: async (server) => {
      const created = await postJson(`${server.url}/api/sessions`, { title: 'Live pad', content: planText(sized(500) * 1000), contentFormat: 'text' })
      return (created.body as { session: { id: string } }).session.id
    },
    run: async (server, id) => {
      const statuses: string[] = []
      for (const format of ['md', 'html', 'txt', 'json']) statuses.push(await statusOf(await fetch(`${server.url}/api/sessions/${id as string}/export?format=${format}`)))
      // Exporting loads the pad's room; its unload (and compaction) 2 s later belongs to the attack.
      await new Promise((resolve) => setTimeout(resolve, 3000))
      return statuses.join(',')
    },
  },
  {
    name: 'zip',
    input: `archive zip of ${sized(10)} pads of ${sized(500)} KB`,
    prepare: async (server) => {
      for (let i = 0; i < sized(10); i++) await archivedPad(server.url, `Zip ${i}`, planText(sized(500) * 1000))
    },
    run: async (server) => statusOf(await fetch(`${server.url}/api/archive/export.zip`, { headers: organizerHeaders })),
  },
]

/** One measured run of an attack on a fresh server. */
interface Run {
  answer: string
  attackMs: number
  stallMs: number
  probes: string
  rss: string
}

async function measure(attack: Attack): Promise<Run> {
  const server = await startServerProcess()
  try {
    const prepared = await attack.prepare?.(server)
    // The prepared pads' rooms unload (and their logs compact) a moment after the last write:
    // let that pass so that only the attack is measured.
    if (attack.prepare) await new Promise((resolve) => setTimeout(resolve, 3000))
    const idleRss = peakRssMiB(server.pid)
    const probe = await startProbe(server.url)
    const started = performance.now()
    let answer: string
    try {
      answer = await attack.run(server, prepared)
    } catch (error) {
      answer = `error: ${(error as Error).message.slice(0, 40)}`
    }
    const attackMs = Math.round(performance.now() - started)
    const probed = await probe.stop()
    return { answer, attackMs, stallMs: probed.maxMs, probes: `${probed.answered}/${probed.failed}`, rss: `${idleRss} → ${peakRssMiB(server.pid)}` }
  } finally {
    await server.dispose()
  }
}

/**
 * Runs per attack, each on a fresh server, from `ATTACK_REPEAT` (default 3). On a shared machine
 * other processes only ever add to a stall, so the shortest of the runs' longest stalls is the
 * figure closest to the attack's own cost; the longest is shown too.
 */
const repeat = Math.max(1, Number(process.env.ATTACK_REPEAT ?? '3'))
const only = process.argv.slice(2)
const rows: string[][] = [['attack', 'input', 'answer', 'attack ms', 'longest stall ms (best run)', 'worst run', 'probes ok/failed', 'peak RSS MiB (idle → after)']]
for (const attack of attacks.filter((candidate) => only.length === 0 || only.includes(candidate.name))) {
  const runs: Run[] = []
  for (let i = 0; i < repeat; i++) runs.push(await measure(attack))
  const best = runs.reduce((a, b) => (b.stallMs < a.stallMs ? b : a))
  const worst = Math.max(...runs.map((run) => run.stallMs))
  rows.push([attack.name, attack.input, best.answer, String(best.attackMs), String(best.stallMs), String(worst), best.probes, best.rss])
  console.error(rows.at(-1)!.join(' | '))
}
console.log(table(rows))
