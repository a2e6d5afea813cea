/**
 * The pad page retries every socket it holds (pad, control, chat) and shows "Reconnecting…" while
 * any of them is down: the chat socket closed by the server (1013) while the pad stays up comes
 * back by itself, and so do all three after the server is killed and restarted.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { chatArrayName } from '../../shared/chat.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { browserSuite, contextAs } from '../helpers/browser.ts'
import { connectPad, waitForSynced } from '../helpers/clients.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = browserSuite()

const ada = { name: 'Ada Lovelace', color: '#1565c0' }

/** Opens the pad, recording every state the sync indicator shows in `window.indicatorStates`. */
async function openRecorded(page: Page, url: string): Promise<void> {
  await page.addInitScript(() => {
    const states: string[] = []
    ;(window as unknown as { indicatorStates: string[] }).indicatorStates = states
    new MutationObserver((records) => {
      for (const record of records) {
        const state = (record.target as HTMLElement).dataset?.state
        if (record.target instanceof HTMLElement && record.target.classList.contains('sync-indicator') && state && states.at(-1) !== state) states.push(state)
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] })
  })
  await page.goto(url)
  await page.locator('.pad-editor').waitFor({ state: 'visible', timeout: 10_000 })
}

const indicatorStates = (page: Page) => page.evaluate(() => (window as unknown as { indicatorStates: string[] }).indicatorStates.slice())

/** Posts `text` in the page's chat and waits until a separate client of the server's chat doc has it. */
async function chatReachesServer(page: Page, sessionId: string, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Chat message' }).fill(text)
  await page.getByRole('textbox', { name: 'Chat message' }).press('Enter')
  const reader = connectPad(suite.server.wsUrl, `${sessionId}/chat`)
  try {
    await waitForSynced(reader, 15_000)
    await waitFor(() => JSON.stringify(reader.ydoc.getArray(chatArrayName).toJSON()).includes(text), 10_000, 'the chat message on the server')
  } finally {
    reader.destroy()
  }
}

describe('a page whose sockets drop', () => {
  it('shows "Reconnecting…" while only the chat socket is down, and retries it until it is back', async () => {
    const { links, session } = await createSessionWithKeys(suite.server.url)
    const context = await contextAs(suite.browser, ada)
    const page = await context.newPage()
    // The chat's first socket is closed "by the server" (1013, as a refusal asking for 2 s) 3 s
    // after it opened; the pad and control sockets are left alone.
    let chatSockets = 0
    const killed: Promise<void>[] = []
    await page.routeWebSocket(/\/sync\/[^/?]+\/chat/, (route) => {
      route.connectToServer()
      chatSockets += 1
      if (chatSockets === 1) killed.push(new Promise((resolve) => setTimeout(() => void route.close({ code: 1013, reason: 'rate limited; retry in 2 s' }).then(resolve), 3000)))
    })
    try {
      await openRecorded(page, `${suite.server.url}${links.attendee}`)
      await page.locator('.sync-indicator[data-state="connected"]').waitFor({ timeout: 15_000 })
      await waitFor(() => killed.length === 1, 5000, 'the chat socket opened')
      await killed[0]
      await page.locator('.sync-indicator[data-state="reconnecting"]').waitFor({ timeout: 2000 })
      expect(await page.locator('.sync-indicator').textContent()).toMatch(/Reconnecting/)
      await page.locator('.sync-indicator[data-state="connected"]').waitFor({ timeout: 15_000 })
      expect(chatSockets).toBe(2)
      // Every socket is back: the chat (the one closed) reaches the server.
      await chatReachesServer(page, session.id, 'back after a close')
    } finally {
      await context.close()
    }
  }, 60_000)

  it('shows "Reconnecting…" while the server is down and brings pad, control and chat back after it restarts', async () => {
    const { links, session, moderatorKey } = await createSessionWithKeys(suite.server.url)
    const context = await contextAs(suite.browser, ada)
    const page = await context.newPage()
    try {
      await openRecorded(page, `${suite.server.url}${links.moderator}`)
      await page.locator('.sync-indicator[data-state="connected"]').waitFor({ timeout: 15_000 })
      await suite.server.restart()
      await waitFor(async () => (await indicatorStates(page)).lastIndexOf('reconnecting') > (await indicatorStates(page)).indexOf('connected'), 10_000, 'reconnecting shown')
      await page.locator('.sync-indicator[data-state="connected"]').waitFor({ timeout: 30_000 })
      // The pad: a paragraph typed now reaches the server.
      await page.locator('.pad-editor').click()
      await page.keyboard.press('Control+End')
      await page.keyboard.press('Enter')
      await page.keyboard.type('typed after the restart')
      const reader = connectPad(suite.server.wsUrl, session.id, { token: moderatorKey })
      try {
        await waitForSynced(reader, 15_000)
        await waitFor(() => reader.ydoc.getXmlFragment('prosemirror').toString().includes('typed after the restart'), 10_000, 'the pad edit on the server')
      } finally {
        reader.destroy()
      }
      // The chat and the control doc: a message, and the moderator's lock reaching the page.
      await chatReachesServer(page, session.id, 'chat after the restart')
      expect((await act(suite.server.url, session.id, 'lock', moderatorKey)).status).toBe(200)
      await page.getByRole('button', { name: 'Unlock' }).waitFor({ timeout: 10_000 })
    } finally {
      await context.close()
    }
  }, 90_000)
})

