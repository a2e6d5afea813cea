/**
 * Ended sessions become an archive: frozen pads, outcomes, participants, full-text search,
 * exports in four formats, a zip of everything, import of a prepared agenda, automatic end, delete.
 */
import { unzipSync, strFromU8 } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { ArchiveHit, ArchiveSummary, ArchivedSession } from '../../shared/api.ts'
import { snippetEnd, snippetStart } from '../../shared/api.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess, organizerHeaders } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
const clients: PadClient[] = []
beforeAll(async () => {
  server = await startServerProcess({ env: { AUTO_END_AFTER_MINUTES: '1', AUTO_END_CHECK_SECONDS: '1' } })
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server?.dispose()
})

const getJson = async <T>(path: string) => {
  const res = await fetch(`${server.url}${path}`)
  return { status: res.status, body: (await res.json()) as T }
}

/** A pad client named `name` (its awareness makes it a participant) that appends blocks. */
async function writer(room: string, name: string): Promise<PadClient> {
  const client = connectPad(server.wsUrl, room, { ack: true })
  clients.push(client)
  await waitForSynced(client)
  client.provider.awareness.setLocalStateField('user', { name, color: '#1565c0' })
  return client
}

function appendBlock(client: PadClient, type: string, text: string, attrs: Record<string, unknown> = {}): void {
  const element = new Y.XmlElement(type)
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value as string)
  element.insert(0, [new Y.XmlText(text)])
  client.ydoc.getXmlFragment(padFragmentName).push([element])
}

describe('the archive', () => {
  it('archives an ended session with its outcomes and participants, and searches only archived pads', async () => {
    const ended = await createSessionWithKeys(server.url, { title: 'Cinder: volume multiattach', track: 'Storage', room: 'Room 7' })
    const live = await createSessionWithKeys(server.url, { title: 'Swift: erasure codes', track: 'Storage' })
    const a = await writer(ended.session.id, 'Ada Lovelace')
    const b = await writer(ended.session.id, 'Grace Hopper')
    appendBlock(a, 'paragraph', 'We discussed the zanzibarite migration path.')
    appendBlock(a, 'decision', 'Multiattach ships behind a feature flag.')
    appendBlock(b, 'action_item', '@grace writes the upgrade notes due 2026-12-01', { done: false } as never)
    await waitFor(() => a.isSaved() && b.isSaved(), 3000, 'edits saved')
    const liveWriter = await writer(live.session.id, 'Linus')
    appendBlock(liveWriter, 'paragraph', 'The quixotry word lives only in a live pad.')
    await waitFor(() => liveWriter.isSaved(), 3000, 'live edit saved')

    expect((await act(server.url, ended.session.id, 'end', ended.moderatorKey)).status).toBe(200)

    const record = await getJson<{ archive: ArchivedSession }>(`/api/sessions/${ended.session.id}/archive`)
    expect(record.status).toBe(200)
    expect(record.body.archive.outcomes.decisions).toContain('Multiattach ships behind a feature flag.')
    expect(record.body.archive.outcomes.actions).toContainEqual(expect.objectContaining({ owner: 'grace', due: '2026-12-01', done: false }))
    expect(record.body.archive.participants).toEqual(expect.arrayContaining(['Ada Lovelace', 'Grace Hopper']))
    expect(JSON.stringify(record.body.archive.doc)).toContain('zanzibarite')

    const found = await getJson<{ hits: ArchiveHit[] }>('/api/archive?q=zanzibarite')
    expect(found.body.hits.map((hit) => hit.session.id)).toEqual([ended.session.id])
    expect(found.body.hits[0]!.snippet).toContain(`${snippetStart}zanzibarite${snippetEnd}`)
    const prefix = await getJson<{ hits: ArchiveHit[] }>('/api/archive?q=zanzib')
    expect(prefix.body.hits).toHaveLength(1)
    expect((await getJson<{ hits: ArchiveHit[] }>('/api/archive?q=quixotry')).body.hits).toEqual([])
    // Any input is a safe query.
    for (const q of ['"unbalanced', 'AND OR NOT', '*', 'col:umn', '(((']) {
      expect((await getJson(`/api/archive?q=${encodeURIComponent(q)}`)).status, q).toBe(200)
    }
    expect((await getJson<{ hits: ArchiveHit[] }>('/api/archive?q=multiattach')).body.hits[0]!.session.id).toBe(ended.session.id)

    const all = await getJson<{ sessions: ArchiveSummary[] }>('/api/archive')
    expect(all.body.sessions.map((summary) => summary.session.id)).toContain(ended.session.id)
    expect(all.body.sessions.map((summary) => summary.session.id)).not.toContain(live.session.id)

    const owners = await getJson<{ owners: { owner: string | null; total: number; open: number }[] }>('/api/archive/actions')
    expect(owners.body.owners.find((entry) => entry.owner === 'grace')).toMatchObject({ total: 1 })
    const grace = await getJson<{ owner: string | null; actions: { text: string; session: { id: string } }[]; next: string | null }>('/api/archive/actions?owner=grace')
    expect(grace.body).toMatchObject({ owner: 'grace', next: null })
    expect(grace.body.actions[0]).toMatchObject({ session: { id: ended.session.id } })
  })

  it('exports live and archived pads in every format with the right headers', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url, { title: 'Nova: Cells v3 <plan>' })
    const client = await writer(session.id, 'Ada')
    appendBlock(client, 'paragraph', 'Exported <script>alert(1)</script> text')
    await waitFor(() => client.isSaved(), 3000, 'saved')
    const expected: Record<string, string> = { md: 'text/markdown', html: 'text/html', txt: 'text/plain', json: 'application/json' }
    for (const phase of ['live', 'ended']) {
      if (phase === 'ended') await act(server.url, session.id, 'end', moderatorKey)
      for (const [format, type] of Object.entries(expected)) {
        const res = await fetch(`${server.url}/api/sessions/${session.id}/export?format=${format}`)
        expect(res.status, `${phase} ${format}`).toBe(200)
        expect(res.headers.get('content-type')).toContain(type)
        expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="?nova-cells-v3-plan\\.${format}"?$`))
        const body = await res.text()
        expect(body).toContain('Exported')
        if (format === 'html') {
          expect(body).not.toContain('<script>')
          expect(body).toContain('&#60;script&#62;alert(1)')
        }
        if (format === 'json') expect(JSON.parse(body)).toMatchObject({ session: { id: session.id }, outcomes: { decisions: [] } })
        if (format === 'md') expect(body).toMatch(/^# Nova: Cells v3/)
      }
    }
    expect((await fetch(`${server.url}/api/sessions/${session.id}/export?format=pdf`)).status).toBe(400)
    expect((await fetch(`${server.url}/api/sessions/nosuchsession/export?format=md`)).status).toBe(404)
  })

  it('downloads the whole archive as a zip with every archived session and an index', async () => {
    const made = []
    for (const title of ['Zip one', 'Zip two']) {
      const created = await createSessionWithKeys(server.url, { title, track: 'Zips' })
      await act(server.url, created.session.id, 'end', created.moderatorKey)
      made.push(created.session.id)
    }
    const res = await fetch(`${server.url}/api/archive/export.zip`, { headers: organizerHeaders })
    expect(res.headers.get('content-type')).toBe('application/zip')
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()))
    const archived = (await getJson<{ sessions: ArchiveSummary[] }>('/api/archive')).body.sessions
    const names = Object.keys(files)
    expect(names).toContain('index.md')
    for (const summary of archived) {
      const file = names.find((name) => name.endsWith(`-${summary.session.id}.md`))
      expect(file, summary.session.title).toBeDefined()
      expect(strFromU8(files[file!]!).replace(/\\/g, '')).toContain(`# ${summary.session.title}`)
    }
    expect(names.filter((name) => name.endsWith('.md')).length).toBe(archived.length + 1)
    expect(strFromU8(files['index.md']!)).toContain('Zip two')
    expect(made).toHaveLength(2)
  })

  it('creates a session from a prepared agenda and refuses bad or oversized input', async () => {
    const res = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Imported', content: '- Welcome\n- Roadmap review\n- Open questions\n', contentFormat: 'markdown' }),
    })
    expect(res.status).toBe(201)
    const { session } = (await res.json()) as { session: { id: string } }
    const md = await (await fetch(`${server.url}/api/sessions/${session.id}/export?format=md`)).text()
    expect(md).toMatch(/1\. Welcome\n+\d\. Roadmap review\n+\d\. Open questions/)
    const client = await writer(session.id, 'Ada')
    expect(client.ydoc.getXmlFragment(padFragmentName).toString()).toContain('agenda_item')

    const tooBig = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Too big', content: 'x'.repeat(600 * 1024) }),
    })
    expect(tooBig.status).toBe(413)
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('payload_too_large')
    const binary = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Binary', content: 'abc\u0000def' }),
    })
    expect(binary.status).toBe(400)
  })

  it('ends and archives a session automatically a while after its slot', async () => {
    const start = new Date(Date.now() - 2 * 3600_000).toISOString()
    const { session } = await createSessionWithKeys(server.url, { title: 'Forgotten session', scheduledStart: start, durationMinutes: 40 })
    const recent = await createSessionWithKeys(server.url, { title: 'Running session', scheduledStart: new Date().toISOString() })
    // The job marks the session ended (writes stop) before it archives the frozen pad, so the
    // archive record appears a moment after the state flips: wait for the record, then check the
    // state. The long timeout only guards against a hang (a 1 s check on a loaded machine).
    await waitFor(async () => (await getJson(`/api/sessions/${session.id}/archive`)).status === 200, 30_000, 'automatic end and archive')
    expect((await getJson<{ session: { state: string } }>(`/api/sessions/${session.id}`)).body.session.state).toBe('ended')
    expect((await getJson<{ session: { state: string } }>(`/api/sessions/${recent.session.id}`)).body.session.state).toBe('scheduled')
  })

  it('deletes a session only with the moderator secret', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url, { access: 'key' })
    await act(server.url, session.id, 'end', moderatorKey)
    const del = (secret: string | null) => fetch(`${server.url}/api/sessions/${session.id}`, { method: 'DELETE', headers: secret ? { authorization: `Bearer ${secret}` } : {} })
    expect((await del(null)).status).toBe(401)
    expect((await del('wrongwrongwrongwrongwron')).status).toBe(401)
    expect((await del(moderatorKey)).status).toBe(204)
    expect((await getJson(`/api/sessions/${session.id}`)).status).toBe(404)
    expect((await getJson(`/api/sessions/${session.id}/archive`)).status).toBe(404)
    const all = await getJson<{ sessions: ArchiveSummary[] }>('/api/archive')
    expect(all.body.sessions.map((summary) => summary.session.id)).not.toContain(session.id)
  })
})
