/**
 * Exporters never fail on a pad the editor can load (issue 15 part 3): content the schema does
 * not have is left out with a note; and Markdown drops link targets the HTML export neutralises
 * (issue 15 part 5).
 */
import { describe, expect, it } from 'vitest'
import { exportHtml } from '../../../shared/export/html.ts'
import { docToMarkdown, exportMarkdown } from '../../../shared/export/markdown.ts'
import type { ExportMeta } from '../../../shared/export/meta.ts'
import { padNode } from '../../../shared/export/pad-node.ts'
import { exportText } from '../../../shared/export/text.ts'
import { extractOutcomes } from '../../../shared/outcomes.ts'
import type { PMJSON } from '../../../shared/template.ts'
import { doc, h2, link, p } from '../../helpers/pm-builder.ts'

const meta: ExportMeta = { title: 'Poisoned', track: '', room: '', moderator: '', scheduledStart: null, startedAt: null, endedAt: null, participants: [] }

/** A list nested `depth` levels deep, built without recursion. */
function deepList(depth: number): PMJSON {
  let node: PMJSON = { type: 'paragraph', content: [{ type: 'text', text: 'bottom' }] }
  for (let i = 0; i < depth; i++) node = { type: i % 2 ? 'bullet_list' : 'list_item', content: [i % 2 ? node : { type: 'paragraph' }, ...(i % 2 ? [] : [node])] }
  return node
}

const poisoned: PMJSON = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 2, onclick: 'x' }, content: [{ type: 'text', text: 'Notes' }] },
    { type: 'script', content: [{ type: 'text', text: 'alert(1)' }] },
    { type: 'paragraph', content: [{ type: 'text', text: 'under', marks: [{ type: 'underline' }] }, { type: 'text', text: ' kept' }] },
    { type: 'heading', attrs: { level: 'two' }, content: [{ type: 'text', text: 'Bad level' }] },
    { type: 'list_item', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'stray item' }] }] },
    { type: 'text', text: 'loose text' },
    deepList(20_000),
  ],
}

describe('exports of a pad holding content outside the schema', () => {
  it('repairs it into a schema document and says what it left out', () => {
    const { node, notes } = padNode(poisoned)
    expect(() => node.check()).not.toThrow()
    expect(node.textContent).toContain('Notes')
    expect(node.textContent).toContain('under kept')
    expect(node.textContent).toContain('stray item')
    expect(node.textContent).toContain('loose text')
    expect(node.textContent).not.toContain('alert(1)')
    expect(notes.join('\n')).toMatch(/element "script" skipped/)
    expect(notes.join('\n')).toMatch(/mark "underline" skipped/)
    expect(notes.join('\n')).toMatch(/attribute "onclick" skipped/)
    expect(notes.join('\n')).toMatch(/nested deeper than 64/)
  })

  it('renders Markdown, HTML, text and outcomes without throwing, each with the note', () => {
    const markdown = exportMarkdown(poisoned, meta)
    expect(markdown).toContain('## Notes')
    expect(markdown).toContain('left out content')
    expect(docToMarkdown(poisoned)).toContain('element "script" skipped')
    const html = exportHtml(poisoned, meta, { decisions: [], actions: [] })
    expect(html).toContain('<p class="note">')
    expect(html).not.toContain('alert(1)')
    expect(exportText(poisoned, meta)).toContain('left out content')
    expect(() => extractOutcomes(padNode(poisoned).node.toJSON() as PMJSON)).not.toThrow()
  })

  it('leaves a schema document as it is, without a note', () => {
    const clean = doc(h2('Agenda'), p('plain'))
    expect(padNode(clean).notes).toEqual([])
    expect(docToMarkdown(clean)).toBe('## Agenda\n\nplain\n')
  })
})

describe('Markdown export of links', () => {
  it('drops javascript:, data: and other non-http(s)/mailto targets, keeping the text', () => {
    const markdown = docToMarkdown(
      doc(
        p(link('javascript:alert(1)', 'js'), ' ', link('java\tscript:alert(2)', 'tab'), ' ', link('data:text/html,<b>x</b>', 'data'), ' ', link('vbscript:x', 'vb')),
        p(link('https://example.org', 'web'), ' ', link('mailto:a@example.org', 'mail'), ' ', link('/s/abc', 'relative')),
      ),
    )
    expect(markdown).not.toMatch(/javascript|script:|data:|vbscript/i)
    expect(markdown).toContain('js tab data vb')
    expect(markdown).toContain('[web](https://example.org) [mail](mailto:a@example.org) [relative](/s/abc)')
  })
})
