import { describe, expect, it } from 'vitest'
import type { DOMOutputSpec } from 'prosemirror-model'
import { safeHref, schema } from '../../../shared/schema.ts'

describe('safeHref', () => {
  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    '  javascript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
  ])('replaces %j with #', (href) => {
    expect(safeHref(href)).toBe('#')
  })

  it.each([
    ['https://example.org/a?b=c', 'https://example.org/a?b=c'],
    ['HTTP://example.org', 'HTTP://example.org'],
    ['mailto:ada@example.org', 'mailto:ada@example.org'],
    ['/s/abc123', '/s/abc123'],
    ['notes.html#decisions', 'notes.html#decisions'],
    ['#agenda', '#agenda'],
    ['  https://example.org  ', 'https://example.org'],
  ])('keeps %j', (href, expected) => {
    expect(safeHref(href)).toBe(expected)
  })

  it('is applied when a link mark is rendered', () => {
    const mark = schema.marks.link.create({ href: 'javascript:alert(document.cookie)' })
    const spec = schema.marks.link.spec.toDOM!(mark, true) as Extract<DOMOutputSpec, readonly unknown[]>
    expect(spec[1]).toMatchObject({ href: '#', rel: 'noopener noreferrer nofollow' })
  })

  // Browsers strip ASCII tab and newline anywhere in a URL and C0 controls at its start (WHATWG
  // URL parsing), so each of these runs as a javascript: URL when set as an href.
  it.each([
    ['a newline inside the scheme', 'java\nscript:alert(1)'],
    ['a tab inside the scheme', 'java\tscript:alert(1)'],
    ['a leading control character', '\u0001javascript:alert(1)'],
  ])('neutralises a javascript: URL with %s', (_label, href) => {
    expect(safeHref(href)).toBe('#')
  })
})
