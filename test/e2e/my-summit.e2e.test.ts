/**
 * Issue 20 parts 3 and 4 in a browser: a follow-up pad shows the carried open actions with links
 * back, and ticking one done reaches /archive/actions; /me lists a person's sessions, adds a
 * listened one, exports the summit report as Markdown, passes axe at desktop and phone sizes;
 * a transfer code carries the identity to a second browser context.
 */
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { axeViolations } from '../helpers/axe.ts'
import { artifactPath, browserSuite, contextAs } from '../helpers/browser.ts'

const suite = browserSuite()

const agenda = `## Notes

Backups need a new driver.

## Decisions

- Backups go to object storage

## Action items

- [ ] @walt checks the libvirt driver
- [x] @grace books the room
- [ ] @ada writes the backup spec
`

async function createWithAgenda(title: string, track: string, scheduledStart: string) {
  const res = await fetch(`${suite.server.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title, track, room: 'Room 7', scheduledStart, content: agenda }),
  })
  const { session, links } = (await res.json()) as { session: { id: string }; links: { moderator: string } }
  return { id: session.id, moderatorKey: /#key=(.+)$/.exec(links.moderator)![1]! }
}

describe('follow-ups and My summit in a browser', () => {
  it('a follow-up pad shows the carried open actions with links back; ticking one done shows in /archive/actions', async () => {
    const earlier = await createWithAgenda('Cinder: backups', 'Storage', '2030-11-24T09:00:00.000Z')
    expect((await act(suite.server.url, earlier.id, 'end', earlier.moderatorKey)).status).toBe(200)
    const later = await createSessionWithKeys(suite.server.url, { title: 'Cinder: backups, part 2', track: 'Storage', follows: earlier.id })

    const context = await contextAs(suite.browser, { name: 'Walt', color: '#2e7d32' }, { width: 1280, height: 900 })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/s/${later.session.id}`)
    const walt = page.locator('.pad-editor .task-item', { hasText: '@walt checks the libvirt driver' })
    await walt.waitFor({ timeout: 10_000 })
    await expect.poll(() => walt.locator('a').getAttribute('href')).toBe(`/s/${earlier.id}/archive#action-0`)
    expect(await walt.locator('a').textContent()).toBe('(from Cinder: backups)')
    await page.locator('.pad-editor .task-item', { hasText: '@ada writes the backup spec' }).waitFor()
    expect(await page.locator('.pad-editor .task-item', { hasText: '@grace books the room' }).count()).toBe(0)
    await page.locator('.follow-up-panel a', { hasText: 'Cinder: backups' }).waitFor()

    await walt.locator('input[type=checkbox]').click()
    await page.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 5000 })
    await page.goto(`${suite.server.url}/archive/actions?owner=walt`)
    const item = page.locator('.owned-action', { hasText: '@walt checks the libvirt driver' })
    await item.locator('.action-chain').waitFor()
    expect(await item.count()).toBe(1)
    expect(await item.locator('.action-state').textContent()).toBe('Done')
    expect(await item.locator('.action-chain').textContent()).toBe('Seen in Cinder: backups → Cinder: backups, part 2')

    await page.goto(`${suite.server.url}/s/${earlier.id}/archive`)
    await page.locator('.follow-links a', { hasText: 'Cinder: backups, part 2' }).waitFor()
    await context.close()
  })

  it("the moderator links a session that has not started from the pad's Follow-up panel", async () => {
    const earlier = await createWithAgenda('Swift: erasure codes', 'Object', '2030-11-24T11:00:00.000Z')
    expect((await act(suite.server.url, earlier.id, 'end', earlier.moderatorKey)).status).toBe(200)
    const later = await createSessionWithKeys(suite.server.url, { title: 'Swift: erasure codes, again', track: 'Object' })
    const context = await contextAs(suite.browser, { name: 'Walt', color: '#2e7d32' }, { width: 1280, height: 900 })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}${later.links.moderator}`)
    await page.locator('.pad-editor').waitFor({ timeout: 10_000 })
    expect(await page.locator('.pad-editor .task-item a').count()).toBe(0)
    await page.locator('#follows-select').selectOption(earlier.id)
    await page.getByRole('button', { name: 'Link as follow-up' }).click()
    await page.locator('.follow-up-panel .form-status', { hasText: 'Linked; 2 open action items carried into this pad.' }).waitFor()
    await page.locator('.pad-editor .task-item', { hasText: '@walt checks the libvirt driver' }).locator('a', { hasText: '(from Swift: erasure codes)' }).waitFor()
    await page.locator('.follow-up-panel p', { hasText: 'Continues Swift: erasure codes' }).waitFor()
    await page.screenshot({ path: artifactPath('follow-up-pad.png') })

    // An attendee sees where the session comes from, without the control.
    const attendee = await (await contextAs(suite.browser, { name: 'Grace', color: '#c62828' })).newPage()
    await attendee.goto(`${suite.server.url}${later.links.attendee}`)
    await attendee.locator('.follow-up-panel p', { hasText: 'Continues Swift: erasure codes' }).waitFor()
    expect(await attendee.locator('#follows-select').count()).toBe(0)
    await attendee.context().close()
    await context.close()
  })

  it('/me lists the sessions, adds a listened one, exports Markdown, passes axe; a transfer code moves the identity to a second browser', async () => {
    const wrote = await createWithAgenda('Nova: cells v2', 'Compute', '2030-11-24T14:00:00.000Z')
    const heard = await createSessionWithKeys(suite.server.url, { title: 'Keystone: federation', track: 'Identity', scheduledStart: '2030-11-25T10:00:00.000Z' })
    const ada = { id: 'u-e2e-ada-lovelace', name: 'Ada Lovelace', color: '#1565c0' }
    const context = await contextAs(suite.browser, ada, { width: 1440, height: 900 })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/s/${wrote.id}`)
    await page.locator('.pad-editor h2', { hasText: 'Notes' }).locator('xpath=following-sibling::*[1]').click()
    await page.keyboard.press('End')
    await page.keyboard.type(' Ada was here.')
    await page.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 5000 })
    expect((await act(suite.server.url, wrote.id, 'end', wrote.moderatorKey)).status).toBe(200)

    await page.goto(`${suite.server.url}/me`)
    const card = page.locator('.me-session', { hasText: 'Nova: cells v2' })
    await card.waitFor()
    await card.locator('.archive-decisions li', { hasText: 'Backups go to object storage' }).waitFor()
    expect(await card.locator('.owned-action').allTextContents()).toEqual(['Open@ada writes the backup spec'])
    await page.locator('#me-listened-select').selectOption(heard.session.id)
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await page.locator('.me-session', { hasText: 'Keystone: federation' }).waitFor()
    expect(await page.locator('.me-track .track').allTextContents()).toEqual(['Compute', 'Identity'])

    const downloading = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export Markdown' }).click()
    const download = await downloading
    expect(download.suggestedFilename()).toBe('my-summit.md')
    const markdown = fs.readFileSync((await download.path())!, 'utf8')
    expect(markdown).toContain('# My summit: Ada Lovelace')
    expect(markdown).toContain(`[Nova: cells v2](${suite.server.url}/s/${wrote.id}/archive)`)
    expect(markdown).toContain('- [ ] @ada writes the backup spec')
    expect(markdown).toContain('Keystone: federation')

    expect(await axeViolations(page)).toEqual([])
    await page.screenshot({ path: artifactPath('me-1440x900.png'), fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.locator('.me-session').first().waitFor()
    expect(await axeViolations(page)).toEqual([])
    await page.screenshot({ path: artifactPath('me-390x844.png'), fullPage: true })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    await page.getByRole('button', { name: 'Make a transfer code' }).click()
    const code = (await page.locator('.me-code').textContent())!
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/)
    const link = (await page.locator('.me-transfer-link').getAttribute('href'))!

    const phone = await contextAs(suite.browser, null, { width: 390, height: 844 })
    const other = await phone.newPage()
    await other.goto(link)
    expect(await other.locator('#claim-code').inputValue()).toBe(code)
    expect(new URL(other.url()).hash).toBe('')
    await other.getByRole('button', { name: 'Use this identity here' }).click()
    await other.locator('.form-status', { hasText: 'This browser is now Ada Lovelace' }).waitFor()
    expect(JSON.parse((await other.evaluate(() => localStorage.getItem('summitpad.identity')))!)).toEqual(ada)
    await other.goto(`${suite.server.url}/me`)
    await other.locator('.me-session', { hasText: 'Nova: cells v2' }).waitFor()

    // Single use: the same link again is refused with a clear message.
    const third = await (await contextAs(suite.browser, null)).newPage()
    await third.goto(link)
    await third.getByRole('button', { name: 'Use this identity here' }).click()
    await third.locator('.form-status.error', { hasText: 'unknown, already used or expired' }).waitFor()
    await context.close()
    await phone.close()
    await third.context().close()
  })
})
