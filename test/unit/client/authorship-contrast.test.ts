/** Authorship tints keep the pad's text readable: at least 4.5:1 over every colour of the palette. */
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { palette } from '../../../client/sync/presence.ts'
import { blend, contrast } from '../../helpers/contrast.ts'

/** The tint authorship-colors.ts lays under a run of text: the author's colour at the alpha written there. */
const source = fs.readFileSync(new URL('../../../client/editor/plugins/authorship-colors.ts', import.meta.url), 'utf8')
const tintAlpha = parseInt(/background-color: \$\{author\.color\}([0-9a-f]{2})/.exec(source)![1]!, 16) / 255
const ink = '#1a1f24'
const paper = '#ffffff'

describe('authorship tints', () => {
  it('keep body text at 4.5:1 or more for every colour', () => {
    for (const color of palette) expect(contrast(ink, blend(color, tintAlpha, paper)), color).toBeGreaterThanOrEqual(4.5)
  })
})
