/** The now-and-next board in a browser: it follows sessions starting and ending by itself. */
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { artifactPath, browserSuite } from '../helpers/browser.ts'

const suite = browserSuite({ AUTO_END_AFTER_MINUTES: '0' })

describe('the now-and-next board', () => {
  it('shows each room’s session on now with time left and a join QR code, and the next, updating itself', async () => {
    const soon = new Date(Date.now() + 2 * 3600_000).toISOString()
    const first = await createSessionWithKeys(suite.server.url, { title: 'Nova roadmap', room: 'Room 101', track: 'Nova', scheduledStart: soon })
    await createSessionWithKeys(suite.server.url, { title: 'Nova testing', room: 'Room 101', track: 'Nova', scheduledStart: new Date(Date.now() + 3 * 3600_000).toISOString() })
    await createSessionWithKeys(suite.server.url, { title: 'Swift ops', room: 'Room 102', track: 'Swift', scheduledStart: soon })

    const page = await suite.browser.newPage({ viewport: { width: 1920, height: 1080 } })
    await page.goto(`${suite.server.url}/board`)
    const room101 = page.locator('[data-room="Room 101"]')
    await expect.poll(() => room101.textContent()).toContain('Nothing on now')
    expect(await room101.textContent()).toContain('Nova roadmap')

    // The moderator starts the session: the board shows it as on now, with its countdown and QR code.
    expect((await act(suite.server.url, first.session.id, 'start', first.moderatorKey)).status).toBe(200)
    await expect.poll(() => room101.locator('.board-now').textContent(), { timeout: 15_000 }).toContain('Nova roadmap')
    expect(await room101.locator('.board-left').textContent()).toMatch(/^(40|39) min left$/)
    expect(await room101.locator('.board-next').textContent()).toContain('Nova testing')
    await expect.poll(() => room101.locator('img.board-qr').getAttribute('src')).toMatch(/^data:image\/png/)
    const titleSize = await room101.locator('.board-title').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
    expect(titleSize).toBeGreaterThanOrEqual(40)
    await page.screenshot({ path: artifactPath('board-1920.png') })

    // It ends: the room has nothing on now again.
    expect((await act(suite.server.url, first.session.id, 'end', first.moderatorKey)).status).toBe(200)
    await expect.poll(() => room101.textContent(), { timeout: 15_000 }).toContain('Nothing on now')
    await page.close()
  })
})
