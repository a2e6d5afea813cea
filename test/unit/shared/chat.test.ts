import { describe, expect, it } from 'vitest'
import { chatSegments, toChatMessage, toChatMessages, type ChatMessage } from '../../../shared/chat.ts'

const valid: ChatMessage = { id: 'm1', authorId: 'a-1', name: 'Ada', color: '#1565c0', text: 'hello', time: 1_760_000_000_000 }

describe('toChatMessage', () => {
  it('accepts a well-formed message, trimming and cutting the name and dropping extra fields', () => {
    expect(toChatMessage(valid)).toEqual(valid)
    expect(toChatMessage({ ...valid, name: `  ${'n'.repeat(80)} `, extra: '<script>' })).toEqual({ ...valid, name: 'n'.repeat(60) })
    expect(toChatMessage({ ...valid, text: 'x'.repeat(2000) })?.text).toHaveLength(2000)
  })

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['an array', [valid]],
    ['no id', { ...valid, id: undefined }],
    ['an id with a slash', { ...valid, id: 'a/b' }],
    ['a long author id', { ...valid, authorId: 'a'.repeat(65) }],
    ['a numeric name', { ...valid, name: 42 }],
    ['a blank name', { ...valid, name: '   ' }],
    ['a named colour', { ...valid, color: 'red' }],
    ['a CSS-injecting colour', { ...valid, color: '#123456;background:url(x)' }],
    ['blank text', { ...valid, text: ' \n ' }],
    ['text over 2000 characters', { ...valid, text: 'x'.repeat(2001) }],
    ['a string time', { ...valid, time: '2025-10-21' }],
    ['a NaN time', { ...valid, time: Number.NaN }],
    ['a negative time', { ...valid, time: -1 }],
  ])('drops %s', (_label, value) => {
    expect(toChatMessage(value)).toBeNull()
  })

  it('keeps the order of the well-formed messages among malformed ones', () => {
    const second = { ...valid, id: 'm2', text: 'second' }
    expect(toChatMessages([valid, { junk: true }, 7, second, { ...valid, color: 'blue' }])).toEqual([valid, second])
  })
})

describe('chatSegments', () => {
  const join = (text: string) =>
    chatSegments(text)
      .map((segment) => segment.text)
      .join('')

  it('splits text and http(s) URLs, and the segments give the text back', () => {
    const text = '<script>alert(1)</script> and https://example.org'
    expect(chatSegments(text)).toEqual([
      { type: 'text', text: '<script>alert(1)</script> and ' },
      { type: 'link', text: 'https://example.org', url: 'https://example.org' },
    ])
    for (const sample of [text, 'no links here', 'http://a.example/x?y=1#z, then HTTPS://B.example.', '']) expect(join(sample)).toBe(sample)
  })

  it('leaves sentence punctuation out of a URL but keeps balanced parentheses', () => {
    expect(chatSegments('See https://example.org/a.').map((segment) => segment.text)).toEqual(['See ', 'https://example.org/a', '.'])
    expect(chatSegments('(https://example.org/x)')[1]).toMatchObject({ url: 'https://example.org/x' })
    expect(chatSegments('https://en.wikipedia.org/wiki/Foo_(bar)')[0]).toMatchObject({ url: 'https://en.wikipedia.org/wiki/Foo_(bar)' })
  })

  it('links only http and https, and stops at quotes and angle brackets', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://example.org', 'mailto:a@example.org', 'https://']) {
      expect(chatSegments(text).filter((segment) => segment.type === 'link'), text).toEqual([])
    }
    expect(chatSegments('"https://example.org/a"onmouseover="x"')[1]).toMatchObject({ url: 'https://example.org/a' })
    expect(chatSegments('https://example.org/<img>')[0]).toMatchObject({ url: 'https://example.org/' })
  })
})
