/**
 * Structured blocks through the UI: the moderator sets an agenda item's owner and timebox inline,
 * and inserts a Decision and an Action block from the toolbar; another person sees them all, and
 * they reach the session's outcomes.
 */
import { describe, expect, it } from 'vitest'
import { createSessionWithKeys } from '../helpers/api.ts'
import { browserSuite, contextAs } from '../helpers/browser.ts'

const suite = browserSuite()

describe('structured blocks in the browser', () => {
  it('edits an agenda item inline and inserts Decision and Action blocks from the toolbar', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, { title: 'Blocks session' })
    const mod = await contextAs(suite.browser, { name: 'Mo', color: '#1565c0' })
    const other = await contextAs(suite.browser, { name: 'Oz', color: '#c62828' })
    const a = await mod.newPage()
    const b = await other.newPage()
    await a.goto(`${suite.server.url}/s/${session.id}#key=${moderatorKey}`)
    await b.goto(`${suite.server.url}/s/${session.id}`)
    await Promise.all([a.locator('.ProseMirror').waitFor(), b.locator('.ProseMirror').waitFor()])

    // Owner and timebox of the first agenda item, typed inline by the moderator.
    await a.getByLabel('Owner').first().fill('grace')
    await a.getByLabel('Owner').first().press('Enter')
    await a.getByLabel('Minutes').first().fill('15')
    await a.getByLabel('Minutes').first().press('Enter')
    // The owner and the timebox are two edits: each may reach the other person in its own frame.
    await expect.poll(() => b.locator('.pad-editor').textContent(), { timeout: 5000 }).toContain('@grace')
    await expect.poll(() => b.locator('.pad-editor').textContent(), { timeout: 5000 }).toContain('15 min')

    // A Decision and an Action block from the toolbar, under Notes.
    await a.locator('.pad-editor h2', { hasText: 'Notes' }).locator('xpath=following-sibling::*[1]').click()
    await a.keyboard.press('End')
    await a.keyboard.type('We ship the v2 API')
    await a.getByRole('button', { name: 'Decision' }).click()
    await a.keyboard.press('Enter')
    await a.keyboard.type('@walt writes the migration guide')
    await a.getByRole('button', { name: 'Action' }).click()
    await expect.poll(() => b.locator('.pad-editor [data-block="decision"], .pad-editor .decision').count(), { timeout: 5000 }).toBeGreaterThan(0)
    await a.locator('.sync-indicator', { hasText: 'All changes saved' }).waitFor({ timeout: 5000 })

    const exported = await (await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=json`)).json()
    const outcomes = (exported as { outcomes: { decisions: string[]; actions: { text: string; owner: string | null }[] } }).outcomes
    expect(outcomes.decisions).toContain('We ship the v2 API')
    expect(outcomes.actions.some((action) => action.owner === 'walt')).toBe(true)
    await mod.close()
    await other.close()
  })
})
