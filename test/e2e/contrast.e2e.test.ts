/** The projector reads from the back of the room: text at 7:1 or more in both themes, countdown tones included. */
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { browserSuite } from '../helpers/browser.ts'
import { contrast } from '../helpers/contrast.ts'

const suite = browserSuite()

describe('projector contrast', () => {
  it('keeps title, pad text, headings and every countdown tone at 7:1 or more, light and dark', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Contrast session', room: 'Room 1' })
    expect((await act(suite.server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    const page = await suite.browser.newPage({ viewport: { width: 1920, height: 1080 } })
    await page.goto(`${suite.server.url}/s/${session.id}/projector`)
    await page.locator('.ProseMirror h2').first().waitFor()
    const failures: string[] = []
    for (const theme of ['light', 'dark']) {
      await page.evaluate((value) => {
        const projector = document.querySelector<HTMLElement>('.projector')!
        projector.dataset.theme = value
      }, theme)
      for (const tone of ['', 'amber', 'red']) {
        const readings = await page.evaluate((value) => {
          const countdown = document.querySelector<HTMLElement>('.countdown')!
          if (value) countdown.dataset.tone = value
          else delete countdown.dataset.tone
          const background = getComputedStyle(document.querySelector('.projector')!).backgroundColor
          const color = (selector: string) => getComputedStyle(document.querySelector(selector)!).color
          return { background, text: color('.ProseMirror p'), heading: color('.ProseMirror h2'), title: color('.projector-title h1'), countdown: color('.countdown') }
        }, tone)
        for (const [part, color] of Object.entries(readings)) {
          if (part === 'background') continue
          const ratio = contrast(color, readings.background)
          if (ratio < 7) failures.push(`${theme} ${tone || 'normal'} ${part}: ${color} on ${readings.background} = ${ratio.toFixed(2)}`)
        }
      }
    }
    expect(failures).toEqual([])
    await page.close()
  })
})
