/**
 * The projector's pad reads from the back of a room of sixty: its paragraphs and list items at
 * 36 px or more on a 1920x1080 projector, headings larger, the type scaling with the viewport
 * (readable on 1280x720 too); the countdown, the QR code and the "N people in the pad" line stay
 * on the screen, clear of the pad's text; a long pad still follows the current agenda item; a long
 * host name in the join line breaks only between its labels and leaves the people line on screen.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { artifactPath, browserSuite, contextAs, launchBrowser } from '../helpers/browser.ts'

const suite = browserSuite()

/** A long pad: more agenda items and notes than fit on one screen. */
const content = [
  '## Agenda',
  '',
  ...Array.from({ length: 14 }, (_, i) => `${i + 1}. Topic ${i + 1}: placement, quotas and cells`),
  '',
  '## Notes',
  '',
  'The placement service should report allocation candidates per provider tree.',
  '',
  '- Unified limits need a migration path from the old quota driver',
  '- Keep the API microversion bump small',
  '',
  ...Array.from({ length: 12 }, (_, i) => `Note line ${i + 1}: what the room said about quotas and cells.\n`),
].join('\n')

type Box = { left: number; top: number; right: number; bottom: number }

interface Reading {
  paragraph: number
  listItem: number
  heading: number
  viewport: { width: number; height: number }
  header: Box
  main: Box
  countdown: Box
  qr: Box
  people: Box
  current: Box | null
  /** The pad's text blocks (their part on screen) that a piece of chrome overlaps. */
  overlaps: string[]
}

/** Font sizes and boxes of the projector's parts, read in the page. */
async function read(page: Page): Promise<Reading> {
  return page.evaluate(() => {
    const size = (selector: string) => Number.parseFloat(getComputedStyle(document.querySelector(selector)!).fontSize)
    const box = (element: Element): Box => {
      const { left, top, right, bottom } = element.getBoundingClientRect()
      return { left, top, right, bottom }
    }
    const main = box(document.querySelector('.projector-main')!)
    const chrome: [string, Box][] = [
      ['countdown', box(document.querySelector('.projector .countdown')!)],
      ['QR code', box(document.querySelector('.projector img.qr')!)],
      ['people line', box(document.querySelector('.people-line')!)],
    ]
    const overlaps: string[] = []
    for (const block of document.querySelectorAll('.projector-editor :is(p, li, h1, h2, h3)')) {
      const own = box(block)
      // What of the block shows: its box cut to the pad's scrolling frame.
      const shown = { left: Math.max(own.left, main.left), top: Math.max(own.top, main.top), right: Math.min(own.right, main.right), bottom: Math.min(own.bottom, main.bottom) }
      if (shown.right <= shown.left || shown.bottom <= shown.top) continue
      for (const [name, part] of chrome) {
        const apart = part.right <= shown.left || shown.right <= part.left || part.bottom <= shown.top || shown.bottom <= part.top
        if (!apart) overlaps.push(`${name} over "${(block.textContent ?? '').slice(0, 30)}"`)
      }
    }
    const current = document.querySelector('.projector-editor li.agenda-item[data-status="now"]')
    return {
      paragraph: size('.projector-editor p'),
      listItem: size('.projector-editor li.agenda-item'),
      heading: size('.projector-editor h2'),
      viewport: { width: innerWidth, height: innerHeight },
      header: box(document.querySelector('.projector-header')!),
      main,
      countdown: chrome[0]![1],
      qr: chrome[1]![1],
      people: chrome[2]![1],
      current: current ? box(current) : null,
      overlaps,
    }
  })
}

/** Whether `inner` lies wholly within `outer` (a pixel of rounding allowed). */
const within = (inner: Box, outer: Box) => inner.left >= outer.left - 1 && inner.top >= outer.top - 1 && inner.right <= outer.right + 1 && inner.bottom <= outer.bottom + 1

describe('projector type', () => {
  it('sets the pad in type for the back of the room at 1920x1080 and 1280x720, clear of the countdown, QR code and people line, and follows a long agenda', async () => {
    const { session, links, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Nova: scheduler roadmap', room: 'Room 203', durationMinutes: 40, content })
    // Someone types into the pad from the editor.
    const editorContext = await contextAs(suite.browser, { name: 'Ada Lovelace', color: '#1565c0' })
    const editor = await editorContext.newPage()
    await editor.goto(`${suite.server.url}${links.moderator}`)
    await editor.locator('.pad-editor p', { hasText: 'allocation candidates' }).click()
    await editor.keyboard.press('End')
    await editor.keyboard.type(' The scheduler stops retrying on the same host when a claim fails.')

    expect((await act(suite.server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    const context = await suite.browser.newContext({ viewport: { width: 1920, height: 1080 } })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}${links.projector}`)
    await page.locator('.projector-editor p', { hasText: 'same host when a claim fails' }).waitFor()
    await page.locator('.projector .phase', { hasText: 'Live' }).waitFor()

    const sizes: Record<string, number> = {}
    for (const [width, height, step] of [
      [1920, 1080, 10],
      [1280, 720, 2],
    ] as const) {
      await page.setViewportSize({ width, height })
      // Far down the agenda: the projector follows the current item.
      for (let i = 0; i < step; i++) expect((await act(suite.server.url, session.id, 'current', moderatorKey, { step: 1 })).status).toBe(200)
      const name = `Topic ${width === 1920 ? 11 : 13}:`
      await page.locator('.projector-editor li.agenda-item[data-status="now"]', { hasText: name }).waitFor()
      // The smooth scroll to the new item has settled.
      await expect
        .poll(async () => {
          const { current, main } = await read(page)
          return current !== null && within(current, main)
        }, { timeout: 5000 })
        .toBe(true)
      const reading = await read(page)
      const screen = { left: 0, top: 0, right: reading.viewport.width, bottom: reading.viewport.height }
      sizes[`${width}x${height}`] = reading.paragraph
      if (width === 1920) {
        expect(reading.paragraph).toBeGreaterThanOrEqual(36)
        expect(reading.listItem).toBeGreaterThanOrEqual(36)
      } else {
        expect(reading.paragraph).toBeGreaterThanOrEqual(24)
        expect(reading.listItem).toBeGreaterThanOrEqual(24)
      }
      expect(reading.heading).toBeGreaterThan(reading.paragraph)
      // The header (title and countdown), the pad's frame, the QR code and the people line are all
      // on the screen, and none of the chrome covers the pad's text.
      for (const part of ['header', 'main', 'countdown', 'qr', 'people'] as const) expect({ part, on: within(reading[part], screen) }).toEqual({ part, on: true })
      expect(reading.overlaps).toEqual([])
      await page.screenshot({ path: artifactPath(`projector-type-${width}x${height}.png`) })
    }
    // The type scales with the viewport.
    expect(sizes['1280x720']).toBeLessThan(sizes['1920x1080']!)
    await context.close()
    await editorContext.close()
  })
})

describe('projector join line', () => {
  it('breaks a long host only after its dots, never inside a label, and keeps the people line on the screen', async () => {
    const { session, links, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Nova: scheduler roadmap', room: 'Room 203', durationMinutes: 40 })
    expect((await act(suite.server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    // The event's server under a long name (Chromium resolves it to the test server).
    const host = 'design-summit-pads.openinfra-foundation.example.org'
    const browser = await launchBrowser([`--host-resolver-rules=MAP ${host} 127.0.0.1`])
    try {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } })
      await page.goto(`http://${host}:${new URL(suite.server.url).port}${links.projector}`)
      await page.locator('.join-code').waitFor()
      for (const [width, height] of [
        [1920, 1080],
        [1280, 720],
      ] as const) {
        await page.setViewportSize({ width, height })
        const reading = await page.evaluate(() => {
          const line = document.querySelector('.join-url')!
          // Each text piece of the line (a label of the host with its dot, the port, the path) on
          // how many lines it is drawn.
          const pieces: { text: string; lines: number }[] = []
          const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT)
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const range = document.createRange()
            range.selectNodeContents(node)
            const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)))
            pieces.push({ text: node.textContent ?? '', lines: tops.size })
          }
          const people = document.querySelector('.people-line')!.getBoundingClientRect()
          return {
            text: line.textContent,
            pieces,
            peopleOnScreen: people.top >= 0 && people.bottom <= innerHeight + 1,
            size: Number.parseFloat(getComputedStyle(line).fontSize),
            bodySize: Number.parseFloat(getComputedStyle(document.querySelector('.projector-pad .pad-editor')!).fontSize),
          }
        })
        expect(reading.text).toMatch(new RegExp(`^${host.replaceAll('.', '\\.')}:\\d+/j/[A-Z0-9]+$`))
        // The host is broken into its labels and no piece is drawn on more than one line.
        expect(reading.pieces.map((piece) => piece.text).slice(0, 3)).toEqual(['design-summit-pads.', 'openinfra-foundation.', 'example.'])
        for (const piece of reading.pieces) expect({ ...piece, width }).toEqual({ text: piece.text, lines: 1, width })
        expect({ width, peopleOnScreen: reading.peopleOnScreen }).toEqual({ width, peopleOnScreen: true })
        // Smaller than the body text, not below its floor.
        expect(reading.size).toBeGreaterThanOrEqual(0.55 * reading.bodySize - 0.5)
        await page.screenshot({ path: artifactPath(`projector-long-host-${width}x${height}.png`) })
      }
    } finally {
      await browser.close()
    }
  })
})
