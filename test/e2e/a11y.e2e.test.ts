/** Accessibility: zero axe-core violations (WCAG 2.1 A and AA) on every page. */
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { axeViolations } from '../helpers/axe.ts'
import { browserSuite } from '../helpers/browser.ts'
import { organizerHeaders } from '../helpers/start-server.ts'
import { summitCsv } from '../helpers/schedule-fixture.ts'

const suite = browserSuite({ AUTO_END_AFTER_MINUTES: '0' })

describe('accessibility', () => {
  it('has no WCAG 2.1 AA violations on the home page, pad, projector, board, history and archive pages', async () => {
    await fetch(`${suite.server.url}/api/schedule/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...organizerHeaders },
      body: JSON.stringify({ event: 'Summit', format: 'csv', content: summitCsv() }),
    })
    const live = await createSessionWithKeys(suite.server.url, { title: 'Accessible session', room: 'Room 101', track: 'Nova', moderator: 'Ada' })
    expect((await act(suite.server.url, live.session.id, 'start', live.moderatorKey)).status).toBe(200)
    const ended = await createSessionWithKeys(suite.server.url, { title: 'Ended session', track: 'Nova' })
    expect((await act(suite.server.url, ended.session.id, 'end', ended.moderatorKey)).status).toBe(200)

    const pages: [string, string, string][] = [
      ['home', '/', '.session-card'],
      ['pad (moderator)', `/s/${live.session.id}#key=${live.moderatorKey}`, '.ProseMirror'],
      ['pad (attendee)', `/s/${live.session.id}`, '.ProseMirror'],
      ['projector', `/s/${live.session.id}/projector`, '.ProseMirror'],
      ['board', '/board', '.board-room'],
      ['history', `/s/${live.session.id}/history`, 'main'],
      ['archive', '/archive', 'main'],
      ['archive search', '/archive?q=ended', 'main'],
      ['actions', '/archive/actions', 'main'],
      ['session archive', `/s/${ended.session.id}/archive`, 'main'],
      ['not found', '/no/such/page', 'main, body'],
    ]
    const found: string[] = []
    for (const [name, path, ready] of pages) {
      const page = await suite.browser.newPage({ viewport: { width: 1280, height: 900 } })
      await page.goto(`${suite.server.url}${path}`)
      await page.waitForSelector(ready, { timeout: 15_000 })
      await page.waitForTimeout(300)
      for (const violation of await axeViolations(page)) found.push(`${name}: ${violation.rule} (${violation.impact}) ${violation.help} — ${violation.targets.join(' | ')}`)
      await page.close()
    }
    expect(found).toEqual([])
  }, 180_000)
})
