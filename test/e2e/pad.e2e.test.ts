import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createSession } from '../helpers/api.ts'
import { artifactPath, browserSuite, caretUnder, contextAs, openPad as openPadAt } from '../helpers/browser.ts'

const suite = browserSuite()

const ada = { name: 'Ada Lovelace', color: '#1565c0' }
const grace = { name: 'Grace Hopper', color: '#c62828' }

const openPad = (page: Page, id: string) => openPadAt(page, `${suite.server.url}/s/${id}`)


/** Number of updates y-indexeddb has stored for the pad in this suite.browser. */
function storedUpdateCount(page: Page, id: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(name)
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          const request = db.transaction('updates').objectStore('updates').count()
          request.onsuccess = () => {
            resolve(request.result)
            db.close()
          }
          request.onerror = () => reject(request.error)
        }
      }),
    `summitpad:${id}`,
  )
}

describe('the pad in a suite.browser', () => {
  it('shows one person’s typing and named cursor to another within 2 seconds', async () => {
    const session = await createSession(suite.server.url, { title: 'Cross-project: unified limits', track: 'Cross-project', room: 'Room 203', moderator: 'Ada Lovelace' })
    const contextA = await contextAs(suite.browser, ada)
    const contextB = await contextAs(suite.browser, grace)
    const a = await contextA.newPage()
    const b = await contextB.newPage()
    await Promise.all([openPad(a, session.id), openPad(b, session.id)])
    for (const heading of ['Goals', 'Agenda', 'Notes', 'Decisions', 'Action items']) {
      expect(await a.locator('.pad-editor h2', { hasText: heading }).count()).toBe(1)
    }

    await caretUnder(a, 'Notes')
    await a.keyboard.type('Quota usage is reported per region.')
    await b.locator('.pad-editor', { hasText: 'Quota usage is reported per region.' }).waitFor({ timeout: 20_000 })
    await b.locator('.remote-cursor-label', { hasText: ada.name }).waitFor({ timeout: 20_000 })
    await b.locator('.people').filter({ hasText: ada.name }).first().waitFor({ timeout: 5000 })
    await a.locator('.people').filter({ hasText: grace.name }).first().waitFor({ timeout: 5000 })

    await a.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 5000 })
    await b.locator('.remote-cursor-label', { hasText: ada.name }).scrollIntoViewIfNeeded()
    await b.screenshot({ path: artifactPath('pad.png'), fullPage: true })
    await contextA.close()
    await contextB.close()
  })

  it('formats with the toolbar and shortcuts, and undoes only the person’s own edit', async () => {
    const session = await createSession(suite.server.url)
    const contextA = await contextAs(suite.browser, ada)
    const contextB = await contextAs(suite.browser, grace)
    const a = await contextA.newPage()
    const b = await contextB.newPage()
    await Promise.all([openPad(a, session.id), openPad(b, session.id)])

    await caretUnder(a, 'Notes')
    await a.keyboard.press('Control+b')
    await a.keyboard.type('bold words')
    await a.keyboard.press('Control+b')
    await a.keyboard.type(' then ')
    await a.getByRole('button', { name: 'Italic' }).click()
    await a.keyboard.type('italic')
    await b.locator('.pad-editor strong', { hasText: 'bold words' }).waitFor({ timeout: 2000 })
    await b.locator('.pad-editor em', { hasText: 'italic' }).waitFor({ timeout: 2000 })

    await caretUnder(b, 'Goals')
    await b.keyboard.type('Grace was here')
    await a.locator('.pad-editor', { hasText: 'Grace was here' }).waitFor({ timeout: 2000 })

    // Ada undoes: her italic text goes, Grace's text stays.
    await a.locator('.pad-editor em').click()
    await a.keyboard.press('Control+z')
    await expect.poll(() => a.locator('.pad-editor em').count(), { timeout: 2000 }).toBe(0)
    await a.locator('.pad-editor').filter({ hasText: 'Grace was here' }).first().waitFor({ timeout: 5000 })
    await b.locator('.pad-editor em').waitFor({ state: 'detached', timeout: 2000 })
    await b.locator('.pad-editor').filter({ hasText: 'Grace was here' }).first().waitFor({ timeout: 5000 })

    // Task list via the toolbar and a checkbox that syncs.
    await caretUnder(a, 'Action items')
    await a.keyboard.type('Write the spec')
    await a.locator('.task-item input[type=checkbox]').first().check()
    await expect.poll(() => b.locator('.task-item[data-checked="true"]').count(), { timeout: 2000 }).toBe(1)
    await contextA.close()
    await contextB.close()
  })

  it('creates a session from the home page and asks a first-time visitor for a name', async () => {
    const context = await contextAs(suite.browser, null)
    const page = await context.newPage()
    await page.goto(suite.server.url)
    await page.getByLabel('Title').fill('Neutron: OVN migration')
    await page.getByLabel('Track').fill('Networking')
    await page.getByLabel('Room').fill('Room 101')
    await page.getByRole('button', { name: 'Create session' }).click()
    await page.waitForURL(/\/s\/[a-z0-9-]+#key=/)
    await page.getByRole('button', { name: 'Open the pad' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    await dialog.getByLabel('Name').fill('Linus')
    await dialog.getByRole('button', { name: 'Start writing' }).click()
    await page.locator('.you').filter({ hasText: 'Linus' }).first().waitFor({ timeout: 5000 })
    expect(await page.locator('.pad-title h1').textContent()).toBe('Neutron: OVN migration')
    await page.locator('.pad-editor h2', { hasText: 'Agenda' }).waitFor()

    await page.goto(suite.server.url)
    await page.locator('.schedule').filter({ hasText: 'Neutron: OVN migration' }).first().waitFor({ timeout: 5000 })
    await page.locator('.schedule').filter({ hasText: 'Networking' }).first().waitFor({ timeout: 5000 })
    await page.screenshot({ path: artifactPath('home.png'), fullPage: true })
    await context.close()
  })

  it('keeps edits made without a server across a reload and saves them when it returns', async () => {
    const session = await createSession(suite.server.url)
    const context = await contextAs(suite.browser, ada)
    const page = await context.newPage()
    await openPad(page, session.id)
    await page.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 5000 })

    // While `serverReachable` is false every /sync socket is answered by a stand-in that never
    // reaches the server: the pad can only come from this suite.browser's IndexedDB.
    let serverReachable = false
    await page.routeWebSocket(/\/sync\//, (socket) => {
      if (serverReachable) socket.connectToServer()
    })
    await page.reload()
    await page.locator('.pad-editor').waitFor()
    const storedBefore = await storedUpdateCount(page, session.id)
    await caretUnder(page, 'Notes')
    await page.keyboard.type('written offline')
    expect(await page.locator('.sync-indicator').textContent()).not.toBe('All changes saved')
    await expect.poll(() => storedUpdateCount(page, session.id), { timeout: 3000 }).toBeGreaterThan(storedBefore)

    await page.reload()
    await page.locator('.pad-editor', { hasText: 'written offline' }).waitFor({ timeout: 5000 })

    serverReachable = true
    await page.reload()
    await page.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 5000 })
    const other = await (await contextAs(suite.browser, grace)).newPage()
    await openPad(other, session.id)
    await other.locator('.pad-editor').filter({ hasText: 'written offline' }).first().waitFor({ timeout: 5000 })
    await context.close()
  })

  it('shows a not-found page for an unknown session', async () => {
    const context = await contextAs(suite.browser, ada)
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/s/no-such-session`)
    await page.locator('h1', { hasText: 'Not found' }).waitFor({ timeout: 5000 })
    expect(await page.locator('.pad-editor').count()).toBe(0)
    await context.close()
  })
})
