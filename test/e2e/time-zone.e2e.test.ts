/**
 * Issue 19 in a browser: three viewers in Hong Kong, Los Angeles and Berlin see the event's times in
 * the event's zone with its abbreviation, switch to their own zone (remembered across reloads), and
 * the session form reads its start in the event's zone; the projector shows the join code large
 * beside a QR code of at least a fifth of a 1080p screen, the join line at body size.
 */
import { describe, expect, it } from 'vitest'
import type { Session } from '../../shared/api.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { artifactPath, browserSuite } from '../helpers/browser.ts'
import { organizerHeaders } from '../helpers/start-server.ts'

const suite = browserSuite({ AUTO_END_AFTER_MINUTES: '0', EVENT_TIME_ZONE: 'UTC' })

async function importHongKong(): Promise<string> {
  const content = ['title,track,room,start,duration', 'Nova scheduler roadmap,Nova,Room 101,2030-11-05 09:00,40'].join('\r\n')
  const res = await fetch(`${suite.server.url}/api/schedule/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...organizerHeaders },
    body: JSON.stringify({ event: 'Hong Kong Summit 2030', format: 'csv', content, timeZone: 'Asia/Hong_Kong' }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { sessions: { id: string }[] }).sessions[0]!.id
}

const viewers = [
  { zone: 'Asia/Hong_Kong', own: '09:00 GMT+8' },
  { zone: 'America/Los_Angeles', own: '17:00 PST' },
  { zone: 'Europe/Berlin', own: '02:00 GMT+1' },
]

describe('the event time zone in the browser', () => {
  it('shows times in the event zone to viewers in three zones, and in their own once they switch (remembered)', async () => {
    const id = await importHongKong()
    for (const viewer of viewers) {
      const context = await suite.browser.newContext({ timezoneId: viewer.zone, viewport: { width: 1440, height: 900 } })
      // A name chosen before, so the pad asks for none.
      await context.addInitScript(() => localStorage.setItem('summitpad.identity', JSON.stringify({ name: 'Viewer', color: '#1565c0' })))
      const page = await context.newPage()
      await page.goto(`${suite.server.url}/?day=2030-11-05`)
      const rowTime = page.locator('.schedule-grid tbody th time').first()
      await expect.poll(() => rowTime.textContent(), { timeout: 10_000 }).toBe('09:00 GMT+8')
      const toggle = page.getByTestId('zone-switch')
      expect(await page.locator('.zone-status').textContent()).toContain('Hong Kong (GMT+8)')
      await toggle.click()
      await expect.poll(() => page.locator('.schedule-grid tbody th time').first().textContent()).toBe(viewer.own)
      expect(await toggle.getAttribute('aria-pressed')).toBe('true')
      // Remembered: the next page (and a reload) shows the viewer's zone too.
      await page.goto(`${suite.server.url}/s/${id}`)
      await expect.poll(() => page.locator('.pad-header .session-meta time').textContent(), { timeout: 10_000 }).toContain(viewer.own)
      await page.getByTestId('zone-switch').click()
      await expect.poll(() => page.locator('.pad-header .session-meta time').textContent()).toBe('Tue 5 Nov, 09:00 GMT+8')
      await page.reload()
      await expect.poll(() => page.locator('.pad-header .session-meta time').textContent(), { timeout: 10_000 }).toBe('Tue 5 Nov, 09:00 GMT+8')
      if (viewer.zone === 'America/Los_Angeles') await page.screenshot({ path: artifactPath('tz-pad-los-angeles.png') })
      await context.close()
    }
  })

  it('reads the session form’s start in the event zone, whatever the browser’s zone', async () => {
    await importHongKong().catch(() => null)
    const context = await suite.browser.newContext({ timezoneId: 'America/Los_Angeles', viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/`)
    await expect.poll(() => page.locator('.create-form .field-hint').first().textContent(), { timeout: 10_000 }).toContain('Hong Kong (GMT+8)')
    await page.getByLabel('Title').fill('Form in Hong Kong time')
    await page.locator('input[name="scheduledStart"]').fill('2030-11-06T10:00')
    await page.getByRole('button', { name: 'Create session' }).click()
    await page.waitForURL(/\/s\/[a-z0-9-]+#key=/)
    const sessions = ((await (await fetch(`${suite.server.url}/api/sessions`)).json()) as { sessions: Session[] }).sessions
    const created = sessions.find((session) => session.title === 'Form in Hong Kong time')!
    expect(created.scheduledStart).toBe('2030-11-06T02:00:00.000Z')
    expect(created.timeZone).toBe('Asia/Hong_Kong')
    await context.close()
  })
})

describe('joining from the back of the room', () => {
  it('shows the join code large beside a QR code of at least 20% of 1080p, the join line at body size or larger', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'TripleO containerized deployment', track: 'TripleO', room: 'Room 3' })
    const page = await suite.browser.newPage({ viewport: { width: 1920, height: 1080 } })
    await page.goto(`${suite.server.url}/s/${session.id}/projector`)
    // Before the start there is no code yet.
    await page.locator('.join-url[data-kind="session"]').waitFor()
    expect(await page.locator('.join-code').isHidden()).toBe(true)
    const started = await act(suite.server.url, session.id, 'start', moderatorKey)
    const code = started.body.session!.joinCode!
    await expect.poll(() => page.locator('.join-code').textContent(), { timeout: 10_000 }).toBe(code)
    expect(await page.locator('.join-url').textContent()).toMatch(new RegExp(`/j/${code}$`))
    await page.locator('.projector-editor p').first().waitFor()
    const bodySize = await page.locator('.projector-editor p').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
    const line = await page.locator('.join-url').evaluate((el) => ({ size: parseFloat(getComputedStyle(el).fontSize), height: el.getBoundingClientRect().height, lineHeight: parseFloat(getComputedStyle(el).lineHeight), family: getComputedStyle(el).fontFamily }))
    expect(line.size).toBeGreaterThanOrEqual(bodySize)
    expect(line.family).not.toMatch(/mono/i)
    // One or two lines, never three.
    expect(line.height).toBeLessThan(line.lineHeight * 2.5)
    const codeSize = await page.locator('.join-code').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
    expect(codeSize).toBeGreaterThanOrEqual(bodySize * 2)
    const qrHeight = await page.locator('.projector img.qr').evaluate((el) => el.getBoundingClientRect().height)
    expect(qrHeight).toBeGreaterThanOrEqual(0.2 * 1080)
    await page.screenshot({ path: artifactPath('projector-join-1920x1080.png') })
    console.log(JSON.stringify({ bodySize, joinLine: line, codeSize, qrHeight }))

    // The code leads to the pad, typed in lower case; after the end it leads nowhere.
    const phone = await suite.browser.newPage({ viewport: { width: 390, height: 844 } })
    await phone.goto(`${suite.server.url}/j/${code.toLowerCase()}`)
    expect(new URL(phone.url()).pathname).toBe(`/s/${session.id}`)
    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const gone = await phone.goto(`${suite.server.url}/j/${code}`)
    expect(gone!.status()).toBe(404)
    expect(await phone.locator('h1').textContent()).toBe('Join code not found')
    await expect.poll(() => page.locator('.join-code').isHidden(), { timeout: 10_000 }).toBe(true)
    await phone.close()
    await page.close()
  })
})
