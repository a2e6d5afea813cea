import { describe, expect, it } from 'vitest'
import { formatDocName, isSessionId, parseDocName, randomSessionId } from '../../../shared/doc-name.ts'

describe('parseDocName', () => {
  it('parses a session id as the pad, <id>/control as the control doc and <id>/chat as the chat', () => {
    expect(parseDocName('abc123')).toEqual({ sessionId: 'abc123', kind: 'pad' })
    expect(parseDocName('abc123/control')).toEqual({ sessionId: 'abc123', kind: 'control' })
    expect(parseDocName('abc123/chat')).toEqual({ sessionId: 'abc123', kind: 'chat' })
    expect(parseDocName('a')).toEqual({ sessionId: 'a', kind: 'pad' })
    expect(parseDocName('x'.repeat(64))).toEqual({ sessionId: 'x'.repeat(64), kind: 'pad' })
  })

  it.each([
    ['empty', ''],
    ['upper case', 'ABC'],
    ['leading dash', '-abc'],
    ['65 characters', 'x'.repeat(65)],
    ['space', 'a b'],
    ['dot segment', '..'],
    ['unknown kind', 'abc/notes'],
    ['empty kind', 'abc/'],
    ['extra segment', 'abc/control/x'],
    ['chat with extra segment', 'abc/chat/x'],
    ['upper-case kind', 'abc/Chat'],
    ['empty id with chat', '/chat'],
    ['empty id with kind', '/control'],
    ['percent escape', 'abc%2Fcontrol'],
  ])('returns null for %s', (_label, name) => {
    expect(parseDocName(name)).toBeNull()
  })
})

describe('formatDocName', () => {
  it('is the inverse of parseDocName', () => {
    for (const name of ['pad-1', 'pad-1/control', 'pad-1/chat', 'z9']) {
      expect(formatDocName(parseDocName(name)!)).toBe(name)
    }
  })
})

describe('randomSessionId', () => {
  it('returns well-formed ids of the requested length from the unambiguous alphabet', () => {
    const ids = Array.from({ length: 500 }, () => randomSessionId())
    for (const id of ids) {
      expect(id).toHaveLength(10)
      expect(isSessionId(id)).toBe(true)
      expect(id).toMatch(/^[a-hjkmnp-z2-9]+$/)
    }
    expect(new Set(ids).size).toBe(ids.length)
    expect(randomSessionId(24)).toHaveLength(24)
  })

  it('uses every letter of its alphabet', () => {
    const seen = new Set(Array.from({ length: 400 }, () => randomSessionId()).join(''))
    expect(seen.size).toBe(31)
  })
})
