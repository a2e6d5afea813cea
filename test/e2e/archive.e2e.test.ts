/** The archive in a browser: the list, search with highlighted snippets, a session's archive page, action items by owner. */
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { artifactPath, browserSuite, contextAs } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = browserSuite()

const agenda = `## Goals

Agree how volumes attach to several servers.

## Agenda

1. Current state — @walt, 10 min
2. Multiattach API — @grace, 20 min

## Notes

The <b>hypervisor</b> drivers need a capability flag.

**Decision:** Multiattach ships behind a feature flag.

**Action:** @grace writes the upgrade notes, due 2026-12-01

## Decisions

- Keep the v3 API stable

## Action items

- [ ] @walt checks the libvirt driver
- [x] @ada books the follow-up room
`

describe('the archive in a suite.browser', () => {
  it('lists ended sessions, finds words with highlighted snippets, shows a session and action items by owner', async () => {
    const res = await fetch(`${suite.server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Cinder: volume multiattach', track: 'Storage', room: 'Room 7', moderator: 'Walt', content: agenda }),
    })
    const { session, links } = (await res.json()) as { session: { id: string }; links: { moderator: string } }
    const moderatorKey = /#key=(.+)$/.exec(links.moderator)![1]!
    const other = await createSessionWithKeys(suite.server.url, { title: 'Swift: erasure codes', track: 'Object' })
    await act(suite.server.url, other.session.id, 'end', other.moderatorKey)

    // One person opens the pad so the archive has a participant.
    const context = await contextAs(suite.browser, { name: 'Ada Lovelace', color: '#1565c0' }, { width: 1280, height: 900 })
    const pad = await context.newPage()
    await pad.goto(`${suite.server.url}/s/${session.id}`)
    await pad.locator('.pad-editor .decision').waitFor()
    await pad.locator('.people', { hasText: 'Ada Lovelace' }).waitFor()
    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    await pad.locator('.banner a', { hasText: 'See the archive' }).click()

    await pad.waitForURL(`**/s/${session.id}/archive`)
    await pad.locator('h1', { hasText: 'Cinder: volume multiattach' }).waitFor()
    await pad.locator('.archive-decisions li', { hasText: 'Multiattach ships behind a feature flag.' }).waitFor()
    await pad.locator('.archive-decisions li', { hasText: 'Keep the v3 API stable' }).waitFor()
    await pad.locator('.owned-action', { hasText: 'writes the upgrade notes' }).waitFor()
    await pad.locator('.participants li', { hasText: 'Ada Lovelace' }).waitFor()
    expect(await pad.locator('.archive-doc b').count()).toBe(0)
    expect(await pad.locator('.export-links a').count()).toBe(4)
    await pad.screenshot({ path: artifactPath('archive-session.png'), fullPage: true })

    await pad.goto(`${suite.server.url}/archive`)
    await pad.locator('.archive-card h3', { hasText: 'Swift: erasure codes' }).waitFor()
    await pad.locator('.archive-card h3', { hasText: 'Cinder: volume multiattach' }).waitFor()
    expect(await pad.locator('h2.track').allTextContents()).toEqual(['Object', 'Storage'])
    await pad.getByLabel('Search the archive').fill('hypervisor')
    await pad.getByRole('button', { name: 'Search' }).click()
    await pad.locator('.snippet mark', { hasText: 'hypervisor' }).waitFor()
    expect(await pad.locator('.archive-card').count()).toBe(1)
    // Plain text (issue 19): no heading underline, list marker or checkbox of the text layout.
    expect(await pad.locator('.snippet').textContent()).not.toMatch(/-{3,}|={3,}|\[[ x]\]|Track: /)
    await pad.screenshot({ path: artifactPath('archive-search.png'), fullPage: true })

    await pad.goto(`${suite.server.url}/archive/actions`)
    await pad.locator('h2.owner', { hasText: '@grace' }).waitFor()
    await pad.locator('h2.owner', { hasText: '@walt' }).waitFor()
    // An owner's items load when their section opens (issue 21); the filter narrows the owners.
    expect(await pad.locator('.owned-action').count()).toBe(0)
    await pad.getByLabel('Find an owner').fill('ad')
    await pad.locator('h2.owner', { hasText: '@walt' }).waitFor({ state: 'hidden' })
    await pad.locator('h2.owner', { hasText: '@ada' }).click()
    await pad.locator('.owned-action.done', { hasText: 'books the follow-up room' }).waitFor()
    await pad.screenshot({ path: artifactPath('archive-actions.png'), fullPage: true })
    await context.close()
  })

  it('counts a person once under the name they chose, and shows agenda owner, timebox and status on the archive page (issue 19 bugs 1 and 2)', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(suite.server.url, {
      title: 'Nova: cells v2',
      track: 'Compute',
      content: '## Agenda\n\n1. Current state — @walt, 10 min (done)\n2. Quotas — @李明, 20 min (now)\n\n## Notes\n\nCells are sharded.\n\n## Decisions\n\n-\n',
    })
    expect((await act(suite.server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    // A first visit: the browser suggests "Guest NNN" until the person picks a name.
    const context = await contextAs(suite.browser, null, { width: 1280, height: 900 })
    const pad = await context.newPage()
    await pad.goto(`${suite.server.url}/s/${session.id}`)
    const dialog = pad.getByRole('dialog')
    await dialog.waitFor()
    const suggested = await dialog.getByLabel('Name').inputValue()
    expect(suggested).toMatch(/^Guest \d{3}$/)
    await pad.locator('.pad-editor .agenda-item').first().waitFor()
    await dialog.getByLabel('Name').fill('李明 🐼')
    await dialog.getByRole('button', { name: 'Start writing' }).click()
    await pad.locator('.people', { hasText: '李明 🐼' }).waitFor()
    await waitForParticipants(session.id, ['李明 🐼'])
    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)

    await pad.goto(`${suite.server.url}/s/${session.id}/archive`)
    await pad.locator('h1', { hasText: 'Nova: cells v2' }).waitFor()
    expect(await pad.locator('.participants li').allTextContents()).toEqual(['李明 🐼'])
    await pad.locator('h2', { hasText: 'Participants (1)' }).waitFor()
    const items = pad.locator('.archive-doc .agenda-item')
    expect(await items.count()).toBe(2)
    expect(await items.nth(0).locator('.agenda-chip').allTextContents()).toEqual(['@walt', '10 min', 'Done'])
    expect(await items.nth(1).locator('.agenda-chip').allTextContents()).toEqual(['@李明', '20 min', 'Now'])
    // The untouched Decisions section is left out; the filled ones stay.
    expect(await pad.locator('.archive-doc h2').allTextContents()).toEqual(['Agenda', 'Notes'])
    await pad.screenshot({ path: artifactPath('archive-session-agenda.png'), fullPage: true })

    await pad.goto(`${suite.server.url}/archive`)
    const card = pad.locator('.archive-card', { hasText: 'Nova: cells v2' })
    await card.waitFor()
    expect(await card.textContent()).not.toMatch(/Guest \d{3}/)
    await context.close()
  })
})

/** Waits until the session's live participants are exactly `names` (a revision export reads them). */
async function waitForParticipants(id: string, names: string[]): Promise<void> {
  await waitFor(async () => {
    const res = await fetch(`${suite.server.url}/api/sessions/${id}/export?rev=1&format=json`)
    return JSON.stringify(((await res.json()) as { participants: string[] }).participants) === JSON.stringify(names)
  }, 5000, `participants ${JSON.stringify(names)}`)
}
