/**
 * A summitpad page left open across an update that changed the schema: it may read the pad but
 * not write it, says "summitpad was updated: reload", keeps what its person typed, and the
 * reloaded page saves it.
 */
import type { Page, WebSocketRoute } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../shared/schema.ts'
import { createSessionWithKeys } from '../helpers/api.ts'
import { browserSuite, contextAs } from '../helpers/browser.ts'
import { connectPad, waitForSynced } from '../helpers/clients.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = browserSuite()
const ada = { name: 'Ada Lovelace', color: '#1565c0' }

/** Lets the test make this page's next WebSockets name another schema version (`window.schemaOverride`). */
async function allowSchemaOverride(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.WebSocket
    const state = window as unknown as { schemaOverride?: number }
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        const version = state.schemaOverride
        super(version === undefined ? url : String(url).replace(/schema=\d+/, `schema=${version}`), protocols)
      }
    }
  })
}

/** The pad text the server has, read by a separate client. */
async function serverPadText(sessionId: string): Promise<() => string> {
  const reader = connectPad(suite.server.wsUrl, sessionId)
  await waitForSynced(reader)
  return () => reader.ydoc.getXmlFragment('prosemirror').toString()
}

describe('a page older than the server', () => {
  it('reads but does not write, says "summitpad was updated: reload", keeps the unsaved text, and the reloaded page saves it', async () => {
    const { links, session } = await createSessionWithKeys(suite.server.url)
    const context = await contextAs(suite.browser, ada)
    const page = await context.newPage()
    await allowSchemaOverride(page)
    // The pad socket goes through the test: it can hold the page's frames back and drop the socket.
    let holdBack = false
    let current: WebSocketRoute | null = null
    await page.routeWebSocket(/\/sync\/[^/?]+(\?|$)/, (route) => {
      current = route
      const server = route.connectToServer()
      route.onMessage((message) => {
        if (!holdBack) server.send(message)
      })
    })
    const serverText = await serverPadText(session.id)
    try {
      await page.goto(`${suite.server.url}${links.attendee}`)
      await page.locator('.pad-editor').waitFor({ state: 'visible', timeout: 10_000 })
      await page.locator('.sync-indicator[data-state="connected"]').waitFor({ timeout: 10_000 })
      await page.locator('.pad-editor').click()
      await page.keyboard.press('Control+End')
      await page.keyboard.press('Enter')
      await page.keyboard.type('saved words')
      await waitFor(() => serverText().includes('saved words'), 5000, 'the first words on the server')

      // The network holds these back; meanwhile the server is "updated" under the page.
      holdBack = true
      await page.keyboard.type(' and unsaved words')
      await page.evaluate((version) => ((window as unknown as { schemaOverride?: number }).schemaOverride = version), SCHEMA_VERSION - 1)
      holdBack = false
      await current!.close({ code: 1001, reason: 'server going away' })

      await page.locator('.banner', { hasText: 'summitpad was updated: reload' }).waitFor({ timeout: 10_000 })
      await page.locator('.banner').getByRole('button', { name: 'Reload' }).waitFor()
      expect(await page.locator('.pad-editor').getAttribute('contenteditable')).toBe('false')
      expect(await page.locator('.pad-editor').textContent()).toContain('saved words and unsaved words')
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(serverText()).not.toContain('unsaved words')

      // The reloaded page (current summitpad) sends what was kept in this browser.
      await page.evaluate(() => delete (window as unknown as { schemaOverride?: number }).schemaOverride)
      await page.unrouteAll()
      const reloaded = await context.newPage()
      await reloaded.goto(`${suite.server.url}${links.attendee}`)
      await reloaded.locator('.sync-indicator[data-state="connected"]').waitFor({ timeout: 10_000 })
      await waitFor(() => serverText().includes('saved words and unsaved words'), 10_000, 'the kept words on the server')
    } finally {
      await context.close()
    }
  }, 60_000)
})
