/** The recap (issue 20): action items grouped by owner, HTML escaped, long lists bounded. */
import { describe, expect, it } from 'vitest'
import { actionsByOwner, maxRecapItems, recapHtml, recapSubject, recapText, type RecapSource } from '../../../shared/export/recap.ts'
import type { ActionOutcome } from '../../../shared/outcomes.ts'

const action = (text: string, owner: string | null, done = false): ActionOutcome => ({ text, owner, due: null, done, source: 'action' })
const source = (overrides: Partial<RecapSource> = {}): RecapSource => ({
  session: { id: 's1', title: 'Placement <API>', track: 'Nova', room: 'Room 1', moderator: 'Sean', scheduledStart: null, startedAt: '2026-05-11T09:00:00.000Z', endedAt: '2026-05-11T09:40:00.000Z' },
  outcomes: { decisions: ['Ship v2'], actions: [action('a', 'kim'), action('b', null), action('c', 'lee', true), action('d', 'kim')] },
  participants: ['Kim', 'Lee'],
  archiveUrl: 'https://pads.example/s/s1/archive',
  ...overrides,
})

describe('recap', () => {
  it('groups action items by owner in order of first appearance, unowned last', () => {
    expect(actionsByOwner(source().outcomes.actions).map((group) => [group.owner, group.actions.map((a) => a.text)])).toEqual([
      ['@kim', ['a', 'd']],
      ['@lee', ['c']],
      ['No owner', ['b']],
    ])
  })

  it('writes the facts, the time span and the archive link; escapes HTML', () => {
    const text = recapText(source())
    expect(text).toContain('Time: 2026-05-11 09:00 UTC – 09:40 UTC')
    expect(text).toContain('@lee:\n  [x] c\n')
    expect(text.endsWith('https://pads.example/s/s1/archive\n')).toBe(true)
    expect(recapSubject(source())).toBe('[Recap] Nova: Placement <API>')
    const html = recapHtml(source())
    expect(html).toContain('Recap: Placement &#60;API&#62;')
    expect(html).not.toContain('<API>')
  })

  it(`lists at most ${maxRecapItems} decisions and action items, saying how many more there are`, () => {
    const many = source({ outcomes: { decisions: Array.from({ length: maxRecapItems + 7 }, (_, i) => `d${i}`), actions: Array.from({ length: maxRecapItems + 3 }, (_, i) => action(`a${i}`, null)) } })
    const text = recapText(many)
    expect(text).toContain(`${maxRecapItems}. d${maxRecapItems - 1}\n… and 7 more decisions in the archive`)
    expect(text).not.toContain(`d${maxRecapItems}\n`)
    expect(text).toContain('… and 3 more action items in the archive')
    expect(recapHtml(many)).toContain('… and 3 more action items in the archive')
  })
})
