/**
 * axe-core in a playwright page: injects the engine and runs the WCAG 2.0 / 2.1 A and AA rules,
 * returning the violations in a readable form (rule, impact, the elements, what to fix).
 */
import axe from 'axe-core'
import type { Page } from 'playwright-core'

export interface AxeViolation {
  rule: string
  impact: string | null
  help: string
  targets: string[]
}

export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not govern.
  await page.evaluate(axe.source)
  const results = await page.evaluate(async () => {
    const engine = (window as unknown as { axe: typeof axe }).axe
    return engine.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
  })
  return results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact ?? null,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')).slice(0, 5),
  }))
}
