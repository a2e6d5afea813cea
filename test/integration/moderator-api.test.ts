/** The moderator's actions over HTTP: each with the right secret, a wrong one (401), an attendee's (403). */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { padFragmentName } from '../../shared/schema.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { serverSuite } from '../helpers/server-suite.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = serverSuite()
const { clients } = suite

const agendaStatuses = (client: PadClient) => {
  const items: string[] = []
  for (const node of client.ydoc.getXmlFragment(padFragmentName).createTreeWalker((n) => n instanceof Y.XmlElement && n.nodeName === 'agenda_item')) {
    const element = node as Y.XmlElement
    items.push(`${element.getAttribute('id')}:${element.getAttribute('status') ?? 'pending'}`)
  }
  return items.join(' ')
}

/** Adds agenda items item-2 and item-3 after the template's item-1. */
function addAgendaItems(client: PadClient): void {
  let list: Y.XmlElement | null = null
  for (const node of client.ydoc.getXmlFragment(padFragmentName).createTreeWalker((n) => n instanceof Y.XmlElement && n.nodeName === 'agenda_list')) {
    list = node as Y.XmlElement
  }
  client.ydoc.transact(() => {
    for (const id of ['item-2', 'item-3']) {
      const item = new Y.XmlElement('agenda_item')
      item.setAttribute('id', id)
      item.setAttribute('status', 'pending')
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText(`Topic ${id}`)])
      item.insert(0, [paragraph])
      list!.push([item])
    }
  })
}

describe('moderator actions', () => {
  it('runs every action with the moderator secret and reflects it in the session and the pad', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { durationMinutes: 30 })
    const pad = connectPad(suite.server.wsUrl, session.id, { ack: true })
    clients.push(pad)
    await waitForSynced(pad)
    addAgendaItems(pad)
    await waitFor(() => pad.isSaved(), 3000, 'agenda items saved')

    const started = await act(suite.server.url, session.id, 'start', moderatorKey)
    expect(started.status).toBe(200)
    const live = started.body.session!
    expect(live).toMatchObject({ state: 'live', phase: 'live', role: 'moderator' })
    expect(Date.parse(live.endsAt!) - Date.parse(live.startedAt!)).toBe(30 * 60_000)

    const extended = await act(suite.server.url, session.id, 'extend', moderatorKey, { minutes: -25 })
    expect(extended.status).toBe(200)
    expect(Date.parse(extended.body.session!.endsAt!) - Date.parse(live.endsAt!)).toBe(-25 * 60_000)
    expect(extended.body.session!.phase).toBe('wrap-up')

    // Start made the first open item current (issue 19, bug 5: Start left "Now: —").
    expect(live.currentItem).toBe('item-1')
    await waitFor(() => agendaStatuses(pad) === 'item-1:now item-2:pending item-3:pending', 1000, 'item-1 current')
    expect((await act(suite.server.url, session.id, 'current', moderatorKey, { step: 1 })).body.session!.currentItem).toBe('item-2')
    await waitFor(() => agendaStatuses(pad) === 'item-1:done item-2:now item-3:pending', 1000, 'item-2 current, item-1 done')
    expect((await act(suite.server.url, session.id, 'current', moderatorKey, { itemId: 'item-3' })).status).toBe(200)
    await waitFor(() => agendaStatuses(pad) === 'item-1:done item-2:done item-3:now', 1000, 'item-3 current')
    expect((await act(suite.server.url, session.id, 'current', moderatorKey, { step: -1 })).status).toBe(200)
    await waitFor(() => agendaStatuses(pad) === 'item-1:done item-2:now item-3:pending', 1000, 'back to item-2')
    const missing = await act(suite.server.url, session.id, 'current', moderatorKey, { itemId: 'nope' })
    expect(missing.status).toBe(404)

    expect((await act(suite.server.url, session.id, 'lock', moderatorKey)).body.session!.locked).toBe(true)
    expect((await act(suite.server.url, session.id, 'unlock', moderatorKey)).body.session!.locked).toBe(false)
    const ended = await act(suite.server.url, session.id, 'end', moderatorKey)
    expect(ended.body.session).toMatchObject({ state: 'ended', phase: 'ended' })
    expect(ended.body.session!.endedAt).not.toBeNull()

    const again = await act(suite.server.url, session.id, 'start', moderatorKey)
    expect(again.status).toBe(409)
    expect(again.body.error!.code).toBe('conflict')
    const listed = (await (await fetch(`${suite.server.url}/api/sessions/${session.id}`)).json()) as { session: { state: string; role: string } }
    expect(listed.session).toMatchObject({ state: 'ended', role: 'editor' })
  })

  it('answers 401 without or with a wrong secret and 403 for an attendee secret, for every action', async () => {
    const { session, editorKey } = await createSessionWithKeys(suite.server.url, { access: 'key' })
    for (const action of ['start', 'extend', 'current', 'lock', 'unlock', 'end']) {
      const missing = await act(suite.server.url, session.id, action, null)
      expect(missing.status, `${action} without secret`).toBe(401)
      expect(missing.body.error!.code).toBe('unauthorized')
      const wrong = await act(suite.server.url, session.id, action, 'AAAAAAAAAAAAAAAAAAAAAAAA')
      expect(wrong.status, `${action} with a wrong secret`).toBe(401)
      const attendee = await act(suite.server.url, session.id, action, editorKey)
      expect(attendee.status, `${action} with the attendee secret`).toBe(403)
      expect(attendee.body.error!.message).toMatch(/only the moderator/)
    }
    const state = (await (await fetch(`${suite.server.url}/api/sessions/${session.id}`)).json()) as { session: { state: string; role: string } }
    expect(state.session).toMatchObject({ state: 'scheduled', role: 'viewer' })
  })

  it('validates action bodies and names', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    expect((await act(suite.server.url, session.id, 'extend', moderatorKey, { minutes: 5 })).status).toBe(409)
    await act(suite.server.url, session.id, 'start', moderatorKey)
    for (const body of [{}, { minutes: 0 }, { minutes: 'ten' }, { minutes: 1000 }]) {
      const res = await act(suite.server.url, session.id, 'extend', moderatorKey, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error!.code).toBe('invalid_body')
    }
    expect((await act(suite.server.url, session.id, 'current', moderatorKey, { step: 2 })).status).toBe(400)
    expect((await act(suite.server.url, session.id, 'dance', moderatorKey)).status).toBe(404)
    const malformed = await fetch(`${suite.server.url}/api/sessions/${session.id}/lock`, { method: 'POST', headers: { authorization: 'Token abc' } })
    expect(malformed.status).toBe(401)
  })

  it('returns three links whose secrets grant moderator and editor roles, and never stores them in clear', async () => {
    const { session, links, moderatorKey, editorKey } = await createSessionWithKeys(suite.server.url, { access: 'key' })
    expect(links.moderator).toBe(`/s/${session.id}#key=${moderatorKey}`)
    expect(links.attendee).toBe(`/s/${session.id}#key=${editorKey}`)
    expect(links.projector).toBe(`/s/${session.id}/projector#join=${editorKey}`)
    expect(Buffer.from(moderatorKey, 'base64url').length * 8).toBeGreaterThanOrEqual(128)
    const view = async (secret: string) =>
      ((await (await fetch(`${suite.server.url}/api/sessions/${session.id}`, { headers: { authorization: `Bearer ${secret}` } })).json()) as { session: { role: string } }).session.role
    expect(await view(moderatorKey)).toBe('moderator')
    expect(await view(editorKey!)).toBe('editor')
    const fs = await import('node:fs')
    const dbBytes = fs.readFileSync(`${suite.server.dataDir}/summitpad.db`).toString('latin1') + (fs.existsSync(`${suite.server.dataDir}/summitpad.db-wal`) ? fs.readFileSync(`${suite.server.dataDir}/summitpad.db-wal`).toString('latin1') : '')
    expect(dbBytes).not.toContain(moderatorKey)
    expect(dbBytes).not.toContain(editorKey!)
    const logged = JSON.stringify(suite.server.logs)
    expect(logged).not.toContain(moderatorKey)
  })
})
