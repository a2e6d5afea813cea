/**
 * The chat beside the pad in a browser: two people chat; a hostile message shows as text with one
 * working link and no script; the panel folds away and stays folded; a locked pad still chats,
 * a viewer and an ended session cannot post; the projector shows the chat only once the
 * moderator turns it on.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createSessionWithKeys } from '../helpers/api.ts'
import { artifactPath, browserSuite, contextAs, openPad as openPadAt } from '../helpers/browser.ts'

const suite = browserSuite()

const ada = { name: 'Ada Lovelace', color: '#1565c0' }
const grace = { name: 'Grace Hopper', color: '#c62828' }
const hostile = '<script>alert(1)</script> and https://example.org'

async function openPad(page: Page, url: string): Promise<void> {
  await openPadAt(page, url)
  await page.locator('.chat-panel').waitFor()
}

const chatInput = (page: Page) => page.getByRole('textbox', { name: 'Chat message' })
const chatItems = (page: Page) => page.locator('.chat-panel .chat-message')

describe('the chat beside the pad', () => {
  it('lets two people chat, renders links safely, folds away, and shows on the projector when the moderator says so', async () => {
    const { session, links } = await createSessionWithKeys(suite.server.url, { title: 'Neutron: OVN migration', track: 'Networking', room: 'Room 105' })
    const modContext = await contextAs(suite.browser, ada)
    const attContext = await contextAs(suite.browser, grace)
    const mod = await modContext.newPage()
    const att = await attContext.newPage()
    const dialogs: string[] = []
    // An alert would mean the script ran; the End confirmation is answered below.
    for (const page of [mod, att]) {
      page.on('dialog', (dialog) => {
        if (dialog.type() !== 'confirm') (dialogs.push(dialog.message()), void dialog.dismiss())
      })
    }
    await openPad(mod, `${suite.server.url}${links.moderator}`)
    await openPad(att, `${suite.server.url}${links.attendee}`)
    expect(await mod.getByRole('button', { name: 'Chat', exact: true }).getAttribute('aria-expanded')).toBe('true')
    await mod.locator('.chat-empty', { hasText: 'No messages yet.' }).waitFor()

    // Enter sends; the message reaches the other page with the author's name, colour and time.
    await chatInput(att).fill('Can we start with the migration plan?')
    await chatInput(att).press('Enter')
    expect(await chatInput(att).inputValue()).toBe('')
    const first = chatItems(mod).filter({ hasText: 'Can we start with the migration plan?' })
    await first.waitFor({ timeout: 2000 })
    expect(await first.locator('.chat-name').textContent()).toBe('Grace Hopper')
    expect(await first.locator('.chat-time').textContent()).toMatch(/^\d{2}:\d{2}$/)
    expect(await first.locator('.dot').evaluate((dot) => getComputedStyle(dot).backgroundColor)).toBe('rgb(198, 40, 40)')
    expect(await chatItems(att).first().getAttribute('data-own')).toBe('true')

    // A hostile message is text: no script element, no alert, one link that opens in a new tab.
    await chatInput(mod).fill(hostile)
    await mod.getByRole('button', { name: 'Send' }).click()
    const evil = chatItems(att).filter({ hasText: 'and https://example.org' })
    await evil.waitFor({ timeout: 2000 })
    expect(await evil.locator('.chat-text').textContent()).toBe(hostile)
    expect(await att.locator('.chat-panel script').count()).toBe(0)
    expect(await att.evaluate(() => document.querySelectorAll('script:not([src])').length)).toBe(0)
    const link = evil.locator('a')
    expect(await link.count()).toBe(1)
    expect(await link.getAttribute('href')).toBe('https://example.org')
    expect(await link.getAttribute('target')).toBe('_blank')
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer nofollow')
    await attContext.route('https://example.org/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>Example</title><p>example page</p>' }))
    const [popup] = await Promise.all([attContext.waitForEvent('page'), link.click()])
    await popup.waitForLoadState()
    expect(popup.url()).toBe('https://example.org/')
    expect(await popup.locator('p').textContent()).toBe('example page')
    await popup.close()
    expect(dialogs).toEqual([])
    await att.screenshot({ path: artifactPath('chat.png') })

    // The list keeps the newest message in view.
    for (let i = 1; i <= 14; i++) {
      await chatInput(att).fill(`Message number ${i}`)
      await chatInput(att).press('Enter')
    }
    const newest = chatItems(mod).filter({ hasText: 'Message number 14' })
    await newest.waitFor({ timeout: 2000 })
    const list = mod.locator('.chat-panel .chat-messages')
    await expect.poll(() => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight), { timeout: 2000 }).toBeLessThan(2)
    expect(await list.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true)
    await mod.screenshot({ path: artifactPath('chat-scrolled.png') })

    // A locked pad still chats.
    await mod.getByRole('button', { name: 'Lock', exact: true }).click()
    await att.locator('.banner', { hasText: 'locked' }).waitFor({ timeout: 2000 })
    expect(await chatInput(att).isEnabled()).toBe(true)
    await chatInput(att).fill('Still chatting while locked')
    await chatInput(att).press('Enter')
    await chatItems(mod).filter({ hasText: 'Still chatting while locked' }).waitFor({ timeout: 2000 })

    // Folding the panel is remembered.
    const toggle = att.getByRole('button', { name: 'Chat', exact: true })
    await toggle.click()
    expect(await toggle.getAttribute('aria-expanded')).toBe('false')
    expect(await chatInput(att).isVisible()).toBe(false)
    await att.reload()
    await att.locator('.chat-panel').waitFor()
    expect(await att.getByRole('button', { name: 'Chat', exact: true }).getAttribute('aria-expanded')).toBe('false')
    await att.getByRole('button', { name: 'Chat', exact: true }).click()
    await chatItems(att).filter({ hasText: 'Still chatting while locked' }).waitFor()
    expect(await chatInput(att).isVisible()).toBe(true)

    // The projector shows no chat until the moderator turns it on, then the latest messages.
    const projContext = await suite.browser.newContext({ viewport: { width: 1920, height: 1080 } })
    const proj = await projContext.newPage()
    await proj.goto(`${suite.server.url}${links.projector}`)
    await proj.locator('.projector-editor').waitFor()
    await proj.waitForTimeout(500)
    expect(await proj.locator('.projector-chat').isVisible()).toBe(false)
    const projectorToggle = mod.getByRole('button', { name: 'Chat on projector' })
    expect(await projectorToggle.getAttribute('aria-pressed')).toBe('false')
    await projectorToggle.click()
    await proj.locator('.projector-chat').waitFor({ state: 'visible', timeout: 2000 })
    await proj.locator('.projector-chat .chat-message', { hasText: 'Still chatting while locked' }).waitFor({ timeout: 2000 })
    expect(await proj.locator('.projector-chat .chat-message').count()).toBe(8)
    expect(await projectorToggle.getAttribute('aria-pressed')).toBe('true')
    const textSize = await proj.locator('.projector-chat .chat-text').last().evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize))
    expect(textSize).toBeGreaterThanOrEqual(24)
    await proj.screenshot({ path: artifactPath('chat-projector.png') })
    await projectorToggle.click()
    await proj.locator('.projector-chat').waitFor({ state: 'hidden', timeout: 2000 })

    // Once ended, nobody posts: the form is disabled with the reason.
    mod.once('dialog', (dialog) => void dialog.accept())
    await mod.getByRole('button', { name: 'End', exact: true }).click()
    for (const page of [mod, att]) {
      // Ending archives the pad first, in a worker that may start cold (seconds on a busy
      // machine): Playwright's default timeout only guards against a hang here.
      await page.locator('.chat-reason', { hasText: 'ended' }).waitFor()
      expect(await chatInput(page).isDisabled()).toBe(true)
      expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true)
    }

    // The archive page shows the transcript, safely.
    await att.goto(`${suite.server.url}/s/${session.id}/archive`)
    const transcript = att.locator('.chat-transcript')
    await transcript.waitFor()
    expect(await transcript.locator('.chat-message').count()).toBe(17)
    expect(await transcript.locator('script').count()).toBe(0)
    expect(await transcript.locator('a[href="https://example.org"]').count()).toBe(1)
    await att.screenshot({ path: artifactPath('chat-archive.png'), fullPage: true })
    await modContext.close()
    await attContext.close()
    await projContext.close()
  })

  it('shows a viewer the messages with the form disabled', async () => {
    const { session, editorKey } = await createSessionWithKeys(suite.server.url, { access: 'key' })
    const editorContext = await contextAs(suite.browser, ada)
    const viewerContext = await contextAs(suite.browser, grace)
    const editor = await editorContext.newPage()
    const viewer = await viewerContext.newPage()
    await openPad(editor, `${suite.server.url}/s/${session.id}#key=${editorKey}`)
    await openPad(viewer, `${suite.server.url}/s/${session.id}`)
    await chatInput(editor).fill('Hello from an editor')
    await chatInput(editor).press('Enter')
    await chatItems(viewer).filter({ hasText: 'Hello from an editor' }).waitFor({ timeout: 2000 })
    expect(await chatInput(viewer).isDisabled()).toBe(true)
    expect(await viewer.locator('.chat-reason').textContent()).toMatch(/read-only/i)
    await editorContext.close()
    await viewerContext.close()
  })
})
