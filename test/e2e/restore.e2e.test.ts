/**
 * Issue 16, part 5, in real browsers: when the moderator restores an old revision, an attendee's
 * open pad says who restored which revision and that this is why the text changed; the agenda
 * keeps the session's Done/Now marks; the moderator undoes the restore with one click.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { docToMarkdown } from '../../shared/export/markdown.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { axeViolations } from '../helpers/axe.ts'
import { artifactPath, browserSuite, contextAs } from '../helpers/browser.ts'
import { agenda, doc, h2, item, p } from '../helpers/pm-builder.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = browserSuite({ REVISION_QUIET_MS: '300', REVISION_MAX_INTERVAL_MS: '5000' })

const ada = { name: 'Ada Lovelace', color: '#1565c0' }
const grace = { name: 'Grace Hopper', color: '#c62828' }
const prepared = docToMarkdown(doc(h2('Agenda'), agenda(item({ id: 'item-1' }, 'Intro'), item({ id: 'item-2' }, 'Budget'), item({ id: 'item-3' }, 'Wrap up')), h2('Notes'), p('Notes so far:')))

const notes = (page: Page) => page.locator('.pad-editor h2', { hasText: /^Notes$/ }).locator('xpath=following-sibling::*[1]')
/** The Notes paragraph's text without remote carets' name labels. */
const notesText = (page: Page) =>
  notes(page).evaluate((element) => {
    const copy = element.cloneNode(true) as HTMLElement
    copy.querySelectorAll('.remote-cursor').forEach((caret) => caret.remove())
    return copy.textContent ?? ''
  })
/** Waits until the Notes paragraph reads `expected`; the timeout names what it read. */
const untilNotes = (page: Page, expected: string) =>
  waitFor(
    async () => {
      const text = await notesText(page)
      if (text !== expected) throw new Error(`the Notes paragraph reads ${JSON.stringify(text)}`)
      return true
    },
    5000,
    `the Notes paragraph to read ${JSON.stringify(expected)}`,
  )
const marks = (page: Page) =>
  page.locator('.pad-editor .agenda-item').evaluateAll((items) => Object.fromEntries(items.map((element) => [(element as HTMLElement).dataset.id, (element as HTMLElement).dataset.status])))

interface Revision {
  rev: number
  reason: string
}
const revisions = async (id: string) => ((await (await fetch(`${suite.server.url}/api/sessions/${id}/revisions`)).json()) as { revisions: Revision[] }).revisions

/** A live session where the attendee wrote early notes (saved as revision `early`), then late ones while Budget became current. */
async function lateNotes(): Promise<{ sessionId: string; moderatorKey: string; moderator: Page; attendee: Page; early: number; close: () => Promise<void> }> {
  const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Restore drill', content: prepared })
  await act(suite.server.url, session.id, 'start', moderatorKey)
  const moderatorContext = await contextAs(suite.browser, ada)
  const attendeeContext = await contextAs(suite.browser, grace)
  const close = async () => {
    await moderatorContext.close()
    await attendeeContext.close()
  }
  try {
    const moderator = await moderatorContext.newPage()
    const attendee = await attendeeContext.newPage()
    await moderator.goto(`${suite.server.url}/s/${session.id}#key=${moderatorKey}`)
    await attendee.goto(`${suite.server.url}/s/${session.id}`)
    for (const page of [moderator, attendee]) await page.locator('.pad-editor').waitFor({ state: 'visible', timeout: 15_000 })

    await notes(attendee).click()
    await attendee.keyboard.press('End')
    await attendee.keyboard.type(' Early notes.')
    const early = await waitFor(
      async () => {
        const last = (await revisions(session.id)).at(-1)
        const text = last ? await (await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=txt&rev=${last.rev}`)).text() : ''
        return text.includes('Notes so far: Early notes.') ? last!.rev : null
      },
      10_000,
      'a revision of the early notes',
    )
    await act(suite.server.url, session.id, 'current', moderatorKey, { itemId: 'item-1' })
    await act(suite.server.url, session.id, 'current', moderatorKey, { step: 1 })
    await attendee.keyboard.type(' Late notes.')
    await attendee.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 10_000 })
    await moderator.locator('.pad-editor', { hasText: 'Late notes.' }).waitFor({ timeout: 5000 })
    return { sessionId: session.id, moderatorKey, moderator, attendee, early, close }
  } catch (error) {
    await close()
    throw error
  }
}

const allMarked = { 'item-1': 'done', 'item-2': 'now', 'item-3': 'pending' }

describe('a restore in an open pad', () => {
  it('tells every pad who restored which revision, keeps the agenda marks, and is undone in one click', async () => {
    const { sessionId, moderatorKey, moderator, attendee, early, close } = await lateNotes()
    try {
      // The moderator restores the early revision through the API the history page uses.
      const res = await fetch(`${suite.server.url}/api/sessions/${sessionId}/restore`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${moderatorKey}` },
        body: JSON.stringify({ rev: early, by: ada.name }),
      })
      expect(res.status).toBe(200)

      const notice = attendee.locator('[role=status] .restore-notice')
      await notice.waitFor({ timeout: 5000 })
      const said = await notice.innerText()
      expect(said).toContain(`${ada.name} restored revision ${early}`)
      expect(said).toContain('The text changed because of this restore')
      expect(await notice.getByRole('button', { name: 'Undo restore' }).count()).toBe(0)
      await untilNotes(attendee, 'Notes so far: Early notes.')
      expect(await marks(attendee)).toEqual(allMarked)
      await expect.poll(() => attendee.locator('.current-item').innerText()).toBe('Budget')
      await attendee.screenshot({ path: artifactPath('restore-notice.png'), fullPage: true })
      await moderator.locator('.restore-notice').getByRole('button', { name: 'Undo restore' }).waitFor({ timeout: 5000 })
      // The notice itself passes axe (WCAG 2.1 AA); other parts of the page are checked by a11y.e2e.
      for (const page of [attendee, moderator]) {
        const inNotice = (await axeViolations(page)).filter((violation) => violation.targets.some((target) => target.includes('restore')))
        expect(inNotice).toEqual([])
      }

      // One click undoes it, for everyone.
      await moderator.locator('.restore-notice').getByRole('button', { name: 'Undo restore' }).click()
      for (const page of [attendee, moderator]) {
        await page.locator('.restore-notice', { hasText: `${ada.name} undid the restore` }).waitFor({ timeout: 5000 })
        await untilNotes(page, 'Notes so far: Early notes. Late notes.')
        expect(await marks(page)).toEqual(allMarked)
      }
      await attendee.locator('.restore-notice').getByRole('button', { name: 'Dismiss' }).click()
      expect(await attendee.locator('.restore-notice').count()).toBe(0)
    } finally {
      await close()
    }
  })

  it('restores from the history page, which offers the undo too', async () => {
    const { sessionId, moderator, attendee, early, close } = await lateNotes()
    try {
      const history = await moderator.context().newPage()
      history.on('dialog', (dialog) => void dialog.accept())
      await history.goto(`${suite.server.url}/s/${sessionId}/history?rev=${early}`)
      await history.locator('.history-label', { hasText: `Revision ${early} of` }).waitFor({ timeout: 10_000 })
      await history.getByRole('button', { name: 'Restore this revision' }).click()
      await attendee.locator('.restore-notice', { hasText: `${ada.name} restored revision ${early}` }).waitFor({ timeout: 5000 })
      await untilNotes(attendee, 'Notes so far: Early notes.')
      expect(await marks(attendee)).toEqual(allMarked)

      await history.getByRole('button', { name: 'Undo restore' }).click()
      await history.getByText('Undone: the pad is back as it was before the restore').waitFor({ timeout: 5000 })
      await attendee.locator('.restore-notice', { hasText: `${ada.name} undid the restore` }).waitFor({ timeout: 5000 })
      await untilNotes(attendee, 'Notes so far: Early notes. Late notes.')
      expect(await marks(attendee)).toEqual(allMarked)
    } finally {
      await close()
    }
  })
})
