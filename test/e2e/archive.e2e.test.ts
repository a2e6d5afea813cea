/** The archive in a browser: the list, search with highlighted snippets, a session's archive page, action items by owner. */
import { describe, expect, it } from 'vitest'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { artifactPath, browserSuite, contextAs } from '../helpers/browser.ts'

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
    await pad.screenshot({ path: artifactPath('archive-search.png'), fullPage: true })

    await pad.goto(`${suite.server.url}/archive/actions`)
    await pad.locator('h2.owner', { hasText: '@grace' }).waitFor()
    await pad.locator('h2.owner', { hasText: '@walt' }).waitFor()
    await pad.locator('.owned-action.done', { hasText: 'books the follow-up room' }).waitFor()
    await pad.screenshot({ path: artifactPath('archive-actions.png'), fullPage: true })
    await context.close()
  })
})
