/** Keys stay secret: never in debug logs or exports, and a key of one session opens nothing in another. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/close-codes.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, rawClient, waitForSynced } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess, organizerHeaders } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess({ env: { LOG_LEVEL: 'debug' } })
})
afterAll(async () => {
  await server?.dispose()
})

describe('capability secrets', () => {
  it('never appear in debug logs or in any export after a whole session', async () => {
    const a = await createSessionWithKeys(server.url, { access: 'key', title: 'Secret check' })
    const secrets = [a.moderatorKey, a.editorKey!]
    const editor = connectPad(server.wsUrl, a.session.id, { ack: true, token: a.editorKey! })
    await waitForSynced(editor)
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('some notes')])
    editor.ydoc.getXmlFragment(padFragmentName).push([paragraph])
    await waitFor(() => editor.isSaved(), 3000, 'saved')
    for (const action of ['start', 'lock', 'unlock']) expect((await act(server.url, a.session.id, action, a.moderatorKey)).status).toBe(200)
    const bad = await rawClient(`${server.wsUrl}/${a.session.id}?token=${a.moderatorKey}x`)
    expect((await bad.closed).code).toBe(CloseCode.badToken)
    expect((await act(server.url, a.session.id, 'end', a.moderatorKey)).status).toBe(200)
    editor.destroy()

    const outputs: string[] = [JSON.stringify(server.logs)]
    for (const format of ['md', 'html', 'txt', 'json']) outputs.push(await (await fetch(`${server.url}/api/sessions/${a.session.id}/export?format=${format}`)).text())
    outputs.push(await (await fetch(`${server.url}/api/sessions/${a.session.id}/archive`)).text())
    outputs.push(await (await fetch(`${server.url}/api/archive/export.zip`, { headers: organizerHeaders })).text())
    expect(server.logs.length).toBeGreaterThan(3)
    for (const secret of secrets) for (const output of outputs) expect(output).not.toContain(secret)
  })

  it('a key of session A opens nothing in session B', async () => {
    const a = await createSessionWithKeys(server.url, { access: 'key' })
    const b = await createSessionWithKeys(server.url, { access: 'key' })
    for (const key of [a.moderatorKey, a.editorKey!]) {
      expect((await act(server.url, b.session.id, 'lock', key)).status).toBe(401)
      const view = await fetch(`${server.url}/api/sessions/${b.session.id}`, { headers: { authorization: `Bearer ${key}` } })
      expect(view.status).toBe(401)
      const raw = await rawClient(`${server.wsUrl}/${b.session.id}?token=${key}`)
      expect((await raw.closed).code).toBe(CloseCode.badToken)
    }
  })
})
