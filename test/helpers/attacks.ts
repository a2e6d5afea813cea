/**
 * The "heavy request" attacks of issue 15 part 2, as inputs and a probe, shared by
 * `test/integration/heavy-requests.test.ts` (which asserts the server kept answering) and
 * `bench/attacks.ts` (which prints how long the server stalled). Each builder takes its size so
 * the test runs them small and the bench full size.
 */
import fs from 'node:fs'
import { spawn } from 'node:child_process'

/** What a probe saw between `start` and `stop`. */
export interface ProbeResult {
  /** Requests answered with a 2xx. */
  answered: number
  /** Requests that failed (network error or a non-2xx status). */
  failed: number
  /** The longest answer time, ms: how long the server's event loop was unavailable at worst. */
  maxMs: number
}

/** A running probe: one request at a time to `path`, the next `intervalMs` after each answer; `stop` gives what it saw. */
export interface Probe {
  stop(): Promise<ProbeResult>
}

/**
 * The probe's own process: plain JavaScript for `node -e`, so that the attacker's work (building
 * and sending megabytes of input) never delays the probe's timing. It polls until a line arrives
 * on stdin, then prints its ProbeResult as JSON and exits.
 */
const probeScript = `
const http = require('node:http')
const [url, intervalMs, timeoutMs] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])]
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const result = { answered: 0, failed: 0, maxMs: 0 }
let running = true
process.stdin.once('data', () => { running = false })
const once = () => new Promise((resolve) => {
  const started = performance.now()
  const done = (ok) => { result.maxMs = Math.max(result.maxMs, performance.now() - started); if (ok) result.answered++; else result.failed++; resolve() }
  const req = http.get(url, { agent, timeout: timeoutMs }, (res) => { res.resume(); res.on('end', () => done(res.statusCode < 300)) })
  req.on('timeout', () => req.destroy(new Error('probe timeout')))
  req.on('error', () => done(false))
})
;(async () => {
  // The first answers warm up the connection and this process: not counted.
  for (let i = 0; i < 5; i++) { await once(); await new Promise((resolve) => setTimeout(resolve, intervalMs)) }
  Object.assign(result, { answered: 0, failed: 0, maxMs: 0 })
  process.stdout.write('ready\\n')
  while (running) { await once(); await new Promise((resolve) => setTimeout(resolve, intervalMs)) }
  agent.destroy()
  process.stdout.write(JSON.stringify({ ...result, maxMs: Math.round(result.maxMs) }) + '\\n')
  process.exit(0)
})()
`

/**
 * Polls `baseUrl + path` (e.g. `/healthz`) over one keep-alive connection until stopped, timing
 * every answer, from a child process of its own; resolves once the probe runs (its first five
 * answers, which warm it up, are not counted). A request that takes longer than `timeoutMs`,
 * or answers other than 2xx, counts as failed.
 */
export async function startProbe(baseUrl: string, path = '/healthz', intervalMs = 10, timeoutMs = 60_000): Promise<Probe> {
  const child = spawn(process.execPath, ['-e', probeScript, `${baseUrl}${path}`, String(intervalMs), String(timeoutMs)], { stdio: ['pipe', 'pipe', 'inherit'] })
  let output = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    child.once('exit', () => reject(new Error('the probe exited before it was ready')))
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.startsWith('ready\n')) resolve()
    })
  })
  return {
    async stop() {
      child.stdin!.end('stop\n')
      await exited
      return JSON.parse(output.slice('ready\n'.length)) as ProbeResult
    },
  }
}

/** The server's peak resident set size so far (Linux `VmHWM`), in MiB; null where unavailable. */
export function peakRssMiB(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Math.round(Number(match[1]) / 1024) : null
  } catch {
    return null
  }
}

/** Plain-text agenda lines of "plan plan …", `bytes` long in all: the search attack's pad. */
export function planText(bytes: number, lineBytes = 400): string {
  const line = 'plan '.repeat(Math.floor(lineBytes / 5)).trimEnd()
  const lines: string[] = []
  for (let total = 0; total < bytes; total += line.length + 1) lines.push(line)
  return lines.join('\n')
}

/** An iCalendar file of empty VEVENTs, about `bytes` long: the quadratic-parser attack. */
export function emptyEventsIcs(bytes: number): string {
  const event = 'BEGIN:VEVENT\r\nEND:VEVENT\r\n'
  const head = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//attack//EN\r\n'
  const tail = 'END:VCALENDAR\r\n'
  return head + event.repeat(Math.max(1, Math.floor((bytes - head.length - tail.length) / event.length))) + tail
}

/** A plain-text agenda of `bytes` bytes, one short item per line. */
export function textAgenda(bytes: number): string {
  return 'x\n'.repeat(Math.floor(bytes / 2))
}

/** A Markdown agenda of `items` list items (no headings: every item becomes an agenda item). */
export function markdownAgenda(items: number): string {
  return '- a\n'.repeat(items)
}

/** A summit of `sessions` sessions in May 2027 as an iCalendar export (the legitimate case; future dates, so auto-end leaves them alone). */
export function summitIcs(sessions: number): string {
  const events: string[] = []
  for (let i = 0; i < sessions; i++) {
    const day = 11 + Math.floor(i / 64)
    const minutes = 9 * 60 + (i % 8) * 50
    const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}00`
    events.push(
      [
        'BEGIN:VEVENT',
        `UID:s${i}@summit`,
        `SUMMARY:Session ${i} on the roadmap`,
        `CATEGORIES:Track ${i % 8}`,
        `LOCATION:Room ${100 + (i % 8)}`,
        `DTSTART:202705${day}T${time}Z`,
        'DURATION:PT40M',
        `ORGANIZER;CN=Moderator ${i}:mailto:m${i}@example.org`,
        `DESCRIPTION:Goals for session ${i}`,
        'END:VEVENT',
      ].join('\r\n'),
    )
  }
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//summit//EN', ...events, 'END:VCALENDAR', ''].join('\r\n')
}

/** POSTs JSON and returns the status and parsed body (or the text when not JSON). */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // reason: some answers (a zip, a proxy's page) are not JSON; the text is kept as is.
  }
  return { status: res.status, body: parsed, headers: res.headers }
}

/**
 * Creates a session whose pad is the plain-text agenda `text` and ends it, so it is archived
 * (indexed for search, part of the zip). Returns the session id.
 */
export async function archivedPad(baseUrl: string, title: string, text: string): Promise<string> {
  const created = await postJson(`${baseUrl}/api/sessions`, { title, content: text, contentFormat: 'text' })
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body).slice(0, 200)}`)
  const { session, links } = created.body as { session: { id: string }; links: { moderator: string } }
  const key = /#key=([A-Za-z0-9_-]+)/.exec(links.moderator)![1]!
  const ended = await postJson(`${baseUrl}/api/sessions/${session.id}/end`, {}, { authorization: `Bearer ${key}` })
  if (ended.status !== 200) throw new Error(`end: ${ended.status} ${JSON.stringify(ended.body).slice(0, 200)}`)
  return session.id
}
