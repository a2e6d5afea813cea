/**
 * Issue 20 in a browser: the moderator turns the recap mail off and on from the moderator bar
 * (the server keeps the flag), and an organizer sees the webhook deliveries (delivered, and one
 * still being retried with its error and next try) on /organizer/deliveries and resends one.
 * The page passes axe; screenshots are saved.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { axeViolations } from '../helpers/axe.ts'
import { artifactPath, browserSuite, contextAs } from '../helpers/browser.ts'
import { organizerHeaders, organizerToken } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts'

const secret = 'whsec-e2e-0123456789abcdef'
const receiver = await startWebhookReceiver(secret)
const suite = browserSuite({ WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: secret, WEBHOOK_NAME: 'tracker', OUTBOX_BASE_DELAY_MS: '60000', OUTBOX_POLL_MS: '50' })
afterAll(() => receiver.close())

describe('deliveries', () => {
  it('the moderator switches the recap mail; an organizer sees deliveries and resends one', async () => {
    const { session, links } = await createSessionWithKeys(suite.server.url, { title: 'Scheduler roadmap', track: 'Nova' })
    const modContext = await contextAs(suite.browser, { name: 'Ada', color: '#1565c0' })
    const mod = await modContext.newPage()
    await mod.goto(`${suite.server.url}${links.moderator}`)
    const recap = mod.getByRole('button', { name: 'Recap mail' })
    await expect.poll(() => recap.getAttribute('aria-pressed')).toBe('true')
    await recap.click()
    await expect.poll(() => recap.getAttribute('aria-pressed')).toBe('false')
    await mod.locator('.session-bar').screenshot({ path: artifactPath('moderator-bar-recap-off.png') })
    const read = async () => ((await (await fetch(`${suite.server.url}/api/sessions/${session.id}`)).json()) as { session: { recapMail: boolean } }).session.recapMail
    expect(await read()).toBe(false)
    await recap.click()
    await expect.poll(() => recap.getAttribute('aria-pressed')).toBe('true')
    expect(await read()).toBe(true)
    await mod.locator('.session-bar').screenshot({ path: artifactPath('moderator-bar-recap-on.png') })
    await mod.getByRole('button', { name: 'Start', exact: true }).click()
    await waitFor(() => receiver.accepted.some((hook) => hook.event === 'session.started'), 5000, 'session.started')
    await modContext.close()

    // A second session's start fails at the receiver and waits for its retry (a minute away).
    receiver.down = true
    const second = await createSessionWithKeys(suite.server.url, { title: 'Placement', track: 'Nova' })
    expect((await act(suite.server.url, second.session.id, 'start', second.moderatorKey)).status).toBe(200)
    await waitFor(async () => {
      const res = await fetch(`${suite.server.url}/api/organizer/deliveries`, { headers: organizerHeaders })
      return ((await res.json()) as { deliveries: { status: string; attempts: number }[] }).deliveries.some((d) => d.status === 'pending' && d.attempts === 1)
    }, 5000, 'a failed attempt')
    receiver.down = false

    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/organizer/deliveries`)
    await page.fill('#organizer-token', organizerToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForSelector('.delivery')
    const rows = await page.locator('.delivery').allTextContents()
    expect(rows.some((row) => row.includes('session.started') && row.includes('Webhook: tracker') && row.includes('Delivered') && row.includes('204'))).toBe(true)
    expect(rows.some((row) => row.includes('Pending') && row.includes('503') && row.includes('down for maintenance'))).toBe(true)
    expect(await axeViolations(page)).toEqual([])
    await page.screenshot({ path: artifactPath('organizer-deliveries.png'), fullPage: true })

    const delivered = page.locator('.delivery', { hasText: 'Delivered' }).first()
    await delivered.getByRole('button', { name: /^Resend/ }).click()
    await expect.poll(() => page.locator('.deliveries .form-status').textContent()).toContain('is queued again')
    await waitFor(() => receiver.acceptedTwice.length === 1, 5000, 'the resent delivery')
    await context.close()
  })
})
