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
    await expect.poll(() => page.locator('.import-result').textContent()).toContain('2 sessions were created')
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
})
