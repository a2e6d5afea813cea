import { describe, expect, it } from 'vitest'
import { snippetEnd as E, snippetStart as S } from '../../../../shared/api.ts'
import { maxSnippetChars, searchSnippet, snippetWindowChars } from '../../../../server/archive/snippet.ts'

describe('searchSnippet', () => {
  it('marks whole words and the last word as a prefix, case-insensitively', () => {
    expect(searchSnippet('The Zanzibarite migration needs a plan.', 0, ['zanzibarite', 'pla'])).toBe(`The ${S}Zanzibarite${E} migration needs a ${S}plan${E}.`)
    expect(searchSnippet('planet plans plan', 0, ['plan', 'x'])).toBe(`planet plans ${S}plan${E}`)
  })

  it('cuts a short snippet around the first match of a long window, with ellipses', () => {
    const window = `${'word '.repeat(60)}needle ${'tail '.repeat(60)}`.slice(0, snippetWindowChars)
    const snippet = searchSnippet(window, 1000, ['needle'])
    expect(snippet).toContain(`${S}needle${E}`)
    expect(snippet.startsWith('…')).toBe(true)
    expect(snippet.endsWith('…')).toBe(true)
    expect(snippet.replaceAll(S, '').replaceAll(E, '').length).toBeLessThanOrEqual(maxSnippetChars + 2)
  })

  it('stays linear on a window full of matches and shows the text when nothing matches', () => {
    const snippet = searchSnippet('plan '.repeat(96), 0, ['plan'])
    expect(snippet.split(S).length - 1).toBeGreaterThan(30)
    expect(searchSnippet('Nothing here\nat all', 0, ['zzz'])).toBe('Nothing here at all')
  })

  it('is plain text: no heading underlines, list markers or checkboxes of the text layout (issue 19)', () => {
    const window = 'Decisions\n---------\n\n- Keep the v3 API stable\n\nAction items\n------------\n\n[ ] Action: @李明 checks the driver\n[x] Action: books the room\n1. Intro — @sean, 10 min\n\nSumm\n====='
    const snippet = searchSnippet(window, 0, ['李明'])
    expect(snippet).toBe(`Decisions Keep the v3 API stable Action items Action: @${S}李明${E} checks the driver Action: books the room Intro — @sean, 10 min Summ`)
    // A window cut inside an underline.
    expect(searchSnippet('---\nNotes on quotas', 5, ['quotas'])).toBe(`…Notes on ${S}quotas${E}`)
  })

  it('leaves out the title and the metadata lines the result shows beside it', () => {
    const window = 'Nova: cells v2\n==============\n\nTrack: Compute\nRoom: Room 201\nModerator: 李明\nEnded: 2026-12-03 04:27 UTC\n\nGoals\n-----\n\nAgree how 李明 rolls out'
    expect(searchSnippet(window, 0, ['李明'])).toBe(`Goals Agree how ${S}李明${E} rolls out`)
  })
})

