/**
 * Hostile strings in every field a person can fill (titles, names, agenda fields, chat, pad text,
 * links, imported files) are shown as text on every page and in the HTML export: no script runs.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { padFragmentName } from '../../shared/schema.ts'
import { act } from '../helpers/api.ts'
import { browserSuite, contextAs } from '../helpers/browser.ts'
import { connectPad, waitForSynced } from '../helpers/clients.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = browserSuite()

/** Each payload calls window.__pwned(n) if it ever runs. */
const payloads = [
  '<script>__pwned(1)</script>',
  '<img src=x onerror="__pwned(2)">',
  '"><svg onload=__pwned(3)>',
  "'-__pwned(4)-'",
  '<a href="javascript:__pwned(5)">x</a>',
  '{{constructor.constructor("__pwned(6)")()}}',
]
const hostile = payloads.join(' ')

describe('hostile input', () => {
  it('never runs a payload on any page or in the HTML export', async () => {
    const agenda = `## Agenda\n\n1. ${payloads[0]} — @eve, 5 min\n\n## Notes\n\n[click](javascript:__pwned(7)) ${payloads[1]}\n`
    const res = await fetch(`${suite.server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: `Title ${hostile}`, track: `Track ${payloads[2]}`, room: payloads[3]!, moderator: payloads[1]!, content: agenda }),
    })
    expect(res.status).toBe(201)
    const { session, links } = (await res.json()) as { session: { id: string }; links: { moderator: string; projector: string } }
    const moderatorKey = /#key=(.+)$/.exec(links.moderator)![1]!

    // A peer writes hostile text, a javascript: link, an awareness name and chat through the protocol.
    const peer = connectPad(suite.server.wsUrl, session.id, { ack: true })
    await waitForSynced(peer)
    peer.provider.awareness.setLocalStateField('user', { name: payloads[2], color: '#c62828' })
    const paragraph = new Y.XmlElement('paragraph')
    const text = new Y.XmlText()
    text.insert(0, hostile)
    text.insert(0, 'evil link', { link: { href: 'java\tscript:__pwned(8)' } })
    paragraph.insert(0, [text])
    peer.ydoc.getXmlFragment(padFragmentName).insert(0, [paragraph])
    const chat = connectPad(suite.server.wsUrl, `${session.id}/chat`)
    await waitForSynced(chat)
    chat.ydoc.getArray('messages').push([{ id: 'm1', authorId: 'a-eve', name: payloads[4], color: '#c62828', text: hostile, time: Date.now() }])
    await waitFor(() => peer.isSaved(), 3000, 'saved')

    const context = await contextAs(suite.browser, { name: payloads[5]!, color: '#1565c0' })
    const ran: string[] = []
    await context.addInitScript(() => {
      ;(window as unknown as { __pwned: (n: number) => void }).__pwned = (n: number) => {
        ;(window as unknown as { __ran: number[] }).__ran = [...((window as unknown as { __ran?: number[] }).__ran ?? []), n]
      }
    })
    const page = await context.newPage()
    page.on('dialog', (dialog) => {
      ran.push(`dialog: ${dialog.message()}`)
      void dialog.dismiss()
    })
    const visit = async (path: string, ready: string) => {
      await page.goto(`${suite.server.url}${path}`)
      await page.locator(ready).first().waitFor({ timeout: 10_000 })
      // No link rendered from user data may be a javascript: URL.
      for (const link of await page.locator('a[href^="javascript:" i]').all()) ran.push(`javascript link on ${path}: ${await link.getAttribute('href')}`)
      // The CSP would stop inline handlers anyway; the markup itself must never be injected.
      const injected = await page.locator('[onerror], [onload], img[src="x"]').count()
      if (injected) ran.push(`${path}: ${injected} injected elements`)
      const fired = await page.evaluate(() => (window as unknown as { __ran?: number[] }).__ran ?? [])
      if (fired.length) ran.push(`${path}: ${fired.join(',')}`)
    }
    await visit('/', '.session-card')
    await visit(links.moderator, '.pad-editor p')
    await page.locator('.people', { hasText: payloads[2]! }).waitFor()
    await page.locator('.chat-message, .chat li, [class*="chat"] li', { hasText: '__pwned(1)' }).first().waitFor()
    await visit(links.projector, '.projector-editor p')
    await visit(`/s/${session.id}/history`, '.history-label')
    expect((await act(suite.server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    await visit(`/s/${session.id}/archive`, '.archive-doc p')
    await visit('/archive', '.archive-card')
    await visit('/archive?q=pwned', '.snippet')
    await visit('/archive/actions', '.archive-main')
    // The HTML export is a download: load its text as a page of its own.
    const exported = await (await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=html`)).text()
    await page.setContent(exported)
    expect(await page.locator('script').count()).toBe(0)
    expect(await page.locator('a[href^="javascript:" i], [onerror], [onload], img[src="x"]').count()).toBe(0)
    const firedInExport = await page.evaluate(() => (window as unknown as { __ran?: number[] }).__ran ?? [])
    expect(firedInExport).toEqual([])
    expect(ran).toEqual([])
    peer.destroy()
    chat.destroy()
    await context.close()
  })
})
