import { describe, expect, it } from 'vitest'
import { exportMarkdown } from '../../../shared/export/markdown.ts'
import { readableDoc, withAbsoluteLinks, withoutEmptySections, withoutLineEndSpace } from '../../../shared/export/readable-doc.ts'
import { exportHtml } from '../../../shared/export/html.ts'
import { exportText } from '../../../shared/export/text.ts'
import { renderExport } from '../../../server/archive/exports.ts'
import type { Session } from '../../../shared/api.ts'
import { sessionTemplate } from '../../../shared/template.ts'
import { agenda, br, doc, h1, h2, h3, item, li, link, p, strong, tasks, todo, ul } from '../../helpers/pm-builder.ts'

const meta = { title: 'T', track: '', room: '', moderator: '', scheduledStart: null, startedAt: null, endedAt: null, participants: [] }

describe('withoutEmptySections', () => {
  it('leaves out the template sections nobody filled, keeps the filled ones and what comes before the first heading', () => {
    const filled = doc(
      p('Intro line'),
      h2('Goals'),
      p(),
      h2('Agenda'),
      agenda(item({ id: 'item-1' })),
      h2('Notes'),
      p('We talked.'),
      h2('Decisions'),
      ul(li('')),
      h2('Action items'),
      tasks(todo('')),
    )
    expect(withoutEmptySections(filled)).toEqual(doc(p('Intro line'), h2('Notes'), p('We talked.')))
  })

  it('keeps an agenda item with only an owner or timebox, and a heading whose sub-section has content', () => {
    const pad = doc(h1('Title'), h2('Agenda'), agenda(item({ id: 'a', owner: 'sean' })), h2('Empty'), h3('Also empty'), p(' '), h2('Parent'), h3('Child'), p('text'))
    expect(withoutEmptySections(pad)).toEqual(doc(h1('Title'), h2('Agenda'), agenda(item({ id: 'a', owner: 'sean' })), h2('Parent'), h3('Child'), p('text')))
  })

  it('leaves out the whole untouched template', () => {
    expect(withoutEmptySections(sessionTemplate({ title: 'Untouched' })).content).toEqual([])
  })
})

describe('withoutLineEndSpace', () => {
  it('drops white space before hard breaks and at block ends, across marks; keeps it elsewhere', () => {
    expect(withoutLineEndSpace(doc(p('one  ', br(), ' two ', ...strong('   ')), ul(li('item\t'))))).toEqual(doc(p('one', br(), ' two'), ul(li('item'))))
  })
})

describe('withAbsoluteLinks', () => {
  const pad = doc(p(...link('/s/other', 'other'), ' ', ...link('https://x.org/a', 'abs'), ' ', ...link('mailto:a@b.org', 'mail'), ' ', ...link('notes/x', 'rel')))
  it('resolves relative links against the public URL', () => {
    expect(withAbsoluteLinks(pad, 'https://summit.example.org/pad')).toEqual(
      doc(p(...link('https://summit.example.org/s/other', 'other'), ' ', ...link('https://x.org/a', 'abs'), ' ', ...link('mailto:a@b.org', 'mail'), ' ', ...link('https://summit.example.org/pad/notes/x', 'rel'))),
    )
  })
  it('leaves out relative links (keeping their text) without a public URL', () => {
    expect(withAbsoluteLinks(pad, null)).toEqual(doc(p('other', ' ', ...link('https://x.org/a', 'abs'), ' ', ...link('mailto:a@b.org', 'mail'), ' ', 'rel')))
  })
})

describe('exports made from a readable pad (issue 19)', () => {
  const session: Session = {
    id: 'cinder-multiattach',
    title: 'Cinder',
    track: 'Storage',
    room: '',
    moderator: '',
    scheduledStart: null,
    durationMinutes: 40,
    access: 'open',
    state: 'ended',
    startedAt: null,
    endsAt: null,
    endedAt: null,
    locked: false,
    currentItem: null,
    projectorChat: false,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    timeZone: null,
    joinCode: null,
    recapMail: true,
  }
  const pad = doc(h2('Goals'), p(), h2('Notes'), p('Trailing space ', br(), 'see ', ...link('/s/other', 'the other pad')), h2('Decisions'), ul(li('')))
  const source = { session, doc: pad, outcomes: { decisions: [], actions: [] }, participants: ['Ada'], chat: [] }

  it('Markdown has no &#32;, no relative link and no empty section; with PUBLIC_URL the links are absolute', () => {
    const bare = renderExport('md', source).body
    expect(bare).not.toContain('&#32;')
    expect(bare).not.toMatch(/\]\(\/|Link:|## Goals|## Decisions/)
    expect(bare).toContain('Trailing space\\\nsee the other pad')
    const hosted = renderExport('md', { ...source, publicUrl: 'https://summit.example.org' }).body
    expect(hosted).toContain('[the other pad](https://summit.example.org/s/other)')
    expect(hosted).toContain('**Link:** https://summit.example.org/s/cinder-multiattach')
  })

  it('HTML and text leave out the empty sections and relative links too; JSON keeps the whole pad', () => {
    const html = renderExport('html', source).body
    expect(html).not.toMatch(/href="\/|<h2>Goals|<h2>Decisions/)
    const text = renderExport('txt', source).body
    expect(text).not.toMatch(/^Goals$|^Decisions$|\/s\//m)
    expect(JSON.parse(renderExport('json', source).body).doc).toEqual(pad)
  })

  it('is what the exporters are given: readableDoc composes the three', () => {
    const readable = readableDoc(pad, null)
    expect(exportMarkdown(readable, meta)).toBe(renderExport('md', { ...source, session: { ...session, title: 'T', track: '' }, participants: [] }).body)
    expect(exportHtml(readable, meta, source.outcomes)).not.toContain('Goals')
    expect(exportText(readable, meta)).not.toContain('Goals')
  })
})
