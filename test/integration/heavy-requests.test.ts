/**
 * Issue 15 part 2: no anonymous request can stall the server. Each attack runs (sized for the
 * test machine) while a probe keeps asking `GET /healthz` every 10 ms on its own connection; the
 * test asserts that every probe was answered (a probe waiting more than 5 s, 100 times the 50 ms
 * budget, counts as failed) and that the attack got its 4xx/5xx or a bounded success. The stall
 * figures themselves are measured by `bench/attacks.ts`, not asserted here.
 */
import { strFromU8, unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ArchiveHit } from '../../shared/api.ts'
import { snippetEnd, snippetStart } from '../../shared/api.ts'
import { archivedPad, emptyEventsIcs, markdownAgenda, planText, postJson, startProbe, summitIcs, textAgenda, type Probe } from '../helpers/attacks.ts'
import { organizerHeaders, startServerProcess, type ServerProcess } from '../helpers/start-server.ts'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess()
})
afterAll(async () => {
  await server?.dispose()
})

/** Runs `attack` under a probe; asserts the server answered every probe meanwhile. */
async function underProbe<T>(attack: () => Promise<T>): Promise<T> {
  const probe: Probe = await startProbe(server.url, '/healthz', 10, 5000)
  let result: T
  try {
    result = await attack()
  } finally {
    const seen = await probe.stop()
    expect(seen.failed, `probes failed while the attack ran (longest answer ${seen.maxMs} ms)`).toBe(0)
    expect(seen.answered).toBeGreaterThan(0)
  }
  return result!
}

const errorCode = (body: unknown) => (body as { error?: { code?: string } }).error?.code

describe('heavy requests', () => {
  it('refuses an iCalendar file of thousands of empty events with 422, parsing it in a worker', async () => {
    const answer = await underProbe(() => postJson(`${server.url}/api/schedule/import`, { event: 'Attack', format: 'ics', content: emptyEventsIcs(1024 * 1024) }, organizerHeaders))
    expect(answer.status).toBe(422)
    expect(errorCode(answer.body)).toBe('too_complex')
    expect(JSON.stringify(answer.body)).toContain('2000')
  })

  it('imports a 200-session schedule while the probe is answered', async () => {
    const answer = await underProbe(() => postJson(`${server.url}/api/schedule/import`, { event: 'Summit', format: 'ics', content: summitIcs(200) }, organizerHeaders))
    expect(answer.status).toBe(201)
    expect((answer.body as { created: number }).created).toBe(200)
  })

  it('refuses text and Markdown agendas past the item limit with 422, four at a time', async () => {
    const answers = await underProbe(() =>
      Promise.all([
        ...[0, 1, 2, 3].map(() => postJson(`${server.url}/api/sessions`, { title: 'Text', content: textAgenda(512_000), contentFormat: 'text' })),
        postJson(`${server.url}/api/sessions`, { title: 'Markdown', content: markdownAgenda(60_000) }),
      ]),
    )
    for (const answer of answers) {
      expect(answer.status).toBe(422)
      expect(errorCode(answer.body)).toBe('too_complex')
    }
  })

  it('imports a Markdown agenda within the limits (2000 items) in a worker', async () => {
    const answer = await underProbe(() => postJson(`${server.url}/api/sessions`, { title: 'Long agenda', content: markdownAgenda(2000) }))
    expect(answer.status).toBe(201)
  })

  it('searches pads full of matches in bounded time, with short marked snippets', async () => {
    for (let i = 0; i < 2; i++) await archivedPad(server.url, `Plan ${i}`, planText(150_000))
    const res = await underProbe(() => fetch(`${server.url}/api/archive?q=plan`))
    expect(res.status).toBe(200)
    const { hits } = (await res.json()) as { hits: ArchiveHit[] }
    expect(hits.length).toBeGreaterThanOrEqual(2)
    for (const hit of hits) {
      expect(hit.snippet).toContain(`${snippetStart}plan${snippetEnd}`)
      expect(hit.snippet.length).toBeLessThan(1000)
    }
  })

  it('exports a large pad in every format and streams the archive zip', async () => {
    const id = await archivedPad(server.url, 'Large pad', planText(400_000))
    const { statuses, zip } = await underProbe(async () => {
      const statuses: number[] = []
      for (const format of ['md', 'html', 'txt', 'json']) {
        const res = await fetch(`${server.url}/api/sessions/${id}/export?format=${format}`)
        await res.arrayBuffer()
        statuses.push(res.status)
      }
      const res = await fetch(`${server.url}/api/archive/export.zip`, { headers: organizerHeaders })
      return { statuses, zip: { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) } }
    })
    expect(statuses).toEqual([200, 200, 200, 200])
    expect(zip.status).toBe(200)
    const files = unzipSync(zip.bytes)
    const pads = Object.keys(files).filter((name) => name.startsWith('sessions/'))
    expect(pads.length).toBeGreaterThanOrEqual(3)
    expect(strFromU8(files['index.md']!)).toContain('Large pad')
    expect(strFromU8(files[pads.find((name) => name.includes('large-pad'))!]!)).toContain('plan plan')
  })

  it('answers 503 with Retry-After past the schedule queue bound, and never 500', async () => {
    const content = emptyEventsIcs(512 * 1024)
    const answers = await underProbe(() => Promise.all(Array.from({ length: 10 }, () => postJson(`${server.url}/api/schedule/import`, { event: 'Flood', format: 'ics', content }, organizerHeaders))))
    const statuses = answers.map((answer) => answer.status)
    expect(statuses.every((status) => status === 422 || status === 503), statuses.join(',')).toBe(true)
    const busy = answers.filter((answer) => answer.status === 503)
    expect(busy.length).toBeGreaterThan(0)
    for (const answer of busy) {
      expect(errorCode(answer.body)).toBe('server_busy')
      expect(answer.headers.get('retry-after')).toBe('5')
    }
  })
})
