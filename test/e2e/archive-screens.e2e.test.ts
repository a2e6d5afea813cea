/**
 * The archive and the import page at the three screens of issue 19 (1920x1080, 1440x900, 390x844):
 * screenshots to look at, no sideways scroll, and, on the phone, no agenda label cut off.
 */
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { act } from '../helpers/api.ts'
import { artifactPath, browserSuite, contextAs } from '../helpers/browser.ts'
import { organizerToken } from '../helpers/start-server.ts'

const suite = browserSuite()

const pad = `## Goals

Agree how 李明's cells v2 rollout 🚀 reaches every region before the Hong Kong summit ends.

## Agenda

1. Current state of cells v2 deployments across regions — @李明, 10 min (done)
2. Quota handling when a cell is down — @walt, 20 min (now)
3. Upgrade path — @ada, 10 min

## Notes

See the [placement spec](/s/placement-spec) and <https://docs.openstack.org/nova/latest/>.

**Decision:** Cells v2 becomes mandatory in the next release.

## Decisions

-

## Action items

- [ ] @李明 writes the upgrade notes, due 2026-12-01
- [x] @ada books the follow-up room
`

const screens = [
  { name: '1920', viewport: { width: 1920, height: 1080 } },
  { name: '1440', viewport: { width: 1440, height: 900 } },
  { name: '390', viewport: { width: 390, height: 844 } },
]

describe('archive screens', () => {
  it('fit every screen without sideways scroll', async () => {
    const res = await fetch(`${suite.server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Nova: cells v2 everywhere 🌏', track: 'Compute', room: 'Room 201', moderator: '李明', content: pad }),
    })
    const { session, links } = (await res.json()) as { session: { id: string }; links: { moderator: string } }
    const moderatorKey = /#key=(.+)$/.exec(links.moderator)![1]!
    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const csv = artifactPath('screens-schedule.csv')
    const start = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    fs.writeFileSync(csv, `title,track,room,start,duration,moderator\r\nPlacement API roadmap,Nova,Room 201,${start} 09:00,40,Sean\r\n"Quotas, limits and usage 📈",Nova,Room 202,${start} 09:50,40,李明\r\nSwift erasure codes,Object,Room 7,${start} 09:00,40,\r\n`)

    for (const screen of screens) {
      const context = await contextAs(suite.browser, { name: '李明', color: '#1565c0' }, screen.viewport)
      const page = await context.newPage()
      const noSideways = async (what: string) => {
        const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: window.innerWidth }))
        expect(widths.scroll, `${what} at ${screen.name}`).toBeLessThanOrEqual(widths.view)
      }
      await page.goto(`${suite.server.url}/archive`)
      await page.locator('.archive-card').first().waitFor()
      await noSideways('archive index')
      await page.screenshot({ path: artifactPath(`screens-archive-index-${screen.name}.png`), fullPage: true })

      await page.goto(`${suite.server.url}/s/${session.id}/archive`)
      await page.locator('.archive-doc .agenda-item').first().waitFor()
      await noSideways('session archive')
      await page.screenshot({ path: artifactPath(`screens-archive-session-${screen.name}.png`), fullPage: true })

      await page.goto(`${suite.server.url}/archive?q=${encodeURIComponent('李明')}`)
      await page.locator('.archive-card').first().waitFor()
      await noSideways('search results')
      await page.screenshot({ path: artifactPath(`screens-archive-search-${screen.name}.png`), fullPage: true })

      await page.goto(`${suite.server.url}/organizer/import`)
      await page.fill('#organizer-token', organizerToken)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForSelector('#import-file')
      await page.screenshot({ path: artifactPath(`screens-import-empty-${screen.name}.png`), fullPage: true })
      await page.fill('#import-event', `Screens summit ${screen.name}`)
      await page.setInputFiles('#import-file', csv)
      await page.getByRole('button', { name: 'Import', exact: true }).click()
      await page.locator('.import-links').waitFor({ timeout: 15_000 })
      await noSideways('import page')
      await page.screenshot({ path: artifactPath(`screens-import-${screen.name}.png`), fullPage: true })
      await context.close()
    }
  })
})
