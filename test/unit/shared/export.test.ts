import { describe, expect, it } from 'vitest'
import { exportHtml } from '../../../shared/export/html.ts'
import { docToMarkdown, exportMarkdown, formatAgendaSuffix, parseAgendaSuffix } from '../../../shared/export/markdown.ts'
import type { ExportMeta } from '../../../shared/export/meta.ts'
import { exportText } from '../../../shared/export/text.ts'
import { extractOutcomes } from '../../../shared/outcomes.ts'
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

/** Every node and mark of the schema. */
const every = doc(
  h1('Placement sync'),
  h2('Agenda'),
  agenda(
    item({ id: 'a', owner: 'sean', timebox: 10, status: 'done' }, 'Placement API'),
    item({ id: 'b', timebox: 5 }, 'Quotas'),
    item({ id: 'c', owner: 'Kim Lee', status: 'parked' }, 'Limits'),
    item({ id: 'd' }, 'Wrap-up'),
  ),
  h3('Notes ', em('and'), ' links'),
  p('Plain, ', strong('bold'), ', ', em('italic'), ', ', strong(em('both')), ', ', code('x = 1'), ', ', link('https://example.org/a_b', 'a link'), ' and ', link('https://example.org', 'titled', 'The "site"'), '.'),
  p('line one', br(), 'line two'),
  ul(li('bullet'), li(p('parent'), ul(li('child')))),
  olFrom(3, li('three'), li('four')),
  tasks(todo('open task'), done(p('done task'), ol(li('step')))),
  decision('Ship v2 first'),
  action('Write the spec @kim'),
  actionDone('Mail the summary'),
)

const meta: ExportMeta = {
  title: 'Placement sync',
  track: 'Nova',
  room: 'Room 203',
  moderator: 'Sean',
  scheduledStart: '2025-04-01T10:00:00Z',
  startedAt: '2025-04-01T12:02:00+02:00',
  endedAt: null,
  participants: ['Sean', ' ', 'Kim'],
  url: 'https://pads.example.org/s/abc',
}

describe('docToMarkdown', () => {
  it('writes every node and mark by the conventions', () => {
    expect(docToMarkdown(every)).toBe(
      [
        '# Placement sync',
        '',
        '## Agenda',
        '',
        '1. Placement API — @sean, 10 min (done)',
        '2. Quotas — 5 min',
        '3. Limits — @Kim_Lee (parked)',
        '4. Wrap-up',
        '',
        '### Notes *and* links',
        '',
        'Plain, **bold**, *italic*, ***both***, `x = 1`, [a link](https://example.org/a_b) and [titled](https://example.org "The \\"site\\"").',
        '',
        'line one\\',
        'line two',
        '',
        '- bullet',
        '- parent',
        '  - child',
        '',
        '3. three',
        '4. four',
        '',
        '- [ ] open task',
        '- [x] done task',
        '  1. step',
        '',
        '**Decision:** Ship v2 first',
        '',
        '**Action:** Write the spec @kim',
        '',
        '**Action (done):** Mail the summary',
        '',
      ].join('\n'),
    )
  })

  it('alternates list markers so adjacent lists stay apart', () => {
    expect(docToMarkdown(doc(ul(li('a')), tasks(todo('b')), ul(li('c')), ol(li('d')), agenda(item({}, 'e'))))).toBe(
      '- a\n\n* [ ] b\n\n- c\n\n1. d\n\n1) e\n',
    )
  })

  it('escapes text that would read as Markdown', () => {
    const markdown = docToMarkdown(
      doc(
        p('*not italic* _nor this_ snake_case `tick` [x](y) \\'),
        p('1. not a list'),
        p('1) nor this'),
        p('- nope', br(), '+ nope', br(), '# nope', br(), '> nope', br(), '==='),
        p('<b>not html</b> &amp; a < b'),
        p('  padded  '),
        p(strong('Decision:'), ' not a decision'),
        h2('Issue #'),
        ul(li('[ ] not a task')),
        h2('Agenda'),
        agenda(item({}, 'Intro — 5 min')),
      ),
    )
    expect(markdown).toBe(
      [
        '\\*not italic\\* \\_nor this\\_ snake_case \\`tick\\` \\[x\\](y) \\\\',
        '',
        '1\\. not a list',
        '',
        '1\\) nor this',
        '',
        '\\- nope\\',
        '\\+ nope\\',
        '\\# nope\\',
        '\\> nope\\',
        '\\===',
        '',
        '\\<b>not html\\</b> \\&amp; a < b',
        '',
        '&#32;&#32;padded&#32;&#32;',
        '',
        '**Decision\\:** not a decision',
        '',
        '## Issue \\#',
        '',
        '- \\[ \\] not a task',
        '',
        '## Agenda',
        '',
        '1. Intro &#8212; 5 min',
        '',
      ].join('\n'),
    )
  })

  it('writes link targets with spaces or parentheses so they parse', () => {
    expect(docToMarkdown(doc(p(link('https://x.org/a b', 'x'), ' ', link('https://x.org/f(1)', 'y'))))).toBe('[x](<https://x.org/a b>) [y](https://x.org/f\\(1\\))\n')
  })

  it('writes the empty template with its section skeleton', () => {
    expect(docToMarkdown(doc(h2('Goals'), p(), h2('Agenda'), agenda(item({ id: 'item-1' })), h2('Decisions'), ul(li('')), h2('Action items'), tasks(todo(''))))).toBe(
      '## Goals\n\n## Agenda\n\n1.\n\n## Decisions\n\n-\n\n## Action items\n\n- [ ]\n',
    )
  })
})

describe('formatAgendaSuffix / parseAgendaSuffix', () => {
  it('writes and reads each combination of parts', () => {
    const cases = [
      { owner: 'sean', timebox: 10, status: 'done' },
      { owner: 'sean', timebox: 0, status: 'pending' },
      { owner: '', timebox: 15, status: 'now' },
      { owner: '', timebox: 0, status: 'parked' },
      { owner: 'a.b-c_d', timebox: 45, status: 'pending' },
    ] as const
    for (const attrs of cases) {
      const suffix = formatAgendaSuffix(attrs)
      expect(parseAgendaSuffix(`Item ${suffix}`), suffix).toMatchObject({ start: 4, dash: 5, ...attrs })
    }
    expect(formatAgendaSuffix({ owner: '', timebox: 0, status: 'pending' })).toBe('')
  })

  it('reads only a real suffix', () => {
    expect(parseAgendaSuffix('Intro — nothing')).toBeNull()
    expect(parseAgendaSuffix('Intro — ')).toBeNull()
    expect(parseAgendaSuffix('Intro—5 min')).toBeNull()
    expect(parseAgendaSuffix('Break -- 15 minutes (NOW)')).toMatchObject({ timebox: 15, status: 'now' })
  })
})

describe('exportMarkdown', () => {
  it('puts the title and the metadata that is set above the body', () => {
    const markdown = exportMarkdown(doc(h2('Goals'), p('ship')), meta)
    expect(markdown).toBe(
      [
        '# Placement sync',
        '',
        '- **Track:** Nova',
        '- **Room:** Room 203',
        '- **Moderator:** Sean',
        '- **Scheduled:** 2025-04-01 10:00 UTC',
        '- **Started:** 2025-04-01 10:02 UTC',
        '- **Participants:** Sean, Kim',
        '- **Link:** https://pads.example.org/s/abc',
        '',
        '## Goals',
        '',
        'ship',
        '',
      ].join('\n'),
    )
  })

  it('escapes the title and omits empty fields', () => {
    const markdown = exportMarkdown(doc(ul(li('first'))), { ...meta, title: '*Nova* #', track: ' ', room: '', scheduledStart: null, startedAt: null, participants: [], url: undefined })
    // The body's list follows the metadata list, so it takes the other marker.
    expect(markdown).toBe('# \\*Nova\\* \\#\n\n- **Moderator:** Sean\n\n* first\n')
    expect(exportMarkdown(doc(p('x')), { ...meta, title: ' ', track: '', room: '', moderator: '', scheduledStart: null, startedAt: null, participants: [], url: '' })).toBe(
      '# Untitled session\n\nx\n',
    )
  })
})

describe('exportText', () => {
  it('writes the title, metadata and pad as plain text', () => {
    expect(exportText(every, meta)).toBe(
      [
        'Placement sync',
        '==============',
        '',
        'Track: Nova',
        'Room: Room 203',
        'Moderator: Sean',
        'Scheduled: 2025-04-01 10:00 UTC',
        'Started: 2025-04-01 10:02 UTC',
        'Participants: Sean, Kim',
        'Link: https://pads.example.org/s/abc',
        '',
        'Placement sync',
        '==============',
        '',
        'Agenda',
        '------',
        '',
        '1. Placement API — @sean, 10 min (done)',
        '2. Quotas — 5 min',
        '3. Limits — @Kim_Lee (parked)',
        '4. Wrap-up',
        '',
        'Notes and links',
        '',
        'Plain, bold, italic, both, x = 1, a link (https://example.org/a_b) and titled (https://example.org).',
        '',
        'line one',
        'line two',
        '',
        '- bullet',
        '- parent',
        '  - child',
        '',
        '3. three',
        '4. four',
        '',
        '[ ] open task',
        '[x] done task',
        '  1. step',
        '',
        'Decision: Ship v2 first',
        '',
        '[ ] Action: Write the spec @kim',
        '',
        '[x] Action: Mail the summary',
        '',
      ].join('\n'),
    )
  })

  it('leaves out markup characters, empty paragraphs and empty items', () => {
    const text = exportText(doc(h2('Decisions'), p(), ul(li(''), li(strong('**kept**'))), tasks(todo(''))), { ...meta, track: '', room: '', moderator: '', scheduledStart: null, startedAt: null, participants: [], url: '' })
    expect(text).toBe('Placement sync\n==============\n\nDecisions\n---------\n\n- **kept**\n')
  })
})

describe('exportHtml', () => {
  const hostile = '<script>alert(1)</script>'
  const page = exportHtml(
    doc(
      h2('Notes ', hostile),
      p(hostile, ' & "quotes" \'single\''),
      p(link('javascript:alert(1)', 'js'), ' ', link('java\tscript:alert(2)', 'tab'), ' ', link('https://example.org/?a=1&b="2"', 'ok', '<t>')),
      agenda(item({ owner: '<b>me</b>', timebox: 5, status: 'now' }, 'Item')),
      tasks(done('checked')),
      decision('Use ', code('<code>')),
      action('Write docs @kim due 2025-05-01'),
    ),
    { ...meta, title: `Title ${hostile}`, room: hostile, participants: ['Sean', `<img src=x onerror=alert(1)>`], url: 'javascript:alert(3)' },
    { decisions: [hostile], actions: [{ text: hostile, owner: '<o>', due: '2025-05-01', done: true, source: 'action' }] },
  )

  it('escapes everything that comes from the pad or the metadata', () => {
    expect(page).not.toMatch(/<script|<img|<b>|<t>|<o>|onerror=alert\(1\)>/i)
    expect(page).toContain('<title>Title &#60;script&#62;alert(1)&#60;/script&#62;</title>')
    expect(page).toContain('<h1>Title &#60;script&#62;alert(1)&#60;/script&#62;</h1>')
    expect(page).toContain('<h2>Notes &#60;script&#62;alert(1)&#60;/script&#62;</h2>')
    expect(page).toContain('<p>&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34; &#39;single&#39;</p>')
    expect(page).toContain('<li>&#60;img src=x onerror=alert(1)&#62;</li>')
    expect(page).toContain('<dd>&#60;script&#62;alert(1)&#60;/script&#62;</dd>')
    expect(page).toContain('<code>&#60;code&#62;</code>')
    expect(page).toContain('@&#60;b&#62;me&#60;/b&#62; · 5 min · now')
  })

  it('neutralizes unsafe link targets and marks every link noopener', () => {
    expect(page).toContain('<a href="#" rel="noopener noreferrer nofollow">js</a>')
    expect(page).toContain('<a href="#" rel="noopener noreferrer nofollow">tab</a>')
    expect(page).toContain('<a href="https://example.org/?a=1&#38;b=&#34;2&#34;" title="&#60;t&#62;" rel="noopener noreferrer nofollow">ok</a>')
    expect(page).not.toMatch(/href="javascript|href="java\s/i)
    expect(page.match(/<a /g)).toHaveLength(page.match(/rel="noopener noreferrer nofollow"/g)!.length)
  })

  it('is a standalone, printable page without scripts or remote resources', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true)
    expect(page.trimEnd().endsWith('</html>')).toBe(true)
    expect(page).toMatch(/<meta charset="utf-8">/)
    expect(page).toMatch(/<style>[\s\S]*@media print[\s\S]*<\/style>/)
    expect(page).toMatch(/Content-Security-Policy" content="default-src 'none'/)
    expect(page).not.toMatch(/<script|<link|<iframe|<[^>]*\son[a-z]+=/i)
  })

  it('shows the pad, the outcomes and the participants', () => {
    const html = exportHtml(every, meta, extractOutcomes(every))
    expect(html).toContain('<ol class="agenda">')
    expect(html).toContain('<li class="agenda-item status-done"><p>Placement API<span class="agenda-meta">@sean · 10 min · done</span></p></li>')
    expect(html).toContain('<ol start="3">')
    expect(html).toContain('<p>line one<br>line two</p>')
    expect(html).toContain('<em><strong>both</strong></em>')
    expect(html).toContain('<a href="https://example.org" title="The &#34;site&#34;" rel="noopener noreferrer nofollow">titled</a>')
    expect(html).toContain('<li class="task done"><p><span class="box" role="img" aria-label="done">☑</span>done task</p>')
    expect(html).toContain('<p class="decision"><span class="label">Decision:</span> Ship v2 first</p>')
    const outcomes = html.slice(html.indexOf('<section class="outcomes">'))
    expect(outcomes).toContain('<ol class="decisions">\n<li>Ship v2 first</li>\n</ol>')
    expect(outcomes).toContain('<tr class="open"><td>Write the spec @kim</td><td>kim</td><td>—</td><td>Open</td></tr>')
    expect(outcomes).toContain('<tr class="done"><td>done task</td><td>—</td><td>—</td><td>Done</td></tr>')
    expect(outcomes).toContain('<section class="participants">\n<h2>Participants</h2>\n<ul>\n<li>Sean</li>\n<li>Kim</li>\n</ul>')
  })

  it('says so when there are no outcomes or participants', () => {
    const html = exportHtml(doc(p('x')), { ...meta, participants: [] }, { decisions: [], actions: [] })
    expect(html).toContain('No decisions recorded.')
    expect(html).toContain('No action items recorded.')
    expect(html).toContain('No participants recorded.')
  })
})
