/**
 * Headless Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core.
 * There is no fallback and no skip: a machine without Chromium fails the test with a hint.
 */
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import type { Identity } from '../../client/sync/presence.ts'
import { startServerProcess, type ServerProcess } from './start-server.ts'

export const chromiumPath = '/usr/bin/chromium'
export const artifactsDir = path.resolve(import.meta.dirname, '../../test-artifacts')

export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install it with 'apt-get install -y chromium' (.ci/run does)`)
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  })
}

/** A fresh browser context whose person is already named (skips the first-visit dialog). */
export async function contextAs(browser: Browser, identity: (Omit<Identity, 'id'> & { id?: string }) | null, viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport })
  if (identity) {
    await context.addInitScript((value) => localStorage.setItem('summitpad.identity', value), JSON.stringify(identity))
  }
  return context
}

/** Where a test writes a screenshot; the folder is created on demand. */
export function artifactPath(name: string): string {
  fs.mkdirSync(artifactsDir, { recursive: true })
  return path.join(artifactsDir, name)
}

/** Fails early with a clear message when the client bundle is missing. */
export function assertClientBuilt(): void {
  const index = path.resolve(import.meta.dirname, '../../dist/client/index.html')
  if (!fs.existsSync(index)) throw new Error(`the client is not built (${index} missing): run 'npm run build'`)
}

/** The server and browser an e2e file shares; set by `browserSuite` before its tests run. */
export interface BrowserSuite {
  server: ServerProcess
  browser: Browser
}

/**
 * Starts a server (with `env`) and headless Chromium before the file's tests, and stops both
 * after them. Fails first if the client bundle is missing.
 */
export function browserSuite(env?: Record<string, string>): BrowserSuite {
  const suite = {} as BrowserSuite
  beforeAll(async () => {
    assertClientBuilt()
    suite.server = await startServerProcess({ env })
    suite.browser = await launchBrowser()
  })
  afterAll(async () => {
    await suite.browser?.close()
    await suite.server?.dispose()
  })
  return suite
}

/** Opens the pad page at `url` and waits for its editor. */
export async function openPad(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await page.locator('.pad-editor').waitFor({ state: 'visible', timeout: 15_000 })
}

/** Puts the caret at the end of the paragraph following the heading `name`. */
export async function caretUnder(page: Page, name: string): Promise<void> {
  await page.locator('.pad-editor h2', { hasText: name }).locator('xpath=following-sibling::*[1]').click()
  await page.keyboard.press('End')
}
