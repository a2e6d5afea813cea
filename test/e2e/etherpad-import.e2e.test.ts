/**
 * Etherpad import in a browser: the new-session form takes an `.etherpad` file, the pad opens
 * with the pad's headings, lists and links, "Show who wrote what" tints each Etherpad author's
 * text in their colour with their name, the chat shows the pad's chat; the form passes axe.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { axeViolations } from '../helpers/axe.ts'
import { artifactPath, browserSuite, contextAs } from '../helpers/browser.ts'

const suite = browserSuite()
const fixture = path.resolve(import.meta.dirname, '../fixtures/etherpad/summit.etherpad')

describe('importing an Etherpad pad from the new-session form', () => {
  it('creates the session from a .etherpad file and shows who wrote what in the authors’ colours', async () => {
    const context = await contextAs(suite.browser, { id: 'u-linus', name: 'Linus', color: '#2e7d32' })
    const page = await context.newPage()
    await page.goto(suite.server.url)
    await page.getByLabel('Title').fill('Nova: cells v2 (imported)')
    await page.getByLabel('Track').fill('Compute')
    await page.getByLabel('Import an Etherpad pad (optional)').setInputFiles(fixture)
    expect(await axeViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Create session' }).click()
    await page.waitForURL(/\/s\/[a-z0-9-]+#key=/)
    const open = page.getByRole('button', { name: 'Open the pad' })
    if (await open.isVisible().catch(() => false)) await open.click()
    const editor = page.locator('.pad-editor')
    await editor.locator('h1', { hasText: 'Nova: cells v2 design session' }).waitFor({ timeout: 10_000 })
    await editor.locator('ol li', { hasText: 'Migration path' }).locator('ul li', { hasText: 'online data migrations' }).waitFor()
    expect(await editor.locator('a[href="https://review.openstack.org/#/c/12345/"]').textContent()).toBe('nova-specs review')
    expect(await editor.locator('strong', { hasText: 'operators' }).count()).toBe(1)
    expect(await editor.locator('em', { hasText: 'to keep the API stable' }).count()).toBe(1)

    await page.getByRole('button', { name: 'Show who wrote what' }).click()
    const ildiko = editor.locator('.authored[data-author="Ildikó"]', { hasText: 'to keep the API stable' })
    await ildiko.waitFor({ timeout: 5000 })
    expect(await ildiko.getAttribute('title')).toBe('Ildikó')
    // #ae1387 (Etherpad's #ff99e5 darkened) at the tint's alpha.
    expect(await ildiko.evaluate((element) => getComputedStyle(element).backgroundColor)).toMatch(/^rgba\(174, 19, 135, 0\.1/)
    const thierry = editor.locator('.authored[data-author="Thierry"]', { hasText: 'We agreed' })
    expect(await thierry.evaluate((element) => getComputedStyle(element).backgroundColor)).toMatch(/^rgba\(16, 147, 147, 0\.1/)
    expect(await editor.locator('.authored[data-author="Unnamed author 3"]', { hasText: 'for two releases.' }).count()).toBe(1)

    const chat = page.locator('.chat-panel')
    await chat.locator('.chat-message', { hasText: 'Can someone link the spec?' }).locator('.chat-name', { hasText: 'Ildikó' }).waitFor({ timeout: 5000 })
    await page.screenshot({ path: artifactPath('etherpad-import.png'), fullPage: true })
    await context.close()
  })
})
