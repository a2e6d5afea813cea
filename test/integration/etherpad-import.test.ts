/**
 * Etherpad import end to end, against a real server process: `POST /api/sessions/etherpad` with
 * the fixtures, then the pad and chat as stock y-websocket clients receive them (content, authors
 * with names and colours, who wrote what, chat with authors and times); an editor keeps writing
 * the imported pad; hostile files are refused with 4xx and create nothing; the schedule import's
 * etherpad column; the CLI commands.
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import * as Y from 'yjs'
import type { EtherpadImportSummary, Session, SessionLinks } from '../../shared/api.ts'
import { toChatMessages } from '../../shared/chat.ts'
import { padFragmentName, schema } from '../../shared/schema.ts'
import { clientOwners, describeAuthors } from '../../server/history/authors.ts'
import { checkedFetch } from '../helpers/api.ts'
import { buildEtherpadFile } from '../helpers/etherpad-builder.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { organizerHeaders, organizerToken, startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const root = path.resolve(import.meta.dirname, '../..')
const fixturePath = (name: string) => path.join(root, 'test/fixtures/etherpad', name)
const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8')

let server: ServerProcess
const clients: PadClient[] = []

beforeAll(async () => {
  server = await startServerProcess()
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server?.dispose()
})

interface Imported {
  session: Session
  links: SessionLinks
  imported: EtherpadImportSummary
}

async function importPad(body: string, query: Record<string, string>, contentType = 'application/json') {
  return checkedFetch(server.url, `${server.url}/api/sessions/etherpad?${new URLSearchParams(query)}`, { method: 'POST', headers: { 'content-type': contentType }, body })
}

async function open(room: string): Promise<PadClient> {
  const client = connectPad(server.wsUrl, room, { ack: true })
  clients.push(client)
  await waitForSynced(client)
  return client
}

async function sessionCount(): Promise<number> {
  const res = await fetch(`${server.url}/api/sessions`)
  return ((await res.json()) as { sessions: unknown[] }).sessions.length
}

describe('POST /api/sessions/etherpad', () => {
  it('creates a session whose pad is the pad’s last revision, with its authors, their colours and its chat', async () => {
    const res = await importPad(fixture('summit.etherpad'), { title: 'Nova cells v2', track: 'Nova', room: 'Room 101' })
    expect(res.status, res.text).toBe(201)
    const { session, imported } = res.body as Imported
    expect(session).toMatchObject({ title: 'Nova cells v2', track: 'Nova', room: 'Room 101', state: 'scheduled' })
    expect(imported).toEqual({ format: 'etherpad', lines: 14, authors: 3, chatMessages: 3 })

    const pad = await open(session.id)
    const doc = schema.nodeFromJSON(yXmlFragmentToProsemirrorJSON(pad.ydoc.getXmlFragment(padFragmentName)))
    expect(doc.child(0).type.name).toBe('heading')
    expect(doc.child(0).textContent).toBe('Nova: cells v2 design session')
    expect(doc.textContent).toContain('online data migrations')
    const owners = clientOwners(pad.ydoc)
    expect(describeAuthors(pad.ydoc, new Set(owners.values()))).toEqual([
      { id: 'etherpad-a_7nP0v1kQmXb2Y3cZ', name: 'Thierry', color: '#109393' },
      { id: 'etherpad-a_Q2r9sTuV8wX1yZ0a', name: 'Ildikó', color: '#ae1387' },
      { id: 'etherpad-a_L5kJ3hG7fD2sA9pO', name: 'Unnamed author 3', color: '#133bae' },
    ])
    // "to keep the API stable" was written by Ildikó: its characters are on her client.
    const notes = pad.ydoc.getXmlFragment(padFragmentName).toArray().find((block) => block.toString().includes('We agreed')) as Y.XmlElement
    const text = notes.get(0) as Y.XmlText
    let item = (text as unknown as { _start: Y.Item | null })._start
    const runs: [string, string | undefined][] = []
    for (; item; item = item.right) if (item.content instanceof Y.ContentString) runs.push([item.content.str, owners.get(item.id.client)])
    expect(runs).toEqual([
      ['We agreed ', 'etherpad-a_7nP0v1kQmXb2Y3cZ'],
      ['to keep the API stable', 'etherpad-a_Q2r9sTuV8wX1yZ0a'],
      [' for two releases.', 'etherpad-a_L5kJ3hG7fD2sA9pO'],
    ])

    // The history's first revision is the import, by its three authors.
    const revisions = (await (await fetch(`${server.url}/api/sessions/${session.id}/revisions`)).json()) as { revisions: { rev: number; reason: string; authors: { name: string }[] }[] }
    expect(revisions.revisions[0]).toMatchObject({ rev: 1, reason: 'seed' })
    expect(revisions.revisions[0]!.authors.map((author) => author.name)).toEqual(['Thierry', 'Ildikó', 'Unnamed author 3'])

    const chat = await open(`${session.id}/chat`)
    const messages = toChatMessages(chat.ydoc.getArray('messages').toArray())
    expect(messages.map((m) => [m.name, m.color, m.text, m.time])).toEqual([
      ['Thierry', '#109393', 'Starting in two minutes', 1_400_000_100_000],
      ['Ildikó', '#ae1387', 'Can someone link the spec? https://review.openstack.org/', 1_400_000_160_000],
      ['Unnamed author 3', '#133bae', 'Done, see the notes', 1_400_000_220_000],
    ])

    // The imported pad is an ordinary pad: an editor's edit is stored and reaches a new client.
    pad.ydoc.transact(() => text.insert(text.length, ' Agreed by all.'))
    await waitFor(() => pad.isSaved(), 5000, 'the edit to be stored')
    const later = await open(session.id)
    expect(later.ydoc.getXmlFragment(padFragmentName).toString()).toContain('for two releases. Agreed by all.')
  })

  it('imports the HTML export (format guessed) and the text export, and keeps the script out', async () => {
    const html = await importPad(fixture('summit.html'), { title: 'From HTML' }, 'text/html')
    expect(html.status, html.text).toBe(201)
    expect((html.body as Imported).imported).toEqual({ format: 'html', lines: 15, authors: 0, chatMessages: 0 })
    const pad = await open((html.body as Imported).session.id)
    const xml = pad.ydoc.getXmlFragment(padFragmentName).toString()
    expect(xml).toContain('nova-specs review')
    expect(xml).not.toMatch(/should never reach|javascript:|onerror/)

    const text = await importPad(fixture('summit.txt'), { title: 'From text', format: 'text', timeZone: 'Asia/Hong_Kong' }, 'text/plain')
    expect(text.status, text.text).toBe(201)
    expect((text.body as Imported).imported.format).toBe('text')
    // The session's fields are those of POST /api/sessions, its time zone too (issue 19).
    expect((text.body as Imported).session.timeZone).toBe('Asia/Hong_Kong')
    expect((await importPad(fixture('summit.txt'), { title: 'Bad zone', timeZone: 'Not/AZone' }, 'text/plain')).status).toBe(400)
  })

  it('refuses hostile and broken files with a 4xx and a code, and creates nothing', async () => {
    const before = await sessionCount()
    const expectRefusal = async (body: string, query: Record<string, string>, status: number, code: string) => {
      const res = await importPad(body, query)
      expect(res.status, res.text).toBe(status)
      expect((res.body as { error: { code: string } }).error.code).toBe(code)
    }
    await expectRefusal('{"not": "a pad"}', { title: 'x', format: 'etherpad' }, 400, 'invalid_body')
    await expectRefusal('{"pad:p": {"atext": {"text": "ab\\n", "attribs": "*9+2|1+1"}, "pool": {"numToAttrib": {}}}}', { title: 'x' }, 400, 'invalid_body')
    const million = JSON.stringify({ 'pad:p': { atext: { text: '\n'.repeat(1_000_000), attribs: '|lfls+lfls' }, pool: { numToAttrib: {} } } })
    await expectRefusal(million, { title: 'x' }, 422, 'too_complex')
    await expectRefusal(fixture('summit.etherpad'), {}, 400, 'invalid_body')
    await expectRefusal(fixture('summit.etherpad'), { title: 'x', durationMinutes: '1' }, 400, 'invalid_body')
    await expectRefusal('', { title: 'x' }, 400, 'invalid_body')
    await expectRefusal('x'.repeat(16 * 1024 * 1024 + 10), { title: 'x' }, 413, 'payload_too_large')
    expect(await sessionCount()).toBe(before)
    // The server is still up and imports the next good file.
    const res = await importPad(JSON.stringify(buildEtherpadFile({ padId: 'ok', lines: [{ spans: [{ text: 'still fine' }] }], authors: {} })), { title: 'after' })
    expect(res.status, res.text).toBe(201)
  })
})

describe('the schedule import’s etherpad column', () => {
  const csv = (pad: string) => `title,track,room,start,duration,etherpad\nCells v2,Nova,Room 1,2027-05-10 10:00,40,${pad}\nPlain,Nova,Room 2,2027-05-10 11:00,40,\n`
  const importSchedule = (event: string, content: string, etherpadFiles: Record<string, string>, dryRun = false) =>
    checkedFetch(server.url, `${server.url}/api/schedule/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...organizerHeaders },
      body: JSON.stringify({ event, format: 'csv', content, etherpadFiles, dryRun }),
    })

  it('starts the named session from the uploaded pad, with its authors and chat, and the others from the template', async () => {
    const res = await importSchedule('Pads 2027', csv('nova.etherpad'), { 'nova.etherpad': fixture('summit.etherpad') })
    expect(res.status, res.text).toBe(201)
    const [cells, plain] = (res.body as { sessions: { id: string; title: string; outcome: string }[] }).sessions
    expect([cells!.outcome, plain!.outcome]).toEqual(['created', 'created'])
    const pad = await open(cells!.id)
    expect(pad.ydoc.getXmlFragment(padFragmentName).toString()).toContain('Nova: cells v2 design session')
    expect(new Set(clientOwners(pad.ydoc).values()).size).toBe(3)
    const chat = await open(`${cells!.id}/chat`)
    expect(toChatMessages(chat.ydoc.getArray('messages').toArray())).toHaveLength(3)
    const template = await open(plain!.id)
    expect(template.ydoc.getXmlFragment(padFragmentName).toString()).toContain('Agenda')
    expect(template.ydoc.getXmlFragment(padFragmentName).toString()).not.toContain('cells v2 design')
  })

  it('refuses, dry run or not, a schedule naming a missing or unreadable file, with its line, creating nothing', async () => {
    const before = await sessionCount()
    const missing = await importSchedule('Pads missing', csv('missing.etherpad'), {}, true)
    expect(missing.status, missing.text).toBe(422)
    expect(missing.body).toMatchObject({ error: { code: 'unprocessable', details: { problems: [{ line: 2, message: expect.stringMatching(/missing\.etherpad" was not uploaded/) }] } } })
    const broken = await importSchedule('Pads broken', csv('broken.etherpad'), { 'broken.etherpad': '{"pad:x": {}}' })
    expect(broken.status, broken.text).toBe(422)
    expect(broken.body).toMatchObject({ error: { details: { problems: [{ line: 2, message: expect.stringMatching(/broken\.etherpad" cannot be imported: not a readable \.etherpad file/) }] } } })
    expect(await sessionCount()).toBe(before)
  })
})

/** Runs `summitpad ...args` from the sources against the test server. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', ...args, '--url', server.url], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('the command line', () => {
  it('import-etherpad creates a session from an .etherpad file and prints what it imported', async () => {
    const run = await cli(['import-etherpad', fixturePath('summit.etherpad'), '--title', 'Imported by CLI', '--track', 'Nova'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^created [a-z0-9]+ "Imported by CLI" from etherpad: 14 lines, 3 authors, 3 chat messages$/m)
    const id = /^created ([a-z0-9]+)/m.exec(run.stdout)![1]!
    const pad = await open(id)
    expect(pad.ydoc.getXmlFragment(padFragmentName).toString()).toContain('Nova: cells v2 design session')
  })

  it('import-schedule --etherpad uploads the pads the CSV names', async () => {
    const csvFile = path.join(server.dataDir, 'pads.csv')
    writeFileSync(csvFile, 'title,track,room,start,duration,etherpad\nFrom the CLI,Nova,Room 3,2027-05-11 10:00,40,summit.etherpad\n')
    const run = await cli(['import-schedule', csvFile, '--event', 'CLI pads', '--etherpad', fixturePath('summit.etherpad'), '--json', '--token', organizerToken])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const id = (JSON.parse(run.stdout) as { sessions: { id: string }[] }).sessions[0]!.id
    const pad = await open(id)
    expect(pad.ydoc.getXmlFragment(padFragmentName).toString()).toContain('Nova: cells v2 design session')
  })
})
