/** The home page as the event index: a grid by day, time and room, a list by track, a track filter, live states. */
import { describe, expect, it } from 'vitest'
import { act } from '../helpers/api.ts'
import { artifactPath, browserSuite } from '../helpers/browser.ts'
import { organizerHeaders, organizerToken } from '../helpers/start-server.ts'
import { summitCsv, summitIcs } from '../helpers/schedule-fixture.ts'
import fs from 'node:fs'

const suite = browserSuite({ AUTO_END_AFTER_MINUTES: '0' })

describe('the event index', () => {
  it('shows an imported summit as a grid and by track, filters by track, and follows sessions starting and ending', async () => {
    const res = await fetch(`${suite.server.url}/api/schedule/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...organizerHeaders },
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

  it('lets an organiser import a schedule file on the import page: preview, import, links to hand out', async () => {
    const page = await suite.browser.newPage({ viewport: { width: 1440, height: 1000 } })
    await page.goto(`${suite.server.url}/organizer/import`)
    await page.fill('#organizer-token', organizerToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    const file = artifactPath('schedule.ics')
    fs.writeFileSync(file, summitIcs())
    await page.fill('#import-event', 'Forum')
    await page.setInputFiles('#import-file', file)
    await page.getByRole('button', { name: 'Preview' }).click()
    await expect.poll(() => page.locator('.import-result').textContent()).toContain('144 sessions would be created')
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await expect.poll(() => page.locator('.import-result').textContent(), { timeout: 20_000 }).toContain('144 sessions were created')
    expect(await page.locator('.import-links tbody tr').count()).toBe(144)
    const download = page.locator('a[download="session-links.csv"]')
    expect(await download.getAttribute('href')).toMatch(/^blob:/)
    expect(await page.locator('.import-links code').first().textContent()).toMatch(/\/s\/forum-[a-z0-9-]+#key=/)
    await page.screenshot({ path: artifactPath('import-result.png') })
    // A broken file: nothing imported, each problem with its line.
    const broken = artifactPath('broken-schedule.csv')
    fs.writeFileSync(broken, 'title,start,duration\r\nok,2026-05-11T09:00Z,40\r\nbroken,someday,40\r\n')
    await page.setInputFiles('#import-file', broken)
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    // A sentence with the format expected (issue 19).
    await expect.poll(() => page.locator('.import-problems').textContent()).toMatch(/^Line 3: Start is not a date and time\. Write start as a date and time such as 2026-11-24 14:00 .*time zone.*\.$/)
    await page.close()
  })
})
