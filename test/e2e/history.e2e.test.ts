/** Authorship colours in the pad and the history slider, in a browser. */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createSessionWithKeys } from '../helpers/api.ts'
import { artifactPath, browserSuite, contextAs } from '../helpers/browser.ts'

const suite = browserSuite({ REVISION_QUIET_MS: '1000' })

async function typeUnder(page: Page, heading: string, text: string): Promise<void> {
  await page.locator('.pad-editor h2', { hasText: heading }).locator('xpath=following-sibling::*[1]').click()
  await page.keyboard.press('End')
  // One input event, so a slow machine cannot split the words over two revisions.
  await page.keyboard.insertText(text)
}

const revisionCount = async (id: string) => ((await (await fetch(`${suite.server.url}/api/sessions/${id}/revisions`)).json()) as { revisions: unknown[] }).revisions.length

describe('who wrote what', () => {
  it('tints each author’s text in their colour and replays the pad in the history slider', async () => {
    const { session, links } = await createSessionWithKeys(suite.server.url, { title: 'Authorship check' })
    const adaContext = await contextAs(suite.browser, { id: 'u-ada', name: 'Ada Lovelace', color: '#1565c0' })
    const graceContext = await contextAs(suite.browser, { id: 'u-grace', name: 'Grace Hopper', color: '#c62828' })
    const ada = await adaContext.newPage()
    const grace = await graceContext.newPage()
    await ada.goto(`${suite.server.url}${links.moderator}`)
    await grace.goto(`${suite.server.url}/s/${session.id}`)
    await Promise.all([ada.locator('.pad-editor').waitFor(), grace.locator('.pad-editor').waitFor()])

    await typeUnder(ada, 'Goals', 'Ada wrote the goals')
    await ada.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor()
    await expect.poll(() => revisionCount(session.id), { timeout: 5000 }).toBe(2)
    await typeUnder(grace, 'Notes', 'Grace took the notes')
    await grace.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor()
    await expect.poll(() => revisionCount(session.id), { timeout: 5000 }).toBe(3)

    await grace.getByRole('button', { name: 'Show who wrote what' }).click()
    const adaRun = grace.locator('.pad-editor .authored[data-author="Ada Lovelace"]')
    const graceRun = grace.locator('.pad-editor .authored[data-author="Grace Hopper"]')
    await adaRun.first().waitFor({ timeout: 3000 })
    await graceRun.first().waitFor({ timeout: 3000 })
    expect(await adaRun.first().textContent()).toContain('Ada wrote the goals')
    expect(await adaRun.first().getAttribute('title')).toBe('Ada Lovelace')
    const adaBackground = await adaRun.first().evaluate((element) => getComputedStyle(element).backgroundColor)
    const graceBackground = await graceRun.first().evaluate((element) => getComputedStyle(element).backgroundColor)
    expect(adaBackground).toMatch(/^rgba\(21, 101, 192, 0\.1/)
    expect(graceBackground).toMatch(/^rgba\(198, 40, 40, 0\.1/)
    await grace.screenshot({ path: artifactPath('authorship.png') })

    // The toggle is remembered: after a reload the colours are still on, and still right.
    await grace.reload()
    await grace.locator('.pad-editor .authored[data-author="Ada Lovelace"]').first().waitFor({ timeout: 5000 })

    const history = await adaContext.newPage()
    await history.goto(`${suite.server.url}/s/${session.id}/history`)
    await history.locator('.history-label', { hasText: 'Revision 3 of 3' }).waitFor({ timeout: 5000 })
    await history.locator('.history-editor ins.ychange', { hasText: 'Grace took the notes' }).waitFor()
    expect(await history.locator('.history-authors').textContent()).toContain('Grace Hopper')
    await history.getByRole('button', { name: '◀ Back' }).click()
    await history.locator('.history-label', { hasText: 'Revision 2 of 3' }).waitFor()
    await history.locator('.history-editor ins.ychange', { hasText: 'Ada wrote the goals' }).waitFor()
    expect(await history.locator('.history-editor').textContent()).not.toContain('Grace took the notes')
    expect(await history.locator('.history-authors').textContent()).toBe('Ada Lovelace')
    expect(history.url()).toContain('rev=2')
    await history.screenshot({ path: artifactPath('history.png'), fullPage: true })

    // Deep link, then play through to the end.
    await history.goto(`${suite.server.url}/s/${session.id}/history?rev=2`)
    await history.locator('.history-label', { hasText: 'Revision 2 of 3' }).waitFor()
    await history.getByRole('button', { name: 'Play' }).click()
    await history.locator('.history-label', { hasText: 'Revision 3 of 3' }).waitFor({ timeout: 3000 })
    await adaContext.close()
    await graceContext.close()
  })
})
