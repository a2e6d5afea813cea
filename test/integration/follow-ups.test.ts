/**
 * Follow-up sessions (issue 20 part 3): a session continuing an earlier one starts with the
 * earlier session's open action items, each linking back; linked at creation, by the moderator,
 * or by the schedule import's `follows` column; ticking a carried item done shows in
 * `/api/archive/actions` with the chain of sessions it passed through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Session } from '../../shared/api.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { act, checkedFetch, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { organizerHeaders, startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
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

async function pad(id: string): Promise<PadClient> {
  const client = connectPad(server.wsUrl, id, { ack: true })
  clients.push(client)
  await waitForSynced(client)
  return client
}

function append(client: PadClient, type: string, text: string, attrs: Record<string, unknown> = {}): void {
  const element = new Y.XmlElement(type)
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value as string)
  element.insert(0, [new Y.XmlText(text)])
  client.ydoc.getXmlFragment(padFragmentName).push([element])
}

/** The pad's task items: text (without the link back), checked, and the link's href. */
function taskItems(client: PadClient): { element: Y.XmlElement; text: string; checked: unknown; href: string | null }[] {
  const items: { element: Y.XmlElement; text: string; checked: unknown; href: string | null }[] = []
  const visit = (node: Y.XmlElement | Y.XmlFragment) => {
    for (const child of node.toArray()) {
      if (!(child instanceof Y.XmlElement)) continue
      if (child.nodeName === 'task_item') {
        let text = ''
        let href: string | null = null
        for (const paragraph of child.toArray()) {
          for (const part of (paragraph as Y.XmlElement).toArray()) {
            for (const op of (part as Y.XmlText).toDelta() as { insert: string; attributes?: { link?: { href: string } } }[]) {
              if (op.attributes?.link) href = op.attributes.link.href
              else text += op.insert
            }
          }
        }
        items.push({ element: child, text: text.trim(), checked: child.getAttribute('checked'), href })
      } else visit(child)
    }
  }
  visit(client.ydoc.getXmlFragment(padFragmentName))
  return items
}

/** A session with two open actions and a done one, ended (so archived). */
async function endedWithActions(title: string) {
  const created = await createSessionWithKeys(server.url, { title, track: 'Nova' })
  const writer = await pad(created.session.id)
  append(writer, 'action_item', '@ada writes the spec due 2026-12-01', { done: false })
  append(writer, 'action_item', '@grace reviews the API', { done: true })
  append(writer, 'action_item', '@linus benchmarks the scheduler', { done: false })
  await waitFor(() => writer.isSaved(), 3000, 'actions saved')
  expect((await act(server.url, created.session.id, 'end', created.moderatorKey)).status).toBe(200)
  return created
}

const put = (path: string, body: unknown, secret?: string | null, headers: Record<string, string> = {}) =>
  checkedFetch(server.url, `${server.url}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}), ...headers },
    body: JSON.stringify(body),
  })

describe('follow-up sessions', () => {
  it('a session created as a follow-up starts with the open actions, each linking back; re-linking adds none twice', async () => {
    const earlier = await endedWithActions('Nova: cells v2')
    const later = await createSessionWithKeys(server.url, { title: 'Nova: cells v2, part 2', track: 'Nova', follows: earlier.session.id })
    const reader = await pad(later.session.id)
    const items = taskItems(reader).filter((item) => item.href)
    expect(items.map((item) => [item.text, item.href, item.checked])).toEqual([
      ['@ada writes the spec due 2026-12-01', `/s/${earlier.session.id}/archive#action-0`, false],
      ['@linus benchmarks the scheduler', `/s/${earlier.session.id}/archive#action-2`, false],
    ])
    // Still in the Action items section, before the template's empty item.
    expect(taskItems(reader).at(-1)!.text).toBe('')

    const again = await put(`/api/sessions/${later.session.id}/follows`, { earlierId: earlier.session.id }, later.moderatorKey)
    expect(again.status).toBe(200)
    expect(again.body).toEqual({ follows: earlier.session.id, carried: 0 })
    const second = await pad(later.session.id)
    expect(taskItems(second).filter((item) => item.href)).toHaveLength(2)

    const around = await checkedFetch(server.url, `${server.url}/api/sessions/${later.session.id}/follows`)
    expect((around.body as { before: Session }).before.id).toBe(earlier.session.id)
    const after = await checkedFetch(server.url, `${server.url}/api/sessions/${earlier.session.id}/follows`)
    expect((after.body as { after: Session[] }).after.map((s) => s.id)).toEqual([later.session.id])
  })

  it('the moderator links an existing pad; ticking a carried item done marks it done in /archive/actions with its chain', async () => {
    const earlier = await endedWithActions('Neutron: OVN migration')
    const later = await createSessionWithKeys(server.url, { title: 'Neutron: OVN migration, follow-up', track: 'Nova' })
    const linked = await put(`/api/sessions/${later.session.id}/follows`, { earlierId: earlier.session.id }, later.moderatorKey)
    expect(linked.body).toEqual({ follows: earlier.session.id, carried: 2 })

    type Owners = { owners: { owner: string | null; total: number; open: number }[] }
    const countsOf = async (owner: string) => ((await checkedFetch(server.url, `${server.url}/api/archive/actions`)).body as Owners).owners.find((o) => o.owner === owner)
    const adaBefore = (await countsOf('ada'))!
    const writer = await pad(later.session.id)
    const ada = taskItems(writer).find((item) => item.text.startsWith('@ada'))!
    writer.ydoc.transact(() => ada.element.setAttribute('checked', true as unknown as string))
    await waitFor(() => writer.isSaved(), 3000, 'tick saved')

    type Page = { actions: { text: string; done: boolean; session: { id: string }; chain: { id: string }[] }[] }
    const actionsOf = async (owner: string) => ((await checkedFetch(server.url, `${server.url}/api/archive/actions?owner=${owner}&limit=200`)).body as Page).actions.filter((a) => a.chain[0]!.id === earlier.session.id)
    // While the follow-up runs: the latest state is the follow-up's.
    let ada1 = await actionsOf('ada')
    expect(ada1).toHaveLength(1)
    expect(ada1[0]).toMatchObject({ text: '@ada writes the spec due 2026-12-01', done: true, session: { id: later.session.id } })
    expect(ada1[0]!.chain.map((s) => s.id)).toEqual([earlier.session.id, later.session.id])
    const linus = await actionsOf('linus')
    expect(linus).toHaveLength(1)
    expect(linus[0]!.done).toBe(false)
    // The owners' counts take the follow-up's state too: still one item, no longer open.
    expect(await countsOf('ada')).toEqual({ owner: 'ada', total: adaBefore.total, open: adaBefore.open - 1 })

    // And once it has ended (archived): still one item, done, seen in both sessions.
    expect((await act(server.url, later.session.id, 'start', later.moderatorKey)).status).toBe(200)
    expect((await act(server.url, later.session.id, 'end', later.moderatorKey)).status).toBe(200)
    ada1 = await actionsOf('ada')
    expect(ada1).toHaveLength(1)
    expect(ada1[0]).toMatchObject({ done: true, session: { id: later.session.id } })
    expect(ada1[0]!.chain.map((s) => s.id)).toEqual([earlier.session.id, later.session.id])
  })

  it('only the moderator or an organizer links; a started session, itself, an unknown id and a loop are refused', async () => {
    const a = await createSessionWithKeys(server.url, { title: 'Link rules A' })
    const b = await createSessionWithKeys(server.url, { title: 'Link rules B' })
    const path = `/api/sessions/${b.session.id}/follows`
    expect((await put(path, { earlierId: a.session.id }, null)).status).toBe(401)
    const asAttendee = await put(path, { earlierId: a.session.id }, (await createSessionWithKeys(server.url, { title: 'x', access: 'key' })).editorKey)
    expect(asAttendee.status).toBe(401)
    expect((await put(path, { earlierId: 'no-such-session' }, b.moderatorKey)).status).toBe(404)
    expect((await put(path, { earlierId: b.session.id }, b.moderatorKey)).status).toBe(400)
    expect((await put(path, { bogus: 1 }, b.moderatorKey)).status).toBe(400)
    expect((await put(path, { earlierId: a.session.id }, null, organizerHeaders)).status).toBe(200)
    const audit = (await checkedFetch(server.url, `${server.url}/api/audit?limit=5`, { headers: organizerHeaders })).body as { entries: { action: string; target: string }[] }
    expect(audit.entries).toContainEqual(expect.objectContaining({ action: 'session.follows', target: b.session.id }))
    const loop = await put(`/api/sessions/${a.session.id}/follows`, { earlierId: b.session.id }, a.moderatorKey)
    expect(loop.status).toBe(409)
    expect((await act(server.url, b.session.id, 'start', b.moderatorKey)).status).toBe(200)
    const started = await put(path, { earlierId: a.session.id }, b.moderatorKey)
    expect(started.status).toBe(409)
    expect((await checkedFetch(server.url, `${server.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x', follows: 'nope-nope' }) })).status).toBe(400)
  })

  it('the schedule import links by title; the earlier session ending carries its open actions into the follow-up', async () => {
    const csv = [
      'title,track,start,duration,follows',
      'Glance: image import,Glance,2030-11-24 09:00,40,',
      'Glance: image import (2),Glance,2030-11-25 09:00,40,Glance: image import',
    ].join('\n')
    const res = await checkedFetch(server.url, `${server.url}/api/schedule/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...organizerHeaders },
      body: JSON.stringify({ event: 'Follow Summit', format: 'csv', content: csv }),
    })
    expect(res.status).toBe(201)
    const [first, second] = (res.body as { sessions: { id: string; links: { moderator: string } }[] }).sessions
    const around = await checkedFetch(server.url, `${server.url}/api/sessions/${second!.id}/follows`)
    expect((around.body as { before: Session }).before.id).toBe(first!.id)

    const writer = await pad(first!.id)
    append(writer, 'action_item', '@kim drafts the import spec', { done: false })
    await waitFor(() => writer.isSaved(), 3000, 'action saved')
    const key = /#key=(.+)$/.exec(first!.links.moderator)![1]!
    expect((await act(server.url, first!.id, 'end', key)).status).toBe(200)
    const reader = await pad(second!.id)
    await waitFor(() => taskItems(reader).some((item) => item.href === `/s/${first!.id}/archive#action-0`), 5000, 'carried into the follow-up')
    expect(taskItems(reader).find((item) => item.href)!.text).toBe('@kim drafts the import spec')

    // Re-importing the same file changes nothing and carries nothing twice.
    const again = await checkedFetch(server.url, `${server.url}/api/schedule/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...organizerHeaders },
      body: JSON.stringify({ event: 'Follow Summit', format: 'csv', content: csv }),
    })
    expect(again.status).toBe(200)
    const after = await pad(second!.id)
    expect(taskItems(after).filter((item) => item.href)).toHaveLength(1)
  })

  it('a later import of the same event names a session an earlier import made by its title', async () => {
    const importCsv = (content: string) =>
      checkedFetch(server.url, `${server.url}/api/schedule/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...organizerHeaders },
        body: JSON.stringify({ event: 'Two Files', format: 'csv', content }),
      })
    const first = await importCsv(['title,track,start,duration', 'Ironic: day one,Ironic,2030-11-24 09:00,40'].join('\n'))
    expect(first.status).toBe(201)
    const second = await importCsv(['title,track,start,duration,follows', 'Ironic: day two,Ironic,2030-11-25 09:00,40,ironic: DAY ONE'].join('\n'))
    expect(second.status).toBe(201)
    const [created] = (second.body as { sessions: { id: string }[] }).sessions
    const around = await checkedFetch(server.url, `${server.url}/api/sessions/${created!.id}/follows`)
    expect((around.body as { before: Session }).before.id).toBe((first.body as { sessions: { id: string }[] }).sessions[0]!.id)
  })

  it('a follows value naming nothing, or a loop, refuses the import with its lines', async () => {
    const csv = ['title,track,start,duration,follows', 'One,T,2030-11-24 09:00,40,Nowhere', 'Two,T,2030-11-24 10:00,40,Three', 'Three,T,2030-11-24 11:00,40,Two'].join('\n')
    const res = await checkedFetch(server.url, `${server.url}/api/schedule/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...organizerHeaders },
      body: JSON.stringify({ event: 'Bad Follows', format: 'csv', content: csv }),
    })
    expect(res.status).toBe(422)
    const problems = (res.body as { error: { details: { problems: { line: number; message: string }[] } } }).error.details.problems
    expect(problems.map((p) => p.line).sort()).toEqual([2, 3, 4])
    expect((await fetch(`${server.url}/api/sessions`).then((r) => r.json()) as { sessions: Session[] }).sessions.some((s) => s.title === 'One')).toBe(false)
  })
})
