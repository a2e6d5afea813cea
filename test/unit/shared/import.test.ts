import { describe, expect, it } from 'vitest'
import { docToMarkdown } from '../../../shared/export/markdown.ts'
import { ImportError, importAgenda, markdownToDoc, maxImportBytes, textToDoc } from '../../../shared/import/markdown.ts'
import { schema } from '../../../shared/schema.ts'
import { sessionTemplate, type PMJSON } from '../../../shared/template.ts'
import {
  action,
  actionDone,
  agenda,
  br,
  code,
  decision,
  doc,
  done,
  em,
  h1,
  h2,
  h3,
  item,
  li,
  link,
  ol,
  olFrom,
  p,
  strong,
  tasks,
  todo,
  ul,
} from '../../helpers/pm-builder.ts'

/** A pad using every construct the conventions cover; agenda ids are the ones the importer assigns. */
const representative = doc(
  h1('Placement sync'),
  h2('Goals'),
  p('Agree on ', strong('v2'), ' and ', em('quotas'), ', see ', link('https://example.org/spec?a=1&b=2', 'the spec', 'Spec "v2"'), ' and ', code('GET /allocations'), '.'),
  h2('Agenda'),
  agenda(
    item({ id: 'item-1', owner: 'sean', timebox: 10, status: 'done' }, 'Placement API'),
    item({ id: 'item-2', timebox: 5, status: 'now' }, p('Quotas'), ul(li('unified limits'))),
    item({ id: 'item-3', owner: 'kim.lee' }, strong('Limits')),
    item({ id: 'item-4' }, 'Intro — 5 min (done)'),
    item({ id: 'item-5', status: 'parked' }),
  ),
  h2('Notes'),
  p('line one', br(), 'line two', br(), '- not a bullet', br(), '==='),
  p(strong(em('both')), ' ', strong('bold ', em('nested')), ' ', link('https://example.org', strong('bold link'))),
  ul(li('bullet'), li(p('parent'), p('second paragraph'), ol(li('child')))),
  olFrom(3, li('three'), li('four')),
  ol(li('adjacent ordered list')),
  decision('Ship v2 first'),
  action('Write the spec @kim, due 2025-05-01'),
  actionDone('Mail the summary'),
  h3('Special characters'),
  p('*not italic* _nor this_ snake_case 1. \\ [x](y) ![i](j) <b>&amp;</b> `tick` ~tilde~ C#'),
  p('1. not a list'),
  p('1) nor this'),
  p('# not a heading'),
  p('> not a quote'),
  p('+ not a bullet'),
  p(strong('Decision:'), ' only bold'),
  p(strong('Action (done):'), ' only bold too'),
  p('  padded  '),
  h2('Decisions'),
  ul(li('Ship v2 first'), li('[ ] not a task')),
  ul(li('adjacent bullet list')),
  h2('Action items'),
  tasks(todo('@ana updates the docs'), done(p('merged'), tasks(todo('nested task')))),
  ul(li('plain after tasks')),
)

const check = (json: PMJSON) => schema.nodeFromJSON(json).check()

describe('markdownToDoc', () => {
  it('reads back exactly what docToMarkdown writes', () => {
    const markdown = docToMarkdown(representative)
    const imported = markdownToDoc(markdown)
    check(imported)
    expect(imported).toEqual(representative)
    expect(docToMarkdown(imported)).toBe(markdown)
  })

  it('is stable over a second round trip for any agenda ids and attributes', () => {
    const pad = doc(
      h2('Agenda'),
      agenda(item({ id: 'x9', owner: 'Sean Dague', timebox: 12.4 }, 'Renamed owner'), item({ id: null, status: 'now' }, 'Current')),
      h2('Notes'),
      p('text'),
      ...(sessionTemplate().content ?? []),
    )
    const once = docToMarkdown(pad)
    expect(docToMarkdown(markdownToDoc(once))).toBe(once)
    const agendaItems = markdownToDoc(once).content![1]!.content!
    expect(agendaItems.map((node) => node.attrs)).toEqual([
      { id: 'item-1', owner: 'Sean_Dague', timebox: 12, status: 'pending' },
      { id: 'item-2', owner: '', timebox: 0, status: 'now' },
    ])
  })

  it('keeps special characters as text', () => {
    const lines = [
      '*not italic*',
      '**not bold**',
      '_x_ and __y__',
      '1. not a list',
      '2) not a list',
      '- not a list',
      '* not a list',
      '+ not a list',
      '# not a heading',
      '> not a quote',
      '<div>not html</div>',
      '&amp; &copy; &#65;',
      'a\\b\\',
      '`not code`',
      '[not](a-link)',
      '![not](an-image)',
      '<https://not.an/autolink>',
      '---',
      '    not code',
      '[ ] not a task',
      'Intro — @sean, 5 min (done)',
      '**Decision:** not a decision',
    ]
    const pad = doc(...lines.map((line) => p(line)), ul(...lines.map((line) => li(line))), h2('Agenda'), agenda(...lines.map((line) => item({ id: 'x' }, line))))
    const imported = markdownToDoc(docToMarkdown(pad))
    const texts = (block: PMJSON | undefined) => (block?.content ?? []).map((node) => schema.nodeFromJSON(node).textContent)
    expect(imported.content!.slice(0, lines.length).map((block) => schema.nodeFromJSON(block).textContent)).toEqual(lines)
    expect(texts(imported.content![lines.length])).toEqual(lines)
    expect(texts(imported.content!.at(-1))).toEqual(lines)
    expect(imported.content!.at(-1)!.content!.every((node) => node.attrs?.owner === '' && node.attrs.status === 'pending')).toBe(true)
  })

  it('reads hand-written Markdown into the pad schema', () => {
    const imported = markdownToDoc(
      [
        'Title',
        '=====',
        '',
        '#### Deep heading',
        '',
        '> quoted **text**',
        '',
        '```js',
        'const a = 1',
        '',
        '  indented()',
        '```',
        '',
        '![diagram of *placement*](d.png) and <span>html</span>',
        '',
        '***',
        '',
        '- [X] upper-case done',
        '- plain',
        '- [ ]',
        '',
        '## Agenda',
        '',
        '* Intro -- 5 mins',
        '* Design — @ann, 20 min (now)',
        '',
        '**Action:**',
        'follow-up on the next line',
        '',
        '[bad](javascript:alert(1)) [good](https://example.org)',
      ].join('\n'),
    )
    check(imported)
    expect(imported).toEqual(
      doc(
        h1('Title'),
        h3('Deep heading'),
        p('quoted ', strong('text')),
        p(code('const a = 1')),
        p(code('  indented()')),
        p('diagram of placement and <span>html</span>'),
        tasks(done('upper-case done')),
        ul(li('plain')),
        tasks(todo('')),
        h2('Agenda'),
        agenda(item({ id: 'item-1', timebox: 5 }, 'Intro'), item({ id: 'item-2', owner: 'ann', timebox: 20, status: 'now' }, 'Design')),
        action('follow-up on the next line'),
        p('[bad](javascript:alert(1)) ', link('https://example.org', 'good')),
      ),
    )
  })

  it('keeps a task list under the Agenda heading a task list, and only the first list an agenda', () => {
    const imported = markdownToDoc('# Agenda\n\n- [ ] a\n\n1. b\n')
    expect(imported).toEqual(doc(h1('Agenda'), tasks(todo('a')), ol(li('b'))))
  })

  it('keeps the first paragraph of a list item a paragraph', () => {
    expect(markdownToDoc('- **Decision:** in a list\n\n  **Decision:** below it\n')).toEqual(
      doc(ul(li(p(strong('Decision:'), ' in a list'), decision('below it')))),
    )
  })

  it('refuses input that is too large, binary or empty', () => {
    expect(() => markdownToDoc('a'.repeat(maxImportBytes + 1))).toThrow(ImportError)
    expect(() => markdownToDoc('# a\0b')).toThrow(/NUL/)
    expect(() => markdownToDoc('\n\n---\n\n')).toThrow(/nothing usable/)
  })
})

describe('textToDoc', () => {
  it('makes a paragraph of each non-blank line, without reading markup', () => {
    expect(textToDoc('  First *line*  \r\n\n   \n# second\n')).toEqual(doc(p('First *line*'), p('# second')))
  })

  it('refuses blank, binary and oversized text', () => {
    expect(() => textToDoc(' \n\t\n')).toThrow(ImportError)
    expect(() => textToDoc('a\u0000')).toThrow(ImportError)
    expect(() => textToDoc('x'.repeat(maxImportBytes + 1))).toThrow(ImportError)
  })
})

describe('importAgenda', () => {
  it('takes Markdown with headings as the whole pad and appends the template sections it lacks', () => {
    const imported = importAgenda('# Nova sync\n\n## agenda\n\n1. Intro — 5 min\n2. Quotas\n\n## Notes\n\nprepared notes\n', 'markdown')
    check(imported)
    expect(imported).toEqual(
      doc(
        h1('Nova sync'),
        h2('agenda'),
        agenda(item({ id: 'item-1', timebox: 5 }, 'Intro'), item({ id: 'item-2' }, 'Quotas')),
        h2('Notes'),
        p('prepared notes'),
        h2('Goals'),
        p(),
        h2('Decisions'),
        ul(li('')),
        h2('Action items'),
        tasks(todo('')),
      ),
    )
  })

  it('appends the missing sections after the content, in template order', () => {
    const imported = importAgenda('## Goals\n\nx\n\n## Agenda\n\n- a\n\n## Other\n\n## DECISIONS\n', 'markdown')
    expect(imported.content!.filter((block) => block.type === 'heading').map((block) => block.content?.[0]?.text)).toEqual([
      'Goals',
      'Agenda',
      'Other',
      'DECISIONS',
      'Notes',
      'Action items',
    ])
    const appended = importAgenda('## Plan\n\n- x\n', 'markdown')
    expect(appended.content!.find((block) => block.type === 'agenda_list')).toEqual(doc(agenda(item({ id: 'item-1' }))).content![0])
  })

  it('adds no agenda list when the pad has an Agenda section without one', () => {
    const imported = importAgenda('## Agenda\n\nfree text\n\n## Later\n\n1. not the agenda\n', 'markdown')
    expect(imported.content!.filter((block) => block.type === 'agenda_list')).toEqual([])
  })

  it('turns a plain Markdown list into the template agenda and other blocks into goals', () => {
    const imported = importAgenda('Design the **placement** API.\n\n- Intro — @sean, 5 min\n- [x] Recap\n  - detail\n-\n\n1. Wrap-up (parked)\n', 'markdown')
    check(imported)
    expect(imported).toEqual(
      doc(
        h2('Goals'),
        p('Design the ', strong('placement'), ' API.'),
        h2('Agenda'),
        agenda(
          item({ id: 'item-1', owner: 'sean', timebox: 5 }, 'Intro'),
          item({ id: 'item-2', status: 'done' }, p('Recap'), ul(li('detail'))),
          item({ id: 'item-3' }, 'Wrap-up (parked)'),
        ),
        h2('Notes'),
        p(),
        h2('Decisions'),
        ul(li('')),
        h2('Action items'),
        tasks(todo('')),
      ),
    )
  })

  it('turns each non-blank line of text into an agenda item, without its bullet', () => {
    const imported = importAgenda('- Intro — 5 min\n* Placement API — @sean, 20 min (now)\n\n  3. Quotas\n1) Limits\n• Wrap-up\nplain **line**\n', 'text')
    check(imported)
    const agendaList = imported.content!.find((block) => block.type === 'agenda_list')!
    expect(agendaList).toEqual(
      doc(
        agenda(
          item({ id: 'item-1', timebox: 5 }, 'Intro'),
          item({ id: 'item-2', owner: 'sean', timebox: 20, status: 'now' }, 'Placement API'),
          item({ id: 'item-3' }, 'Quotas'),
          item({ id: 'item-4' }, 'Limits'),
          item({ id: 'item-5' }, 'Wrap-up'),
          item({ id: 'item-6' }, 'plain **line**'),
        ),
      ).content![0],
    )
    expect(imported.content!.map((block) => block.type)).toEqual(sessionTemplate().content!.map((block) => block.type))
  })

  it('refuses what cannot be imported, saying why', () => {
    const refusal = (content: string, format: 'markdown' | 'text') => {
      try {
        importAgenda(content, format)
      } catch (error) {
        if (!(error instanceof ImportError)) throw error
        return { reason: error.reason, message: error.message }
      }
      throw new Error('expected an ImportError')
    }
    // 300 000 two-byte characters: fewer characters than the limit, more bytes.
    expect(refusal('é'.repeat(300_000), 'text')).toMatchObject({ reason: 'too_large', message: expect.stringMatching(/too large/) })
    expect(refusal('x'.repeat(maxImportBytes + 1), 'markdown')).toMatchObject({ reason: 'too_large' })
    expect(refusal('- ok\n\0\n', 'markdown')).toMatchObject({ reason: 'binary', message: expect.stringMatching(/binary/) })
    expect(refusal('ok\0', 'text')).toMatchObject({ reason: 'binary' })
    expect(refusal('\n  \n-\n- [ ]\n\n---\n', 'markdown')).toMatchObject({ reason: 'empty', message: expect.stringMatching(/nothing usable/) })
    expect(refusal(' \n - \n1.\n', 'text')).toMatchObject({ reason: 'empty' })
    // The server maps messages mentioning size to 413; the others must not read like one.
    expect(refusal('a\0', 'text').message).not.toMatch(/too large|bytes/i)
    expect(refusal('', 'text').message).not.toMatch(/too large|bytes/i)
  })

  it('accepts an import of exactly the largest size', () => {
    expect(() => importAgenda(`- a\n${'x'.repeat(maxImportBytes - 4)}`, 'markdown')).not.toThrow()
  })
})
