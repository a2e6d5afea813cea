/**
 * "My summit" (issue 20 part 4): `/api/me` lists the sessions a person took part in (by the
 * identity id their pad's authorship records) and the ones they added as listened, with
 * decisions and their own action items; the report as Markdown and HTML; the person key that
 * guards it; and the transfer code that carries an identity to another device once, until it
 * expires.
 */
import Database from 'better-sqlite3'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { MySummit } from '../../shared/my-summit.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { act, checkedFetch, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
const clients: PadClient[] = []
beforeAll(async () => {
  server = await startServerProcess()
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server?.dispose()
})

/** A pad client writing as `personId` (authorship mapping and name, as the browser records them). */
async function writerAs(sessionId: string, personId: string, name: string): Promise<PadClient> {
  const client = connectPad(server.wsUrl, sessionId, { ack: true })
  clients.push(client)
  await waitForSynced(client)
  new Y.PermanentUserData(client.ydoc).setUserMapping(client.ydoc, client.ydoc.clientID, personId)
  client.ydoc.getMap('authors').set(personId, { name, color: '#1565c0' })
  return client
}

function append(client: PadClient, type: string, text: string, attrs: Record<string, unknown> = {}): void {
  const element = new Y.XmlElement(type)
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value as string)
  element.insert(0, [new Y.XmlText(text)])
  client.ydoc.getXmlFragment(padFragmentName).push([element])
}

const person = () => `u-${Math.random().toString(36).slice(2, 12)}`
const personKey = () => `k${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`.slice(0, 30)
const bearer = (id: string, key: string) => ({ authorization: `Bearer ${id}.${key}` })
const me = (path: string, id: string, key: string, init: RequestInit = {}) =>
  checkedFetch(server.url, `${server.url}/api/me${path}`, { ...init, headers: { 'content-type': 'application/json', ...bearer(id, key), ...(init.headers as Record<string, string>) } })

describe('/api/me', () => {
  it('lists the sessions the person took part in and listened to, by track and day, with decisions and their own actions', async () => {
    const ada = person()
    const adaKey = personKey()
    const wrote = await createSessionWithKeys(server.url, { title: 'Cinder: backups', track: 'Storage', scheduledStart: '2030-11-24T09:00:00.000Z' })
    const heard = await createSessionWithKeys(server.url, { title: 'Keystone: federation', track: 'Identity', scheduledStart: '2030-11-25T14:00:00.000Z' })
    const writer = await writerAs(wrote.session.id, ada, 'Ada Lovelace')
    append(writer, 'decision', 'Backups go to object storage.')
    append(writer, 'action_item', '@ada writes the backup spec', { done: false })
    append(writer, 'action_item', '@grace tests restores', { done: false })
    await waitFor(() => writer.isSaved(), 3000, 'edits saved')
    expect((await act(server.url, wrote.session.id, 'end', wrote.moderatorKey)).status).toBe(200)

    expect((await me(`/listened/${heard.session.id}`, ada, adaKey, { method: 'PUT' })).status).toBe(204)
    const res = await me('?timeZone=Europe/Berlin', ada, adaKey)
    expect(res.status).toBe(200)
    const summit = (res.body as { summit: MySummit }).summit
    expect(summit.tracks.map((t) => [t.track, t.days.map((d) => d.day)])).toEqual([
      ['Identity', ['2030-11-25']],
      ['Storage', ['2030-11-24']],
    ])
    const storage = summit.tracks[1]!.days[0]!.sessions[0]!
    expect(storage).toMatchObject({ tookPart: true, listened: false, decisions: ['Backups go to object storage.'] })
    expect(storage.actions.map((a) => a.text)).toEqual(['@ada writes the backup spec'])
    expect(summit.tracks[0]!.days[0]!.sessions[0]).toMatchObject({ tookPart: false, listened: true, session: { id: heard.session.id, state: 'scheduled' } })

    const md = await me('/report?format=md&name=Ada%20Lovelace', ada, adaKey)
    expect(md.status).toBe(200)
    expect(md.text).toContain('# My summit: Ada Lovelace')
    expect(md.text).toContain(`#### [Cinder: backups](${server.url}/s/${wrote.session.id}/archive)`)
    expect(md.text).toContain('- [ ] @ada writes the backup spec')
    expect(md.text).not.toContain('@grace')
    const html = await me('/report?format=html', ada, adaKey)
    expect(html.text).toContain('<li>Backups go to object storage.</li>')

    expect((await me(`/listened/${heard.session.id}`, ada, adaKey, { method: 'DELETE' })).status).toBe(204)
    expect((await me(`/listened/${heard.session.id}`, ada, adaKey, { method: 'DELETE' })).status).toBe(404)
    const after = ((await me('', ada, adaKey)).body as { summit: MySummit }).summit
    expect(after.tracks.map((t) => t.track)).toEqual(['Storage'])
  })

  it('needs the person key: none is 401, another browser’s key is 403; bad input is 400 or 404', async () => {
    const id = person()
    const key = personKey()
    expect((await checkedFetch(server.url, `${server.url}/api/me`)).status).toBe(401)
    expect((await checkedFetch(server.url, `${server.url}/api/me`, { headers: { authorization: 'Bearer nodot' } })).status).toBe(401)
    expect((await me('', id, key)).status).toBe(200)
    expect((await me('', id, personKey())).status).toBe(403)
    expect((await me('?timeZone=Mars/Olympus', id, key)).status).toBe(400)
    expect((await me('?bogus=1', id, key)).status).toBe(400)
    expect((await me('/listened/no-such-session', id, key, { method: 'PUT' })).status).toBe(404)
    expect((await me('/report?format=pdf', id, key)).status).toBe(400)
  })

  it('a transfer code carries the identity to another browser once, and not after it expired', async () => {
    const id = person()
    const key = personKey()
    const made = await me('/transfer', id, key, { method: 'POST', body: JSON.stringify({ name: 'Grace Hopper', color: '#2e7d32' }) })
    expect(made.status).toBe(201)
    const { code, link } = made.body as { code: string; link: string }
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/)
    expect(link).toBe(`/me/claim#code=${code}`)
    const redeem = (value: string) =>
      checkedFetch(server.url, `${server.url}/api/me/transfer/redeem`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: value }) })
    const first = await redeem(code.toLowerCase().replace('-', ' '))
    expect(first.status).toBe(200)
    const { identity, personKey: newKey } = first.body as { identity: { id: string; name: string; color: string }; personKey: string }
    expect(identity).toEqual({ id, name: 'Grace Hopper', color: '#2e7d32' })
    expect((await me('', id, newKey)).status).toBe(200)
    expect((await me('', id, key)).status).toBe(200)
    expect((await redeem(code)).status).toBe(404)

    // Expiry: the stored row's time is moved into the past through the server's own database file.
    const later = await me('/transfer', id, key, { method: 'POST', body: JSON.stringify({ name: 'Grace Hopper', color: '#2e7d32' }) })
    const db = new Database(path.join(server.dataDir, 'summitpad.db'))
    try {
      expect(db.prepare('UPDATE identity_transfers SET expires_at = ? WHERE person_id = ?').run(new Date(Date.now() - 1000).toISOString(), id).changes).toBe(1)
      expect(db.prepare('SELECT count(*) AS n FROM identity_transfers WHERE code_hash LIKE ?').get(`%${(later.body as { code: string }).code}%`)).toEqual({ n: 0 })
    } finally {
      db.close()
    }
    expect((await redeem((later.body as { code: string }).code)).status).toBe(404)
    expect((await redeem('')).status).toBe(404)
    expect((await checkedFetch(server.url, `${server.url}/api/me/transfer/redeem`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":5}' })).status).toBe(400)
  })
})
