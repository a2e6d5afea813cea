/** Every page works under the Content-Security-Policy the server sends (no violation reported). */
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { browserSuite, contextAs } from '../helpers/browser.ts'

const suite = browserSuite()

describe('content security policy', () => {
  it('is sent with every page, and no page breaks it', async () => {
    const { session, links, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'CSP check' })
    // Written in, so its archive page draws the pad (an untouched pad's shows a hint instead).
    const ended = await createSessionWithKeys(suite.server.url, { title: 'Ended CSP check', content: '## Agenda\n\n1. Policy review — @ada, 10 min\n\n## Notes\n\nScripts come from this origin only.\n' })
    await act(suite.server.url, ended.session.id, 'end', ended.moderatorKey)
    const res = await fetch(`${suite.server.url}/s/${session.id}`)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")

    const context = await contextAs(suite.browser, { name: 'Ada', color: '#1565c0' })
    const page = await context.newPage()
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text())
    })
    const visits: [string, string][] = [
      ['/', '.create-form'],
      [links.moderator, '.pad-editor'],
      [links.projector, '.projector img.qr'],
      [`/s/${session.id}/history`, '.history-label'],
      ['/archive', '.archive-card'],
      [`/s/${ended.session.id}/archive`, '.archive-doc'],
    ]
    for (const [path, ready] of visits) {
      await page.goto(`${suite.server.url}${path}`)
      await page.locator(ready).first().waitFor({ timeout: 10_000 })
    }
    expect(violations).toEqual([])
    expect(moderatorKey).toBeTruthy()
    await context.close()
  })
})
