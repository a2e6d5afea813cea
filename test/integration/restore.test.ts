/**
 * Issue 16, part 5: a restore is seen and can be undone. The restore first makes sure a revision
 * holds the pad as it was, tells every pad through the control doc who restored which revision
 * and how to undo it, and leaves the agenda's Done/Now marks as the session has them.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { docToMarkdown } from '../../shared/export/markdown.ts'
import { controlMapName } from '../../shared/control-state.ts'
import { readRestoreNotice, restoreNoticeKey } from '../../shared/restore-notice.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { agendaItems } from '../../server/sessions/agenda.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { serverSuite } from '../helpers/server-suite.ts'
import { agenda, doc, h2, item, p } from '../helpers/pm-builder.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = serverSuite({ env: { REVISION_QUIET_MS: '300', REVISION_MAX_INTERVAL_MS: '5000' } })
const { clients } = suite

const prepared = docToMarkdown(doc(h2('Agenda'), agenda(item({ id: 'item-1' }, 'Intro'), item({ id: 'item-2' }, 'Budget'), item({ id: 'item-3' }, 'Wrap up')), h2('Notes'), p('kickoff')))

function appendParagraph(client: PadClient, text: string): void {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  client.ydoc.getXmlFragment(padFragmentName).push([paragraph])
}

const marks = (client: PadClient) => Object.fromEntries(agendaItems(client.ydoc).map((element) => [element.getAttribute('id'), element.getAttribute('status')]))
const text = (client: PadClient) => client.ydoc.getXmlFragment(padFragmentName).toString()
const revisions = async (id: string) =>
  ((await (await fetch(`${suite.server.url}/api/sessions/${id}/revisions`)).json()) as { revisions: { rev: number; reason: string }[] }).revisions

function restore(id: string, secret: string, body: unknown): Promise<Response> {
  return fetch(`${suite.server.url}/api/sessions/${id}/restore`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify(body),
  })
}

describe('restoring a revision', () => {
  it('saves the pad as it was, tells every pad who restored what, keeps the agenda marks, and can be undone', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { content: prepared })
    await act(suite.server.url, session.id, 'start', moderatorKey)
    const ada = connectPad(suite.server.wsUrl, session.id, { ack: true })
    const control = connectPad(suite.server.wsUrl, `${session.id}/control`)
    clients.push(ada, control)
    await Promise.all([waitForSynced(ada), waitForSynced(control)])

    appendParagraph(ada, 'early notes')
    await waitFor(async () => (await revisions(session.id)).some((r) => r.reason === 'quiet'), 5000, 'a revision of the early notes')
    const early = (await revisions(session.id)).at(-1)!.rev
    // The session moves on: Intro done, Budget now; more notes that nobody has saved as a revision yet.
    await act(suite.server.url, session.id, 'current', moderatorKey, { itemId: 'item-1' })
    await act(suite.server.url, session.id, 'current', moderatorKey, { step: 1 })
    appendParagraph(ada, 'late notes')
    await waitFor(() => ada.isSaved(), 3000, 'late notes saved')
    await waitFor(() => marks(ada)['item-2'] === 'now', 3000, 'Budget is current')

    const restored = await restore(session.id, moderatorKey, { rev: early, by: 'Ada Moderator' })
    expect(restored.status).toBe(200)
    const { rev } = (await restored.json()) as { rev: number }
    await waitFor(() => !text(ada).includes('late notes'), 3000, 'the restore reaches the pad')
    expect(text(ada)).toContain('early notes')
    // The marks are the session's, not those of the restored revision (where nothing was done).
    expect(marks(ada)).toEqual({ 'item-1': 'done', 'item-2': 'now', 'item-3': 'pending' })

    await waitFor(() => control.ydoc.getMap(controlMapName).has(restoreNoticeKey), 3000, 'the notice reaches the control doc')
    const notice = readRestoreNotice(control.ydoc.getMap(controlMapName).get(restoreNoticeKey))
    expect(notice).toMatchObject({ rev, from: early, by: 'Ada Moderator', undoes: null })
    const list = await revisions(session.id)
    const before = list.find((r) => r.rev === notice!.before)!
    expect(before.reason).toBe('before restore')
    expect(await (await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=txt&rev=${before.rev}`)).text()).toContain('late notes')

    // One click: restore the revision saved just before.
    const undone = await restore(session.id, moderatorKey, { rev: notice!.before, by: 'Ada Moderator', undoes: rev })
    expect(undone.status).toBe(200)
    await waitFor(() => text(ada).includes('late notes'), 3000, 'the undo reaches the pad')
    expect(marks(ada)).toEqual({ 'item-1': 'done', 'item-2': 'now', 'item-3': 'pending' })
    await waitFor(() => readRestoreNotice(control.ydoc.getMap(controlMapName).get(restoreNoticeKey))?.undoes === rev, 3000, 'the undo notice')
  })

  it('refuses a body with unknown fields', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    expect((await restore(session.id, moderatorKey, { rev: 1, script: 'x' })).status).toBe(400)
  })
})
