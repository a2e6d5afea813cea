/**
 * Issue 16, part 1, in real browsers: 2, then 4 people click the empty Notes paragraph and type
 * distinct sentences (ASCII and CJK) at the same caret, 10 characters a second for 10 seconds,
 * with the server's default broadcast window. Every page ends with the same paragraph, holding
 * each sentence in one piece, and so does the Markdown export.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createSession } from '../helpers/api.ts'
import { artifactPath, browserSuite, contextAs, openPad as openPadAt } from '../helpers/browser.ts'

const suite = browserSuite()

const people = [
  { name: 'Ada Lovelace', color: '#1565c0', cjk: false, phrase: 'Ada says the quota service reports usage per region and per project ' },
  { name: 'Li Ming', color: '#c62828', cjk: true, phrase: '李明说我们在生产环境中使用它并且每天检查配额和日志' },
  { name: 'Grace Hopper', color: '#2e7d32', cjk: false, phrase: 'Grace wants the migration plan reviewed by the storage team first ' },
  { name: 'Wang Fang', color: '#6a1b9a', cjk: true, phrase: '王芳认为下一个版本需要更好的文档和更多的测试用例' },
]

const charsPerSecond = 10
const typingMs = 10_000

/** `phrase` repeated to `length` characters, ending on a letter (exports trim trailing spaces). */
function sentenceOf(phrase: string, length: number): string {
  const chars = [...phrase.repeat(Math.ceil(length / [...phrase].length) + 1)].slice(0, length)
  while (chars.at(-1) === ' ') chars.splice(-1, 1, 'x')
  return chars.join('')
}

const openPad = (page: Page, id: string) => openPadAt(page, `${suite.server.url}/s/${id}`)

const notesParagraph = (page: Page) => page.locator('.pad-editor h2', { hasText: 'Notes' }).locator('xpath=following-sibling::*[1]')

/** The Notes paragraph's text without the remote carets' name labels. */
function notesText(page: Page): Promise<string> {
  return notesParagraph(page).evaluate((element) => {
    const copy = element.cloneNode(true) as HTMLElement
    copy.querySelectorAll('.remote-cursor').forEach((caret) => caret.remove())
    return copy.textContent ?? ''
  })
}

/**
 * Clicks the empty Notes paragraph until this page's editor is writable and its caret is in it: a
 * click that lands while the page is still settling (a late layout shift) would send the typing
 * elsewhere, which is the test's mistake, not the editor's.
 */
async function placeCaretInNotes(page: Page): Promise<void> {
  await page.locator('.pad-editor[contenteditable="true"]').waitFor({ timeout: 15_000 })
  for (let attempt = 0; attempt < 5; attempt++) {
    await notesParagraph(page).click()
    const inNotes = await notesParagraph(page).evaluate((element) => {
      const anchor = document.getSelection()?.anchorNode
      return anchor !== null && anchor !== undefined && element.contains(anchor) && document.activeElement?.closest('.pad-editor') !== null
    })
    if (inNotes) return
    await page.waitForTimeout(200)
  }
  throw new Error('the caret never landed in the Notes paragraph')
}

/** Types `text` one character every 1000/`charsPerSecond` ms; CJK arrives as an IME would send it. */
async function typeAtRate(page: Page, text: string, cjk: boolean): Promise<void> {
  const started = Date.now()
  const chars = [...text]
  for (const [i, char] of chars.entries()) {
    const wait = started + (i * 1000) / charsPerSecond - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    if (cjk) await page.keyboard.insertText(char)
    else await page.keyboard.type(char)
  }
}

async function typeTogether(count: number): Promise<void> {
  const session = await createSession(suite.server.url, { title: `Same caret, ${count} people` })
  const typists = people.slice(0, count).map((person) => ({ ...person, sentence: sentenceOf(person.phrase, (typingMs / 1000) * charsPerSecond) }))
  const contexts = await Promise.all(typists.map((person) => contextAs(suite.browser, { name: person.name, color: person.color })))
  try {
    const pages = await Promise.all(contexts.map((context) => context.newPage()))
    for (const page of pages) await openPad(page, session.id)
    // Everyone sees everyone before anyone types, as in a room where people open the pad first.
    for (const page of pages) for (const person of typists) await page.locator('.people', { hasText: person.name }).waitFor({ timeout: 15_000 })
    for (const page of pages) await placeCaretInNotes(page)

    await Promise.all(pages.map((page, i) => typeAtRate(page, typists[i]!.sentence, typists[i]!.cjk)))

    const expected = typists.map((person) => person.sentence)
    const deadline = Date.now() + 15_000
    let texts: string[] = []
    for (;;) {
      texts = await Promise.all(pages.map(notesText))
      const settled = new Set(texts).size === 1 && [...texts[0]!].length === expected.reduce((sum, s) => sum + [...s].length, 0)
      if (settled || Date.now() > deadline) break
      await pages[0]!.waitForTimeout(200)
    }
    await pages[0]!.screenshot({ path: artifactPath(`same-caret-${count}.png`), fullPage: true })
    // On failure, say where each page stood: its sync indicator, its banner and its whole pad.
    const states = await Promise.all(
      pages.map(async (page, i) => {
        const indicator = await page.locator('.sync-indicator').textContent()
        const banner = await page.locator('.banner').evaluate((element) => ((element as HTMLElement).hidden ? '' : (element.textContent ?? '')))
        const pad = await page.locator('.pad-editor').textContent()
        return `${typists[i]!.name}: [${indicator}] [${banner}]\n${pad}`
      }),
    )
    const context = `\n${states.join('\n\n')}`
    expect(new Set(texts).size, `pages differ:\n${texts.join('\n')}${context}`).toBe(1)
    for (const sentence of expected) expect(texts[0], `a sentence is not in one piece:\n${texts[0]}${context}`).toContain(sentence)

    const res = await fetch(`${suite.server.url}/api/sessions/${session.id}/export?format=md`)
    expect(res.status).toBe(200)
    const markdown = await res.text()
    for (const sentence of expected) expect(markdown, `the export splits a sentence:\n${markdown}`).toContain(sentence)
  } finally {
    await Promise.all(contexts.map((context) => context.close()))
  }
}

describe('people typing at the same caret', () => {
  it('keeps each of 2 people’s sentences in one piece on every page and in the export', async () => {
    await typeTogether(2)
  })

  it('keeps each of 4 people’s sentences in one piece on every page and in the export', async () => {
    await typeTogether(4)
  })
})
