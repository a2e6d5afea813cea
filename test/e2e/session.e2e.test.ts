/**
 * Running a session in the browser: the moderator starts it and moves through the agenda; the
 * projector (1920x1080 and 1280x720) follows with the item highlighted, a running countdown, the
 * QR code and type large enough for the back of the room; a locked or ended pad is read-only.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createSessionWithKeys } from '../helpers/api.ts'
import { artifactPath, browserSuite, contextAs } from '../helpers/browser.ts'

const suite = browserSuite()

const moderator = { name: 'Ada Lovelace', color: '#1565c0' }
const attendee = { name: 'Grace Hopper', color: '#c62828' }

async function typeAgenda(page: Page, items: string[]): Promise<void> {
  await page.locator('.pad-editor li.agenda-item .agenda-text').first().click()
  for (const [index, item] of items.entries()) {
    await page.keyboard.type(item)
    if (index < items.length - 1) await page.keyboard.press('Enter')
  }
}

const countdownSeconds = async (page: Page) => {
  const text = (await page.locator('.projector .countdown').textContent()) ?? ''
  const [minutes, seconds] = text.split(':').map(Number)
  return minutes! * 60 + seconds!
}

describe('running a session', () => {
  it('lets the moderator start and step through the agenda while the projector follows', async () => {
    const { session, links } = await createSessionWithKeys(suite.server.url, { title: 'Nova: scheduler roadmap', track: 'Compute', room: 'Room 203' })
    const modContext = await contextAs(suite.browser, moderator)
    const mod = await modContext.newPage()
    await mod.goto(`${suite.server.url}${links.moderator}`)
    await mod.locator('.pad-editor').waitFor()
    await typeAgenda(mod, ['Review of last cycle', 'Placement API', 'Unified limits', 'Open discussion'])
    await mod.locator('.pad-editor h2', { hasText: 'Notes' }).locator('xpath=following-sibling::*[1]').click()
    await mod.keyboard.type('DECISION: Ship unified limits as experimental.')
    await mod.keyboard.press('Enter')
    await mod.keyboard.type('ACTION: @sean writes the spec')
    await mod.locator('.pad-editor .decision', { hasText: 'Ship unified limits' }).waitFor()
    await mod.locator('.pad-editor .action-item', { hasText: '@sean' }).waitFor()

    const projContext = await suite.browser.newContext({ viewport: { width: 1920, height: 1080 } })
    const proj = await projContext.newPage()
    await proj.goto(`${suite.server.url}${links.projector}`)
    await proj.locator('.projector-editor li.agenda-item', { hasText: 'Open discussion' }).waitFor()

    await mod.getByRole('button', { name: 'Start', exact: true }).click()
    await proj.locator('.projector .phase', { hasText: 'Live' }).waitFor({ timeout: 1000 })
    // Start puts the room on the first agenda item (issue 19, bug 5).
    await proj.locator('.projector-editor li.agenda-item[data-status="now"]', { hasText: 'Review of last cycle' }).waitFor({ timeout: 1000 })
    await expect.poll(() => mod.locator('.session-bar .current-item').textContent()).toBe('Review of last cycle')
    await mod.getByRole('button', { name: 'Item ▶' }).click()
    await proj.locator('.projector-editor li.agenda-item[data-status="now"]', { hasText: 'Placement API' }).waitFor({ timeout: 1000 })
    await mod.keyboard.press('Alt+Shift+ArrowDown')
    await proj.locator('.projector-editor li.agenda-item[data-status="now"]', { hasText: 'Unified limits' }).waitFor({ timeout: 1000 })
    // Keyboard shortcut: back one item; the one before it stays done.
    await mod.keyboard.press('Alt+Shift+ArrowUp')
    const current = proj.locator('.projector-editor li.agenda-item[data-status="now"]', { hasText: 'Placement API' })
    await current.waitFor({ timeout: 1000 })
    await proj.locator('.projector-editor li.agenda-item[data-status="done"]', { hasText: 'Review of last cycle' }).waitFor({ timeout: 1000 })
    expect(await mod.locator('.session-bar .current-item').textContent()).toBe('Placement API')

    // The countdown runs, from the 40 minutes the session was scheduled for.
    const first = await countdownSeconds(proj)
    expect(first).toBeGreaterThan(39 * 60)
    expect(first).toBeLessThanOrEqual(40 * 60)
    await expect.poll(() => countdownSeconds(proj), { timeout: 3000 }).toBeLessThan(first)

    // The current item is highlighted, in view, and the type is large.
    const highlighted = await current.evaluate((element) => getComputedStyle(element).backgroundColor)
    expect(highlighted).not.toBe('rgba(0, 0, 0, 0)')
    expect(await current.isVisible()).toBe(true)
    const bodySize = await proj.locator('.projector-editor p').first().evaluate((element) => Number.parseFloat(getComputedStyle(element).fontSize))
    // 36px or more on a 1920x1080 projector: the back of a room of sixty (projector.e2e.test.ts).
    expect(bodySize).toBeGreaterThanOrEqual(36)
    const qr = proj.locator('.projector img.qr')
    expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100)
    const { joinCode } = (await (await fetch(`${suite.server.url}/api/sessions/${session.id}`)).json()).session as { joinCode: string }
    expect(await proj.locator('.join-url').textContent()).toContain(`/j/${joinCode}`)
    await proj.locator('.people-line', { hasText: '1 person' }).waitFor()
    await proj.screenshot({ path: artifactPath('projector-1920x1080.png') })

    await proj.setViewportSize({ width: 1280, height: 720 })
    const smallSize = await proj.locator('.projector-editor p').first().evaluate((element) => Number.parseFloat(getComputedStyle(element).fontSize))
    expect(smallSize).toBeGreaterThanOrEqual(24)
    expect(smallSize).toBeLessThan(bodySize)
    await proj.screenshot({ path: artifactPath('projector-1280x720.png') })

    await proj.getByRole('button', { name: 'Dark theme' }).click()
    await proj.reload()
    await proj.locator('.projector[data-theme="dark"]').waitFor()
    await proj.screenshot({ path: artifactPath('projector-dark.png') })
    await mod.screenshot({ path: artifactPath('moderator.png') })
    await modContext.close()
    await projContext.close()
  })

  it('turns an attendee’s pad read-only when the moderator locks or ends the session', async () => {
    const { links } = await createSessionWithKeys(suite.server.url)
    const modContext = await contextAs(suite.browser, moderator)
    const attContext = await contextAs(suite.browser, attendee)
    const mod = await modContext.newPage()
    const att = await attContext.newPage()
    await mod.goto(`${suite.server.url}${links.moderator}`)
    await att.goto(`${suite.server.url}${links.attendee}`)
    await Promise.all([mod.locator('.pad-editor').waitFor(), att.locator('.pad-editor').waitFor()])
    expect(await att.locator('.moderator-controls').count()).toBe(0)
    expect(await att.locator('.pad-editor').getAttribute('contenteditable')).toBe('true')

    await mod.getByRole('button', { name: 'Lock', exact: true }).click()
    await att.locator('.banner', { hasText: 'locked' }).waitFor({ timeout: 1000 })
    expect(await att.locator('.pad-editor').getAttribute('contenteditable')).toBe('false')
    expect(await mod.locator('.pad-editor').getAttribute('contenteditable')).toBe('true')

    await mod.getByRole('button', { name: 'Unlock', exact: true }).click()
    await att.locator('.banner').waitFor({ state: 'hidden', timeout: 1000 })
    expect(await att.locator('.pad-editor').getAttribute('contenteditable')).toBe('true')

    mod.once('dialog', (dialog) => void dialog.accept())
    await mod.getByRole('button', { name: 'End', exact: true }).click()
    // Ending archives the pad before the control doc says "ended", in a worker that starts on
    // first use: seconds on a loaded machine. Playwright's default timeout guards against a hang.
    await att.locator('.banner', { hasText: 'ended' }).waitFor()
    expect(await att.locator('.pad-editor').getAttribute('contenteditable')).toBe('false')
    await mod.locator('.banner', { hasText: 'ended' }).waitFor()
    expect(await mod.locator('.pad-editor').getAttribute('contenteditable')).toBe('false')
    await modContext.close()
    await attContext.close()
  })

  it('shows the three links once after creating a session on the home page', async () => {
    const context = await contextAs(suite.browser, moderator)
    const page = await context.newPage()
    await page.goto(suite.server.url)
    await page.getByLabel('Title').fill('Keystone: federation')
    await page.getByLabel('Who can edit').selectOption('key')
    await page.getByRole('button', { name: 'Create session' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('heading', { name: 'Your session is ready' }).waitFor()
    const moderatorLink = await dialog.getByLabel('Moderator link').inputValue()
    const attendeeLink = await dialog.getByLabel('Attendee link').inputValue()
    expect(moderatorLink).toMatch(/#key=[A-Za-z0-9_-]{24}$/)
    expect(attendeeLink).toMatch(/#key=[A-Za-z0-9_-]{24}$/)
    expect(attendeeLink).not.toBe(moderatorLink)
    await dialog.getByRole('button', { name: 'Open the pad' }).click()
    await page.locator('.moderator-controls').waitFor()
    await page.reload()
    await page.locator('.moderator-controls').waitFor()
    expect(await page.getByRole('dialog').count()).toBe(0)

    // Without a key a keyed session is read-only.
    const visitor = await (await contextAs(suite.browser, attendee)).newPage()
    await visitor.goto(moderatorLink.replace(/#.*$/, ''))
    await visitor.locator('.banner', { hasText: 'read-only' }).waitFor()
    expect(await visitor.locator('.pad-editor').getAttribute('contenteditable')).toBe('false')
    await context.close()
  })
})
