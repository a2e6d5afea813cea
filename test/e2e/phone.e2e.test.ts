/**
 * On a phone (390x844, touch): the join flow from the projector's QR code — open the attendee
 * link, type, and see it saved — in under 10 seconds; screenshots of the pad, the board and the
 * schedule on a phone as artifacts.
 */
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { artifactPath, browserSuite } from '../helpers/browser.ts'

const suite = browserSuite({ AUTO_END_AFTER_MINUTES: '0' })
const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

describe('on a phone', () => {
  it('joins from the QR code and types a saved edit in under 10 seconds', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Nova: scheduler roadmap', room: 'Room 101', track: 'Nova' })
    expect((await act(suite.server.url, session.id, 'start', moderatorKey)).status).toBe(200)

    // What the projector's QR code encodes.
    const projector = await suite.browser.newPage({ viewport: { width: 1920, height: 1080 } })
    await projector.goto(`${suite.server.url}/s/${session.id}/projector`)
    // The join line a person types from the back of the room: `<host>/j/<code>` (issue 19).
    const joinUrl = await projector.locator('.join-url[data-kind="code"]').textContent()
    await projector.close()
    expect(joinUrl).toMatch(/\/j\/[A-Z2-9]{4,5}$/)

    const context = await suite.browser.newContext(phone)
    const page = await context.newPage()
    const started = Date.now()
    await page.goto(`${suite.server.url}${joinUrl!.slice(joinUrl!.indexOf('/j/'))}`)
    expect(new URL(page.url()).pathname).toBe(`/s/${session.id}`)
    const notes = page.locator('.pad-editor h2', { hasText: 'Notes' }).locator('xpath=following-sibling::*[1]')
    // The first visit asks for a name: one field, pre-filled and selected; type and press Enter.
    const name = page.getByLabel('Name')
    await name.waitFor()
    await page.screenshot({ path: artifactPath('phone-join.png') })
    await name.fill('Sam on a phone')
    await name.press('Enter')
    await notes.tap()
    await page.keyboard.type('Typed on a phone')
    await page.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 10_000 })
    await expect.poll(() => page.locator('.pad-editor').textContent()).toContain('Typed on a phone')
    const joinMs = Date.now() - started
    console.log(`phone: from opening the QR link to a saved edit in ${joinMs} ms`)
    // Nothing is wider than the screen.
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > 391 && !el.closest('.toolbar')).map((el) => `${el.tagName}.${el.className}`).slice(0, 5))
    expect(wide).toEqual([])
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: artifactPath('phone-pad.png') })
    await page.goto(`${suite.server.url}/board`)
    await page.locator('.board-room').first().waitFor()
    await page.screenshot({ path: artifactPath('phone-board.png') })
    await page.goto(`${suite.server.url}/?view=tracks`)
    await page.locator('.session-card').first().waitFor()
    expect(await page.evaluate(() => [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > 391).map((el) => `${el.tagName}.${el.className}`).slice(0, 5))).toEqual([])
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: artifactPath('phone-schedule.png') })
    await context.close()
  })
})
