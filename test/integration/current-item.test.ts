/**
 * Issue 19, bug 6: the agenda's Now mark and the session's current item agree after any change
 * of the pad — an item pasted with the mark, the mark cleared or set by an edit, a restore that
 * brings back a pad without the current item — and Start puts the room on the first open item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { controlMapName } from '../../shared/control-state.ts'
import { docToMarkdown } from '../../shared/export/markdown.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { agendaItems } from '../../server/sessions/agenda.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { agenda, doc, h2, item, p } from '../helpers/pm-builder.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
const clients: PadClient[] = []
beforeAll(async () => {
  server = await startServerProcess({ env: { REVISION_QUIET_MS: '300', REVISION_MAX_INTERVAL_MS: '5000' } })
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server?.dispose()
})

const prepared = docToMarkdown(
  doc(h2('Agenda'), agenda(item({ id: 'item-1', status: 'done' }, 'Intro'), item({ id: 'item-2' }, 'Budget'), item({ id: 'item-3' }, 'Wrap up')), h2('Notes'), p('kickoff')),
)

const marks = (client: PadClient) => Object.fromEntries(agendaItems(client.ydoc).map((element) => [element.getAttribute('id'), element.getAttribute('status')]))
const currentItem = async (id: string) => ((await (await fetch(`${server.url}/api/sessions/${id}`)).json()) as { session: { currentItem: string | null } }).session.currentItem
const setStatus = (client: PadClient, id: string, status: string) => {
  const element = agendaItems(client.ydoc).find((e) => e.getAttribute('id') === id)!
  element.setAttribute('status', status)
}

async function open(content = prepared) {
  const created = await createSessionWithKeys(server.url, { content })
  const pad = connectPad(server.wsUrl, created.session.id, { ack: true })
  const control = connectPad(server.wsUrl, `${created.session.id}/control`)
  clients.push(pad, control)
  await Promise.all([waitForSynced(pad), waitForSynced(control)])
  return { ...created, pad, control }
}

describe('the current agenda item', () => {
  it('starts on the first item that is not done, on the pad, the session and the control doc', async () => {
    const { session, moderatorKey, pad, control } = await open()
    const started = await act(server.url, session.id, 'start', moderatorKey)
    expect(started.body.session!.currentItem).toBe('item-2')
    await waitFor(() => marks(pad)['item-2'] === 'now', 3000, 'Budget marked now')
    expect(marks(pad)).toEqual({ 'item-1': 'done', 'item-2': 'now', 'item-3': 'pending' })
    await waitFor(() => control.ydoc.getMap(controlMapName).get('currentItem') === 'item-2', 3000, 'control names Budget')
    expect(typeof control.ydoc.getMap(controlMapName).get('currentSince')).toBe('number')
  })

  it('keeps one Now mark, the session’s, when an edit marks a second item (a pasted copy)', async () => {
    const { session, moderatorKey, pad } = await open()
    await act(server.url, session.id, 'start', moderatorKey)
    await waitFor(() => marks(pad)['item-2'] === 'now', 3000, 'Budget marked now')
    setStatus(pad, 'item-3', 'now')
    await waitFor(() => marks(pad)['item-3'] === 'pending', 3000, 'the second mark removed')
    expect(marks(pad)).toEqual({ 'item-1': 'done', 'item-2': 'now', 'item-3': 'pending' })
    expect(await currentItem(session.id)).toBe('item-2')
  })

  it('follows the pad when an edit clears the mark or moves it', async () => {
    const { session, moderatorKey, pad, control } = await open()
    await act(server.url, session.id, 'start', moderatorKey)
    await waitFor(() => marks(pad)['item-2'] === 'now', 3000, 'Budget marked now')
    // The moderator marks the current item Done in its status menu: nothing is current.
    setStatus(pad, 'item-2', 'done')
    await waitFor(async () => (await currentItem(session.id)) === null, 3000, 'no current item')
    await waitFor(() => control.ydoc.getMap(controlMapName).get('currentItem') === null, 3000, 'control names none')
    // An edit marks Wrap up: it is the session's current item.
    setStatus(pad, 'item-3', 'now')
    await waitFor(async () => (await currentItem(session.id)) === 'item-3', 3000, 'Wrap up current')
    await waitFor(() => control.ydoc.getMap(controlMapName).get('currentItem') === 'item-3', 3000, 'control names Wrap up')
    // The next step goes on from there.
    expect((await act(server.url, session.id, 'current', moderatorKey, { step: -1 })).body.session!.currentItem).toBe('item-2')
  })

  it('agrees with the pad after a restore to a revision without the current item', async () => {
    const { session, moderatorKey, pad } = await open()
    await act(server.url, session.id, 'start', moderatorKey)
    const revisions = async () => ((await (await fetch(`${server.url}/api/sessions/${session.id}/revisions`)).json()) as { revisions: { rev: number; reason: string }[] }).revisions
    await waitFor(async () => (await revisions()).some((r) => r.reason === 'start'), 3000, 'the start revision')
    const atStart = (await revisions()).find((r) => r.reason === 'start')!.rev
    // A fourth item, added after the start, becomes current.
    const list = pad.ydoc.getXmlFragment(padFragmentName).toArray().find((n) => n instanceof Y.XmlElement && n.nodeName === 'agenda_list') as Y.XmlElement
    const added = new Y.XmlElement('agenda_item')
    added.setAttribute('id', 'item-4')
    added.setAttribute('status', 'pending')
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('Late topic')])
    added.insert(0, [paragraph])
    list.push([added])
    await waitFor(() => pad.isSaved(), 3000, 'item-4 saved')
    expect((await act(server.url, session.id, 'current', moderatorKey, { itemId: 'item-4' })).status).toBe(200)
    const restored = await fetch(`${server.url}/api/sessions/${session.id}/restore`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${moderatorKey}` },
      body: JSON.stringify({ rev: atStart, by: 'Ada' }),
    })
    expect(restored.status).toBe(200)
    await waitFor(() => !('item-4' in marks(pad)), 3000, 'the restore reaches the pad')
    // The current item is gone from the pad: the session names none, and nothing is marked Now.
    await waitFor(async () => (await currentItem(session.id)) === null, 3000, 'the session names no current item')
    expect(Object.values(marks(pad))).not.toContain('now')
  })
})
