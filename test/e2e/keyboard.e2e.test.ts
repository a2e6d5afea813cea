/** The keyboard: every control of the pad page reachable with Tab and visibly focused; `?` lists the shortcuts. */
import { describe, expect, it } from 'vitest'
import { createSessionWithKeys } from '../helpers/api.ts'
import { browserSuite, contextAs } from '../helpers/browser.ts'
import { axeViolations } from '../helpers/axe.ts'

const suite = browserSuite()

describe('the keyboard', () => {
  it('reaches every control with a visible focus ring, and ? opens the shortcuts, Escape closes them', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Keyboard session' })
    const context = await contextAs(suite.browser, { name: 'Kay', color: '#1565c0' })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/s/${session.id}#key=${moderatorKey}`)
    await page.locator('.ProseMirror').waitFor()
    await page.locator('body').click({ position: { x: 2, y: 300 } })

    const seen: { name: string; outlined: boolean }[] = []
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab')
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null
        if (!el || el === document.body) return null
        const style = getComputedStyle(el)
        const outlined = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none'
        return { name: el.getAttribute('aria-label') || el.textContent?.trim().slice(0, 30) || el.tagName, outlined }
      })
      if (focused) seen.push(focused)
    }
    const names = seen.map((entry) => entry.name)
    for (const control of ['Keyboard shortcuts', 'Bold', 'Session pad']) expect(names.some((name) => name.includes(control)), control).toBe(true)
    expect(seen.filter((entry) => !entry.outlined)).toEqual([])

    await page.locator('.shortcuts-button').focus()
    await page.locator('.shortcuts-button').blur()
    await page.keyboard.press('?')
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('Alt+Shift+↓')
    expect(await axeViolations(page)).toEqual([])
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    // In the pad, ? is just a character.
    await page.locator('.pad-editor h2', { hasText: 'Notes' }).locator('xpath=following-sibling::*[1]').click()
    await page.keyboard.type('Why?')
    expect(await page.getByRole('dialog').count()).toBe(0)
    await context.close()
  })
})
