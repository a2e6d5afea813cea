/**
 * The organizers' pages in a browser: the import page asks for sign-in, a wrong token is refused
 * with a message, the right one signs in (an HttpOnly cookie no script can read), the import
 * works, the audit log shows it, and signing out locks the pages again.
 */
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { axeViolations } from '../helpers/axe.ts'
import { artifactPath, browserSuite } from '../helpers/browser.ts'
import { organizerToken } from '../helpers/start-server.ts'

const suite = browserSuite({ AUTO_END_AFTER_MINUTES: '0' })

describe('organizer pages', () => {
  it('sign in with a token, import a schedule, see the import in the audit log, sign out', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/organizer/import`)
    await expect.poll(() => page.locator('main').textContent()).toContain('sign in first')
    expect(await page.locator('#import-file').count()).toBe(0)
    expect(await axeViolations(page)).toEqual([])
    await page.screenshot({ path: artifactPath('organizer-sign-in.png') })

    await page.fill('#organizer-token', 'not-the-token-at-all')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.locator('.form-status').textContent()).toContain('not an organizer token')

    await page.fill('#organizer-token', organizerToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForSelector('#import-file')
    expect(await page.evaluate(() => document.cookie)).not.toContain('summitpad_organizer')
    const cookie = (await context.cookies()).find((c) => c.name === 'summitpad_organizer')!
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' })

    const file = artifactPath('organizer-schedule.csv')
    const start = new Date(Date.now() + 86_400_000).toISOString()
    fs.writeFileSync(file, `title,track,room,start,duration\r\nKeynote,Main,Hall A,${start},40\r\nRoadmap,Nova,Room 1,${start},40\r\n`)
    await page.fill('#import-event', 'Browser summit')
    await page.setInputFiles('#import-file', file)
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await expect.poll(() => page.locator('.import-result').textContent(), { timeout: 15_000 }).toContain('2 sessions were created')
    await page.screenshot({ path: artifactPath('organizer-import.png'), fullPage: true })

    await page.getByRole('link', { name: 'Audit log' }).click()
    await page.waitForSelector('.audit-entry')
    const rows = await page.locator('.audit-entry').allTextContents()
    expect(rows.some((row) => row.includes('schedule.import') && row.includes('Browser summit') && row.includes('created: 2'))).toBe(true)
    expect(rows.some((row) => row.includes('organizer.sign-in'))).toBe(true)
    expect(await axeViolations(page)).toEqual([])
    await page.screenshot({ path: artifactPath('organizer-audit.png'), fullPage: true })

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${suite.server.url}/organizer`)
    await page.waitForSelector('#organizer-token')
    await page.goto(`${suite.server.url}/organizer/audit`)
    await expect.poll(() => page.locator('main').textContent()).toContain('sign in first')
    expect(await page.locator('.audit-entry').count()).toBe(0)
    await context.close()
  })

  it('says what the import expects, explains a bad row with the format, shows the new sessions beside at once, and lists links with copy and download (issue 19)', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    // Frozen timers: the schedule's own 5 s refresh never runs, so new sessions can only come
    // from the form telling it.
    await page.clock.install()
    await page.goto(`${suite.server.url}/organizer/import`)
    await page.fill('#organizer-token', organizerToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForSelector('#import-file')
    await page.locator('.schedule .index-body').waitFor()

    // Before any file is chosen: the columns, the date format and the time zone.
    const expects = (await page.locator('.import-expects').textContent()) ?? ''
    expect(expects).toContain('title, start, duration (required)')
    expect(expects).toContain('2026-11-24 14:00')
    expect(expects).toContain("times are in the event's time zone")

    const start = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 16).replace('T', ' ')
    const bad = artifactPath('organizer-schedule-bad.csv')
    fs.writeFileSync(bad, `title,track,room,start,duration\r\nGood one,Main,Hall A,${start},40\r\nBad one,Main,Hall A,next tuesday,40\r\n`)
    await page.fill('#import-event', 'Format summit')
    await page.setInputFiles('#import-file', bad)
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    const problem = page.locator('.import-problems li')
    await problem.first().waitFor()
    expect(await problem.first().textContent()).toMatch(/^Line 3: Start is not a date and time\. Write start as a date and time such as 2026-11-24 14:00/)
    expect(await page.locator('.import-result .error').textContent()).toMatch(/^The schedule has 1 bad row\(s\); nothing was imported\.$/)
    await page.screenshot({ path: artifactPath('organizer-import-error.png'), fullPage: true })

    const good = artifactPath('organizer-schedule-good.csv')
    fs.writeFileSync(good, `title,track,room,start,duration\r\nFormat keynote,Main,Hall A,${start},40\r\n"Quotas, limits",Nova,Room 1,${start},40\r\n`)
    await page.setInputFiles('#import-file', good)
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await expect.poll(() => page.locator('.import-result').textContent(), { timeout: 15_000 }).toContain('2 sessions were created')
    // The list by track shows every day's sessions (the grid shows one day).
    await page.locator('.schedule').getByRole('button', { name: 'By track' }).click()
    await page.locator('.schedule .session-card', { hasText: 'Format keynote' }).waitFor()
    await page.locator('.schedule .session-card', { hasText: 'Quotas, limits' }).waitFor()

    const rows = page.locator('.import-links tbody tr')
    expect(await rows.count()).toBe(2)
    for (let i = 0; i < 2; i++) {
      await rows.nth(i).getByRole('button', { name: /^Copy the moderator link of / }).waitFor()
      expect(await rows.nth(i).getByRole('link', { name: /^Download the links of / }).getAttribute('download')).toMatch(/-links\.txt$/)
      expect(await rows.nth(i).locator('code').textContent()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s\/.+#key=/)
    }
    expect(await axeViolations(page)).toEqual([])
    await page.screenshot({ path: artifactPath('organizer-import-links.png'), fullPage: true })
    await context.close()
  })
})

