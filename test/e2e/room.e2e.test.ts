/**
 * Issue 19, as the room lives it: one phase rule on the home grid and the board (bug 5), a board
 * that fits a hallway screen (bug 4), a pad a phone can use (bug 3 and the phone mode: no sideways
 * scroll on any page, every toolbar action in view, the state sticky while typing, tabs), and the
 * moderator's timing (the current item against its timebox, overtime worded the same on every
 * screen), and a projector without empty placeholders or idle chrome.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { axeViolations } from '../helpers/axe.ts'
import { contrast } from '../helpers/contrast.ts'
import { artifactPath, browserSuite, contextAs } from '../helpers/browser.ts'

const suite = browserSuite({ AUTO_END_AFTER_MINUTES: '0' })
const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
const person = { name: 'Sam 李明 🚀', color: '#1565c0' }

/** A prepared agenda whose items have an owner, a timebox and a status, with long words and CJK. */
const agenda = [
  '## Agenda',
  '',
  '1. Review of the placement API and its resource-provider-inventories-reshaping — @李明, 10 min (done)',
  '2. Unified limits: 统一配额 across every service 🚀 — @sean-mcginnis, 15 min',
  '3. Open discussion — @Ada, 25 min',
  '',
  '## Notes',
  '',
  ...Array.from({ length: 40 }, (_, i) => `Note line ${i + 1}: what the room said about quotas and cells.\n`),
].join('\n')

const at = (minutesFromNow: number) => new Date(Date.now() + minutesFromNow * 60_000).toISOString()

/** Elements that stick out to the right of a `width` px screen (first five), and the page's scroll width. */
async function overflow(page: Page, width: number): Promise<{ wide: string[]; scrollWidth: number }> {
  return page.evaluate((w) => {
    // An element clipped by an ancestor that ends on the screen (an ellipsis) does not count.
    const clipped = (el: Element) => {
      for (let up = el.parentElement; up; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== 'visible' && up.getBoundingClientRect().right <= w + 1) return true
      }
      return false
    }
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => {
        const box = el.getBoundingClientRect()
        return box.width > 0 && box.right > w + 1 && getComputedStyle(el).visibility !== 'hidden' && !clipped(el)
      })
      .map((el) => `${el.tagName}.${(el as HTMLElement).className}`)
      .slice(0, 5)
    return { wide, scrollWidth: document.scrollingElement!.scrollWidth }
  }, width)
}

describe('running the room (issue 19)', () => {
  it('[bug 5] says the same phase for a session in its slot on the home grid and the board', async () => {
    const due = await createSessionWithKeys(suite.server.url, { title: 'Due but not started', room: 'Room Z', track: 'Zed', scheduledStart: at(-26), durationMinutes: 40 })
    const context = await suite.browser.newContext({ viewport: { width: 1440, height: 900 } })
    const home = await context.newPage()
    await home.goto(`${suite.server.url}/?view=tracks`)
    const card = home.locator(`.session-card[data-session="${due.session.id}"] .state`)
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toMatch(/^due now · not started · 1[45] min left$/)
    const board = await context.newPage()
    await board.goto(`${suite.server.url}/board`)
    const room = board.locator('[data-room="Room Z"]')
    await expect.poll(() => room.locator('.board-now .board-label').textContent(), { timeout: 15_000 }).toBe('Due now · not started')
    const minutes = (text: string | null) => /(\d+) min left/.exec(text ?? '')?.[1]
    expect(minutes(await room.locator('.board-left').textContent())).toBe(minutes(await card.textContent()))
    // The pad says so too, and Start puts the room on it.
    const mod = await context.newPage()
    await mod.goto(`${suite.server.url}${due.links.moderator}`)
    await expect.poll(() => mod.locator('.session-bar .phase').textContent(), { timeout: 15_000 }).toBe('Due now')
    await context.close()
  })

  it('[bug 5] Start makes the first open agenda item current on the bar and the projector', async () => {
    const { session, links } = await createSessionWithKeys(suite.server.url, { title: 'Start picks an item', content: agenda })
    const context = await contextAs(suite.browser, person, { width: 1440, height: 900 })
    const mod = await context.newPage()
    await mod.goto(`${suite.server.url}${links.moderator}`)
    await mod.locator('.pad-editor li.agenda-item').first().waitFor()
    const proj = await context.newPage()
    await proj.goto(`${suite.server.url}/s/${session.id}/projector`)
    await proj.locator('.projector-editor li.agenda-item').first().waitFor()
    await mod.getByRole('button', { name: 'Start', exact: true }).click()
    // Item 1 is done: the first open one is item 2.
    await expect.poll(() => mod.locator('.session-bar .current-item').textContent(), { timeout: 5000 }).toBe('Unified limits: 统一配额 across every service 🚀')
    await proj.locator('.projector-editor li.agenda-item[data-status="now"]', { hasText: 'Unified limits' }).waitFor({ timeout: 5000 })
    // Its elapsed time against its 15-minute timebox, on the bar and the projector.
    await expect.poll(() => mod.locator('.session-bar .item-time').textContent(), { timeout: 5000 }).toMatch(/^\(0:0\d of 15 min\)$/)
    await expect.poll(() => proj.locator('.projector-item-time').textContent(), { timeout: 5000 }).toMatch(/^This item: 0:0\d of 15 min$/)
    // 10 + 15 + 25 = 50 minutes of timeboxes in a 40-minute slot: the moderator is told.
    expect(await mod.locator('.session-bar .agenda-fit').textContent()).toBe('Timeboxes: 50 min in a 40 min slot (10 min over)')
    await context.close()
  })

  it('words overtime the same on the bar, the projector, the board and the home grid', async () => {
    const { session, links, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Over time', room: 'Room O', durationMinutes: 5 })
    expect((await act(suite.server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    expect((await act(suite.server.url, session.id, 'extend', moderatorKey, { minutes: -5 })).status).toBe(200)
    const context = await contextAs(suite.browser, person, { width: 1440, height: 900 })
    const over = /^\+0:\d\d over$/
    const mod = await context.newPage()
    await mod.goto(`${suite.server.url}${links.moderator}`)
    await expect.poll(() => mod.locator('.session-bar .countdown').textContent(), { timeout: 10_000 }).toMatch(over)
    const proj = await context.newPage()
    await proj.goto(`${suite.server.url}/s/${session.id}/projector`)
    await expect.poll(() => proj.locator('.projector .countdown').textContent(), { timeout: 10_000 }).toMatch(over)
    const board = await context.newPage()
    await board.goto(`${suite.server.url}/board`)
    await expect.poll(() => board.locator('[data-room="Room O"] .board-left').textContent(), { timeout: 10_000 }).toMatch(over)
    // Over time reads red on the board as on the bar and the projector, still at 7:1 on its card.
    const boardLeft = board.locator('[data-room="Room O"] .board-left')
    expect(await boardLeft.getAttribute('data-tone')).toBe('red')
    const tone = await boardLeft.evaluate((el) => ({ color: getComputedStyle(el).color, card: getComputedStyle(el.closest('.board-room')!).backgroundColor }))
    expect(contrast(tone.color, tone.card)).toBeGreaterThanOrEqual(7)
    expect(tone.color).not.toBe('rgb(127, 227, 160)')
    const home = await context.newPage()
    await home.goto(`${suite.server.url}/?view=tracks`)
    await expect.poll(() => home.locator(`.session-card[data-session="${session.id}"] .state`).textContent(), { timeout: 10_000 }).toMatch(/^wrap-up · \+0:\d\d over$/)
    // End and Restore sit apart from the everyday controls.
    const danger = mod.getByRole('group', { name: 'Ending and restoring' })
    expect(await danger.getByRole('button', { name: 'End', exact: true }).count()).toBe(1)
    expect(await danger.getByRole('link', { name: 'Restore…' }).getAttribute('href')).toBe(`/s/${session.id}/history`)
    expect(await mod.getByRole('group', { name: 'Moderator controls' }).getByRole('button', { name: 'End', exact: true }).count()).toBe(0)
    let asked = ''
    mod.once('dialog', (dialog) => {
      asked = dialog.message()
      void dialog.dismiss()
    })
    await danger.getByRole('button', { name: 'End', exact: true }).click()
    await expect.poll(() => asked).toContain('read-only for everyone')
    expect(asked).toContain('archived')
    await context.close()
  })

  it('projects no empty placeholder and shows its theme button only after the pointer moves', async () => {
    const { session } = await createSessionWithKeys(suite.server.url, { title: 'Template only' })
    const page = await suite.browser.newPage({ viewport: { width: 1920, height: 1080 } })
    await page.goto(`${suite.server.url}/s/${session.id}/projector`)
    await page.locator('.projector-editor h2', { hasText: 'Action items' }).waitFor()
    // The template's empty agenda item ("1."), bullet and checkbox are in the pad but not shown.
    for (const selector of ['li.agenda-item', 'ul:not(.task-list) > li', 'li.task-item']) {
      const items = page.locator(`.projector-editor ${selector}`)
      expect(await items.count(), selector).toBeGreaterThan(0)
      expect(await items.first().isVisible(), selector).toBe(false)
    }
    const theme = page.locator('.theme-toggle')
    expect(await theme.evaluate((el) => getComputedStyle(el).opacity)).toBe('0')
    await page.mouse.move(400, 400)
    await page.mouse.move(500, 420)
    await expect.poll(() => theme.evaluate((el) => getComputedStyle(el).opacity), { timeout: 3000 }).toBe('1')
    await page.close()
  })

  it('[bug 4] fits the board of three rooms with several sessions on one screen at 1920x1080 and 1440x900', async () => {
    for (const [r, room] of ['Room A', 'Room B', 'Room C'].entries()) {
      const live = await createSessionWithKeys(suite.server.url, {
        title: `${room}: 一个很长的会议标题 about the placement API, quotas and cells 🚀 part ${r + 1}`,
        room,
        track: 'Nova',
        scheduledStart: at(-10),
      })
      expect((await act(suite.server.url, live.session.id, 'start', live.moderatorKey)).status).toBe(200)
      for (let n = 1; n <= 4; n++) await createSessionWithKeys(suite.server.url, { title: `${room} follow-up ${n}: upgrades, docs and ops feedback`, room, track: 'Nova', scheduledStart: at(50 * n) })
    }
    for (const viewport of [
      { width: 1920, height: 1080 },
      { width: 1440, height: 900 },
    ]) {
      const page = await suite.browser.newPage({ viewport })
      await page.goto(`${suite.server.url}/board`)
      await page.locator('[data-room="Room C"] .board-now').waitFor({ timeout: 15_000 })
      await page.waitForTimeout(300)
      const fit = await page.evaluate(() => ({
        scrollHeight: document.scrollingElement!.scrollHeight,
        innerHeight,
        lowest: Math.max(...[...document.querySelectorAll('.board-room')].map((el) => el.getBoundingClientRect().bottom)),
        // Every card shows its room, what is on now, its time left and its QR code in full.
        clipped: [...document.querySelectorAll('.board-room')].flatMap((card) => {
          const bottom = card.getBoundingClientRect().bottom
          return [...card.querySelectorAll('.board-room-name, .board-label, .board-left, .board-qr')].filter((el) => el.getBoundingClientRect().bottom > bottom + 1).map((el) => `${card.getAttribute('data-room')} ${el.className}`)
        }),
      }))
      await page.screenshot({ path: artifactPath(`board-3-rooms-${viewport.width}.png`) })
      expect(fit.scrollHeight, JSON.stringify(viewport)).toBeLessThanOrEqual(fit.innerHeight)
      expect(fit.lowest).toBeLessThanOrEqual(fit.innerHeight)
      expect(fit.clipped).toEqual([])
      await page.close()
    }
  })

  it('[bug 3] keeps a phone pad with owners, timeboxes and statuses within the screen, every toolbar action in view, the state sticky, and tabs', async () => {
    const { session, links, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Nova: 统一配额 on a phone', room: 'Room 101', content: agenda })
    expect((await act(suite.server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    for (const [who, link] of [
      ['moderator', links.moderator],
      ['attendee', `/s/${session.id}`],
    ] as const) {
      const context = await suite.browser.newContext(phone)
      await context.addInitScript((value) => localStorage.setItem('summitpad.identity', value), JSON.stringify({ ...person, id: who }))
      const page = await context.newPage()
      await page.goto(`${suite.server.url}${link}`)
      await page.locator('.pad-editor li.agenda-item', { hasText: 'Open discussion' }).waitFor()
      await page.waitForTimeout(300)
      await page.screenshot({ path: artifactPath(`phone-pad-${who}.png`) })
      expect(await overflow(page, 390), who).toEqual({ wide: [], scrollWidth: 390 })
      // Every toolbar button is on the screen (no sideways scroll hides lists, Decision, Action, Undo).
      const tools = await page.locator('.toolbar button').evaluateAll((buttons) =>
        buttons.map((b) => {
          const box = b.getBoundingClientRect()
          return { name: b.getAttribute('aria-label'), inView: box.left >= 0 && box.right <= innerWidth && box.top >= 0 && box.bottom <= innerHeight && box.width > 0 }
        }),
      )
      expect(tools.length).toBeGreaterThanOrEqual(14)
      expect(tools.filter((tool) => !tool.inView)).toEqual([])
      // Long words are not broken mid-word: the agenda text keeps its own line.
      const textWidth = await page.locator('.pad-editor li.agenda-item .agenda-text').first().evaluate((el) => el.getBoundingClientRect().width)
      expect(textWidth).toBeGreaterThan(250)
      // Typing far down the pad: the phase and countdown stay in view.
      await page.locator('.pad-editor p', { hasText: 'Note line 38' }).tap()
      await page.keyboard.type(' typed')
      const bar = await page.locator('.session-bar').evaluate((el) => {
        const box = el.getBoundingClientRect()
        return { top: box.top, bottom: box.bottom, scrolled: scrollY }
      })
      expect(bar.scrolled).toBeGreaterThan(500)
      expect(bar.top).toBeGreaterThanOrEqual(0)
      expect(bar.bottom).toBeLessThanOrEqual(844 / 2)
      expect(await page.locator('.session-bar .countdown').isVisible()).toBe(true)
      await page.screenshot({ path: artifactPath(`phone-pad-${who}-typing.png`) })
      // The chat is one tap away, in view.
      await page.getByRole('button', { name: 'Chat', exact: true }).tap()
      const chatInput = page.locator('.chat-input')
      await chatInput.waitFor()
      expect(await chatInput.evaluate((el) => el.getBoundingClientRect().bottom <= innerHeight)).toBe(true)
      expect(await page.locator('.pad-main').isVisible()).toBe(false)
      await page.screenshot({ path: artifactPath(`phone-chat-${who}.png`) })
      expect((await overflow(page, 390)).scrollWidth).toBe(390)
      await page.getByRole('button', { name: 'More', exact: true }).tap()
      await page.locator('.links').waitFor()
      expect((await overflow(page, 390)).scrollWidth).toBe(390)
      await page.getByRole('button', { name: 'Pad', exact: true }).tap()
      await page.locator('.pad-editor').waitFor()
      await context.close()
    }
  })

  it('has no sideways scroll on any page at 390x844, and no axe violation in the phone layout', async () => {
    const live = await createSessionWithKeys(suite.server.url, { title: 'Keystone: federation with a-very-long-unbreakable-identifier-for-testing', room: 'Room 2', track: 'Keystone', content: agenda })
    expect((await act(suite.server.url, live.session.id, 'start', live.moderatorKey)).status).toBe(200)
    const ended = await createSessionWithKeys(suite.server.url, { title: 'Ended: 归档 🚀', room: 'Room 3', track: 'Keystone', content: agenda })
    expect((await act(suite.server.url, ended.session.id, 'end', ended.moderatorKey)).status).toBe(200)
    const pages: [string, string, string][] = [
      ['home', '/', '.session-card'],
      ['event index by track', '/?view=tracks', '.session-card'],
      ['pad (moderator)', live.links.moderator, '.ProseMirror'],
      ['pad (attendee)', `/s/${live.session.id}`, '.ProseMirror'],
      ['projector', `/s/${live.session.id}/projector`, '.ProseMirror'],
      ['board', '/board', '.board-room'],
      ['archive index', '/archive', 'main'],
      ['session archive', `/s/${ended.session.id}/archive`, 'main'],
      ['history', `/s/${live.session.id}/history`, 'main'],
      ['actions', '/archive/actions', 'main'],
      ['organizer', '/organizer', 'main'],
      ['import', '/organizer/import', 'main'],
      ['not found', '/no/such/page', 'body'],
    ]
    const found: string[] = []
    const context = await suite.browser.newContext(phone)
    await context.addInitScript((value) => localStorage.setItem('summitpad.identity', value), JSON.stringify({ ...person, id: 'phone' }))
    for (const [name, path, ready] of pages) {
      const page = await context.newPage()
      await page.goto(`${suite.server.url}${path}`)
      await page.waitForSelector(ready, { timeout: 15_000 })
      await page.waitForTimeout(400)
      const { wide, scrollWidth } = await overflow(page, 390)
      if (scrollWidth > 390) found.push(`${name}: ${scrollWidth} px wide (${wide.join(', ')})`)
      // The phone layout (tabs, folded controls, sticky bar) is as accessible as the wide one.
      if (name.startsWith('pad') || name === 'board' || name === 'home') {
        for (const violation of await axeViolations(page)) found.push(`${name}: ${violation.rule} (${violation.impact}) ${violation.help} — ${violation.targets.join(' | ')}`)
      }
      await page.screenshot({ path: artifactPath(`phone-page-${name.replace(/\W+/g, '-')}.png`), fullPage: false })
      await page.close()
    }
    await context.close()
    expect(found).toEqual([])
  }, 180_000)
})
