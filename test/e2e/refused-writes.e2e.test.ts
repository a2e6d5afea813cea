/**
 * Issue 16, part 2, in Chromium: an attendee's edits in flight when the moderator locks the pad
 * are refused; summitpad's page recovers by itself (drops its copy, loads the pad afresh under a
 * new Yjs client id), shows the refused text in a "Not saved" panel to copy, and after the
 * unlock the attendee's next edits reach everyone. The refused text is in no export or reload.
 */
import type { Page, WebSocketRoute } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { browserSuite, caretUnder, contextAs, openPad as openPadAt } from '../helpers/browser.ts'

const suite = browserSuite()

const ada = { name: 'Ada Lovelace', color: '#1565c0' }
const grace = { name: 'Grace Hopper', color: '#c62828' }

const openPad = (page: Page, id: string) => openPadAt(page, `${suite.server.url}/s/${id}`)


/**
 * Routes the page's pad socket (not control or chat) through the test: while `held`, what the
 * page sends waits here, as edits in flight on a slow network do; `release` delivers it.
 */
async function holdablePadSocket(page: Page) {
  let held = false
  const waiting: { server: WebSocketRoute; message: string | Buffer }[] = []
  await page.routeWebSocket(/\/sync\/[a-z0-9]+(\?|$)/, (socket) => {
    const server = socket.connectToServer()
    socket.onMessage((message) => {
      if (held) waiting.push({ server, message })
      else server.send(message)
    })
  })
  return {
    hold: () => {
      held = true
    },
    held: () => waiting.length,
    release: () => {
      held = false
      for (const { server, message } of waiting.splice(0)) server.send(message)
    },
  }
}

describe('a write refused while the pad is locked, in the browser', () => {
  it('is shown as not saved, never lands, and the page’s next edits flow within a second of the refusal', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    const a = await (await contextAs(suite.browser, ada)).newPage()
    const b = await (await contextAs(suite.browser, grace)).newPage()
    const socket = await holdablePadSocket(a)
    await Promise.all([openPad(a, session.id), openPad(b, session.id)])

    await caretUnder(a, 'Notes')
    await a.keyboard.type('saved before the lock')
    await b.locator('.pad-editor', { hasText: 'saved before the lock' }).waitFor({ timeout: 5000 })
    await a.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 5000 })

    socket.hold()
    await a.keyboard.type(' TYPED-AS-THE-LOCK-CAME')
    await expect.poll(() => socket.held(), { timeout: 3000 }).toBeGreaterThan(0)
    expect((await act(suite.server.url, session.id, 'lock', moderatorKey)).status).toBe(200)
    const released = Date.now()
    socket.release()

    const panel = a.locator('.unsaved-panel')
    await panel.waitFor({ state: 'visible', timeout: 10_000 })
    await a.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 10_000 })
    const recoveryMs = Date.now() - released
    console.log(`refusal to resynced page with the Not saved panel: ${recoveryMs} ms`)
    expect(await panel.locator('.unsaved-text').textContent()).toContain('TYPED-AS-THE-LOCK-CAME')
    expect(await a.locator('.pad-editor').textContent()).not.toContain('TYPED-AS-THE-LOCK-CAME')
    expect(await a.locator('.pad-editor').textContent()).toContain('saved before the lock')
    // The browser's offline copy that held the refused edit is gone; a new one holds the pad.
    const databases = await a.evaluate(async () => (await indexedDB.databases()).map((db) => db.name))
    expect(databases).not.toContain(`summitpad:${session.id}`)
    expect(databases).toContain(`summitpad:${session.id}:1`)

    expect((await act(suite.server.url, session.id, 'unlock', moderatorKey)).status).toBe(200)
    await a.locator('.pad-editor[contenteditable="true"]').waitFor({ timeout: 5000 })
    await caretUnder(a, 'Notes')
    await a.keyboard.type(' typed after the unlock')
    await b.locator('.pad-editor', { hasText: 'typed after the unlock' }).waitFor({ timeout: 5000 })
    await caretUnder(b, 'Goals')
    await b.keyboard.type('from grace after the unlock')
    await a.locator('.pad-editor', { hasText: 'from grace after the unlock' }).waitFor({ timeout: 5000 })

    await a.locator('.unsaved-panel button', { hasText: 'Dismiss' }).click()
    await a.reload()
    await a.locator('.pad-editor', { hasText: 'typed after the unlock' }).waitFor({ timeout: 10_000 })
    expect(await a.locator('.unsaved-panel').count()).toBe(0)
    expect(await a.locator('.pad-editor').textContent()).not.toContain('TYPED-AS-THE-LOCK-CAME')
    expect(await b.locator('.pad-editor').textContent()).not.toContain('TYPED-AS-THE-LOCK-CAME')
    const md = await (await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=md`)).text()
    expect(md).toContain('typed after the unlock')
    expect(md).not.toContain('TYPED-AS-THE-LOCK-CAME')
    await a.context().close()
    await b.context().close()
  })
  it('in flight when the session ends: shown as not saved, and in no export', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    const a = await (await contextAs(suite.browser, ada)).newPage()
    const socket = await holdablePadSocket(a)
    await openPad(a, session.id)
    await caretUnder(a, 'Notes')
    await a.keyboard.type('saved before the end')
    await a.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 5000 })

    socket.hold()
    await a.keyboard.type(' TYPED-AS-THE-SESSION-ENDED')
    await expect.poll(() => socket.held(), { timeout: 3000 }).toBeGreaterThan(0)
    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    socket.release()

    const panel = a.locator('.unsaved-panel')
    await panel.waitFor({ state: 'visible', timeout: 10_000 })
    expect(await panel.locator('.unsaved-text').textContent()).toContain('TYPED-AS-THE-SESSION-ENDED')
    expect(await a.locator('.pad-editor').textContent()).toContain('saved before the end')
    expect(await a.locator('.pad-editor').textContent()).not.toContain('TYPED-AS-THE-SESSION-ENDED')
    for (const path of [`/api/sessions/${session.id}/export?format=md`, `/api/sessions/${session.id}/archive`]) {
      const body = await (await fetch(`${suite.server.url}${path}`)).text()
      expect(body).toContain('saved before the end')
      expect(body).not.toContain('TYPED-AS-THE-SESSION-ENDED')
    }
    await a.context().close()
  })
})
