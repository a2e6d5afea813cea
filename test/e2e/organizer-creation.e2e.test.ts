/**
 * SESSION_CREATION=organizers in a browser: the home page offers the sign-in instead of the create
 * form, and after signing in an organizer creates a session from it.
 */
import { describe, expect, it } from 'vitest'
import { browserSuite } from '../helpers/browser.ts'
import { organizerToken } from '../helpers/start-server.ts'

const suite = browserSuite({ SESSION_CREATION: 'organizers' })

describe('session creation by organizers only', () => {
  it('shows the sign-in instead of the create form, and the form once signed in', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/`)
    await page.getByRole('link', { name: 'Sign in as an organizer' }).waitFor()
    expect(await page.locator('.create-form input[name="title"]').count()).toBe(0)

    await page.getByRole('link', { name: 'Sign in as an organizer' }).click()
    await page.fill('#organizer-token', organizerToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Sign out' }).waitFor()
    await page.goto(`${suite.server.url}/`)
    await page.fill('.create-form input[name="title"]', 'Made by an organizer')
    await page.getByRole('button', { name: 'Create session' }).click()
    await page.waitForURL(/\/s\/[a-z0-9]+#key=/)
    await context.close()
  })
})
