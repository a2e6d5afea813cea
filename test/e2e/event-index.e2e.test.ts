/** The home page as the event index: a grid by day, time and room, a list by track, a track filter, live states. */
import { describe, expect, it } from 'vitest'
import { act } from '../helpers/api.ts'
import { artifactPath, browserSuite } from '../helpers/browser.ts'
import { summitCsv } from '../helpers/schedule-fixture.ts'

const suite = browserSuite({ AUTO_END_AFTER_MINUTES: '0' })

describe('the event index', () => {
  it('shows an imported summit as a grid and by track, filters by track, and follows sessions starting and ending', async () => {
    const res = await fetch(`${suite.server.url}/api/schedule/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'Summit', format: 'csv', content: summitCsv() }),
    })
    const imported = (await res.json()) as { sessions: { id: string; links: { moderator: string } }[] }
    expect(res.status).toBe(201)
    const first = imported.sessions[0]!
    const moderatorKey = /#key=(.+)$/.exec(first.links.moderator)![1]!

    const page = await suite.browser.newPage({ viewport: { width: 1440, height: 1000 } })
    await page.goto(`${suite.server.url}/`)
    const grid = page.locator('table.schedule-grid')
    await expect.poll(() => grid.locator('thead th').count()).toBe(9) // Time + 8 rooms
    expect(await grid.locator('tbody tr').count()).toBe(6) // six slots a day
    expect(await page.locator('.day-tabs button').count()).toBe(3)
    await page.screenshot({ path: artifactPath('index-grid.png'), fullPage: true })

    // Started through the API: the index shows it live with its time left, without a reload.
    expect((await act(suite.server.url, first.id, 'start', moderatorKey)).status).toBe(200)
    const card = page.locator(`[data-session="${first.id}"]`)
    await expect.poll(() => card.locator('.state').textContent(), { timeout: 15_000 }).toMatch(/live · (40|39) min left/)
    expect((await act(suite.server.url, first.id, 'end', moderatorKey)).status).toBe(200)
    await expect.poll(() => card.locator('.state').textContent(), { timeout: 15_000 }).toBe('ended · outcomes')
    expect(await card.locator('a').getAttribute('href')).toBe(`/s/${first.id}/archive`)

    // The track filter keeps to one track, and is kept in the URL.
    await page.selectOption('#track-filter', 'Swift')
    await page.getByRole('button', { name: 'By track' }).click()
    expect(new URL(page.url()).searchParams.get('track')).toBe('Swift')
    const titles = await page.locator('.session-card .session-title').allTextContents()
    expect(titles).toHaveLength(18)
    expect(titles.every((title) => title.startsWith('Swift'))).toBe(true)
    await page.screenshot({ path: artifactPath('index-tracks.png'), fullPage: true })
    await page.reload()
    expect(await page.locator('#track-filter').inputValue()).toBe('Swift')
    await page.close()
  })
})
