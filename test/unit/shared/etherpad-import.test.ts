/**
 * Etherpad import, parser level: `.etherpad` files (atext, attribute pool, line markers, authors,
 * chat), Etherpad's HTML and text exports, the nesting of list lines, and hostile input (each
 * refused with an ImportError naming why, never a crash or a hang).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { etherpadPalette, maxEtherpadAuthors, maxEtherpadChat, maxPoolEntries, parseEtherpad, summitpadColor } from '../../../shared/import/etherpad.ts'
import { blend, contrast } from '../../helpers/contrast.ts'
import { parseEtherpadHtml, parseEtherpadText } from '../../../shared/import/etherpad-exports.ts'
import { ImportError } from '../../../shared/import/markdown.ts'
import { linesToDoc, maxPadLines, type PadLine } from '../../../shared/import/pad-lines.ts'
import { schema } from '../../../shared/schema.ts'
import { buildAtext, buildEtherpadFile, type LineSpec } from '../../helpers/etherpad-builder.ts'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/etherpad/${name}`, import.meta.url), 'utf8')
const texts = (line: PadLine) => line.runs.map((run) => run.text).join('')

/** An `.etherpad` file of one pad with `lines`, as a string. */
function padFile(lines: LineSpec[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify(buildEtherpadFile({ padId: 'p', lines, authors: { 'a.one': { name: 'One', colorId: 0 } }, extra }))
}

/** An `.etherpad` file whose pad record holds exactly this atext and pool. */
function rawPad(text: string, attribs: string, numToAttrib: Record<string, unknown> = {}): string {
  return JSON.stringify({ 'pad:p': { atext: { text, attribs }, pool: { numToAttrib, nextNum: Object.keys(numToAttrib).length }, head: 0 } })
}

function refusal(run: () => unknown): { reason: string; message: string } {
  try {
    run()
  } catch (error) {
    if (error instanceof ImportError) return { reason: error.reason, message: error.message }
    throw error
  }
  throw new Error('expected an ImportError')
}

describe('parseEtherpad', () => {
  it('reads a hand-written atext: attribute numbers in base 36, line counts, the pool', () => {
    // Attribute 35 is "z" in base 36.
    const numbered = { '0': ['author', 'a.x'], '35': ['bold', 'true'] }
    const pad = parseEtherpad(rawPad('hello world\nsecond\n', '*0+6*0*z|1+6|1+7', numbered))
    expect(pad.lines).toHaveLength(2)
    expect(pad.lines[0]!.runs).toEqual([
      { text: 'hello ', bold: false, italic: false, href: null, author: 'a.x' },
      { text: 'world', bold: true, italic: false, href: null, author: 'a.x' },
    ])
    expect(texts(pad.lines[1]!)).toBe('second')
    expect(pad.lines[1]!.runs[0]!.author).toBeNull()
    expect(pad.authors).toEqual([{ id: 'a.x', name: 'Unnamed author 1', color: '#ae1313' }])
  })

  it('reads the summit fixture: headings, nested lists, marks, links, three authors and the chat', () => {
    const pad = parseEtherpad(fixture('summit.etherpad'))
    expect(pad.padId).toBe('nova-cells-v2')
    expect(pad.lines.map((line) => [line.block, line.level, texts(line)])).toEqual([
      ['heading', 1, 'Nova: cells v2 design session'],
      ['paragraph', 1, 'Etherpad: https://etherpad.openstack.org/p/nova-cells-v2'],
      ['paragraph', 1, ''],
      ['heading', 2, 'Agenda'],
      ['number', 1, 'Status of cells v2'],
      ['number', 1, 'Migration path'],
      ['bullet', 2, 'online data migrations'],
      ['bullet', 2, 'what breaks for operators'],
      ['paragraph', 1, ''],
      ['heading', 2, 'Notes'],
      ['paragraph', 1, 'We agreed to keep the API stable for two releases.'],
      ['bullet', 1, 'Spec: nova-specs review'],
      ['bullet', 1, 'Underlined and struck text stays'],
      ['paragraph', 1, ''],
    ])
    // The line marker is not text, and a URL in the text becomes a link.
    expect(pad.lines[1]!.runs.map((run) => run.href)).toEqual([null, 'https://etherpad.openstack.org/p/nova-cells-v2'])
    const notes = pad.lines[10]!.runs
    expect(notes.map((run) => [run.text, run.italic, run.author])).toEqual([
      ['We agreed ', false, 'a.7nP0v1kQmXb2Y3cZ'],
      ['to keep the API stable', true, 'a.Q2r9sTuV8wX1yZ0a'],
      [' for two releases.', false, 'a.L5kJ3hG7fD2sA9pO'],
    ])
    expect(pad.lines[7]!.runs[1]).toMatchObject({ text: 'operators', bold: true })
    expect(pad.lines[11]!.runs[1]).toMatchObject({ text: 'nova-specs review', href: 'https://review.openstack.org/#/c/12345/' })
    expect(pad.authors).toEqual([
      { id: 'a.7nP0v1kQmXb2Y3cZ', name: 'Thierry', color: '#109393' },
      { id: 'a.Q2r9sTuV8wX1yZ0a', name: 'Ildikó', color: '#ae1387' },
      { id: 'a.L5kJ3hG7fD2sA9pO', name: 'Unnamed author 3', color: '#133bae' },
    ])
    expect(pad.chat).toEqual([
      { author: 'a.7nP0v1kQmXb2Y3cZ', text: 'Starting in two minutes', time: 1_400_000_100_000 },
      { author: 'a.Q2r9sTuV8wX1yZ0a', text: 'Can someone link the spec? https://review.openstack.org/', time: 1_400_000_160_000 },
      { author: 'a.L5kJ3hG7fD2sA9pO', text: 'Done, see the notes', time: 1_400_000_220_000 },
    ])
  })

  it('reads the legacy fixture: core headings, indents, list start, skipped levels, `url`, `userId`, short colours; unsafe links dropped', () => {
    const pad = parseEtherpad(fixture('legacy.etherpad'))
    expect(pad.lines.map((line) => [line.block, line.level, line.start, texts(line)])).toEqual([
      ['heading', 1, null, 'Core heading'],
      ['paragraph', 1, null, 'indented, not a list'],
      ['number', 1, 3, 'third'],
      ['number', 3, null, 'skipped a level'],
      ['paragraph', 1, null, 'a plugin link'],
      ['paragraph', 1, null, 'bad link'],
    ])
    expect(pad.lines[4]!.runs[1]!.href).toBe('https://example.org/x')
    expect(pad.lines[5]!.runs[0]!.href).toBeNull()
    expect(pad.authors[0]).toEqual({ id: 'a.oldAuthor0000001', name: 'Unnamed author 1', color: '#2c6196' })
    // An author without a globalAuthor record still gets a name and a palette colour.
    expect(pad.authors[1]).toMatchObject({ id: 'a.noRecordForThis00', name: 'Unnamed author 2' })
    expect(pad.chat).toEqual([{ author: 'a.oldAuthor0000001', text: 'old style message', time: 1_300_000_000_000 }])
  })

  it('falls back to the head revision’s atext when the pad record has none', () => {
    const file = JSON.parse(padFile([{ spans: [{ text: 'from the revision' }] }])) as Record<string, Record<string, unknown>>
    delete file['pad:p']!.atext
    expect(texts(parseEtherpad(JSON.stringify(file)).lines[0]!)).toBe('from the revision')
  })

  it('refuses hostile and broken files with a reason', () => {
    expect(refusal(() => parseEtherpad('not json'))).toMatchObject({ reason: 'malformed', message: /not JSON/ })
    expect(refusal(() => parseEtherpad('[1,2]'))).toMatchObject({ reason: 'malformed' })
    expect(refusal(() => parseEtherpad('{}'))).toMatchObject({ reason: 'malformed', message: /no "pad:<id>" record/ })
    const two = JSON.parse(padFile([{ spans: [{ text: 'a' }] }])) as Record<string, unknown>
    two['pad:other'] = two['pad:p']
    expect(refusal(() => parseEtherpad(JSON.stringify(two)))).toMatchObject({ reason: 'malformed', message: /2 pads/ })
    // Attribute missing from the pool, huge numbers, wrong operators, counts past the text.
    expect(refusal(() => parseEtherpad(rawPad('ab\n', '*5+2|1+1')))).toMatchObject({ reason: 'malformed', message: /\*5 is not in the pool/ })
    expect(refusal(() => parseEtherpad(rawPad('ab\n', '+zzzzzzzzzzzzzzzzzzzzzz|1+1')))).toMatchObject({ reason: 'malformed', message: /too large/ })
    expect(refusal(() => parseEtherpad(rawPad('ab\n', '+zzzzzzzz')))).toMatchObject({ reason: 'malformed', message: /more characters than the text/ })
    expect(refusal(() => parseEtherpad(rawPad('ab\n', '=2|1+1')))).toMatchObject({ reason: 'malformed', message: /"\+" was expected/ })
    expect(refusal(() => parseEtherpad(rawPad('ab\n', '+2')))).toMatchObject({ reason: 'malformed', message: /cover 2 of the text's 3/ })
    expect(refusal(() => parseEtherpad(rawPad('ab\n', '|2+3')))).toMatchObject({ reason: 'malformed', message: /2 line break/ })
    expect(refusal(() => parseEtherpad(rawPad('a\nb\n', '+4')))).toMatchObject({ reason: 'malformed', message: /0 line break/ })
    expect(refusal(() => parseEtherpad(rawPad('ab', '+2')))).toMatchObject({ reason: 'malformed', message: /does not end with a line break/ })
    expect(refusal(() => parseEtherpad(rawPad('ab\n', '+0+2|1+1')))).toMatchObject({ reason: 'malformed' })
    expect(refusal(() => parseEtherpad(rawPad('ab\n', '*+2|1+1')))).toMatchObject({ reason: 'malformed', message: /number was expected/ })
    expect(refusal(() => parseEtherpad(rawPad('ab\n', '+2|1+1', { '0': ['author'] })))).toMatchObject({ reason: 'malformed', message: /pair of strings/ })
    expect(refusal(() => parseEtherpad(JSON.stringify({ 'pad:p': { atext: { text: 1, attribs: '' }, pool: { numToAttrib: {} } } })))).toMatchObject({ reason: 'malformed' })
  })

  it('refuses input past its bounds before doing the work: a million lines, pool entries, authors, chat', () => {
    const million = '\n'.repeat(1_000_000)
    expect(refusal(() => parseEtherpad(rawPad(million, `|${(1_000_000).toString(36)}+${(1_000_000).toString(36)}`)))).toMatchObject({ reason: 'too_many_items' })
    const pool = Object.fromEntries(Array.from({ length: maxPoolEntries + 1 }, (_, i) => [String(i), ['bold', 'true']]))
    expect(refusal(() => parseEtherpad(rawPad('a\n', '|1+2', pool)))).toMatchObject({ reason: 'too_many_items', message: /pool/ })
    const authors: LineSpec[] = Array.from({ length: maxEtherpadAuthors + 1 }, (_, i) => ({ spans: [{ text: 'x', attrs: [['author', `a.${i}`]] }] }))
    expect(refusal(() => parseEtherpad(padFile(authors)))).toMatchObject({ reason: 'too_many_items', message: /authors/ })
    const chat = Object.fromEntries(Array.from({ length: maxEtherpadChat + 1 }, (_, i) => [`pad:p:chat:${i}`, { text: 'hi', authorId: 'a.one', time: i }]))
    expect(refusal(() => parseEtherpad(padFile([{ spans: [{ text: 'x' }] }], chat)))).toMatchObject({ reason: 'too_many_items', message: /chat/ })
    expect(refusal(() => parseEtherpad(' '.repeat(16 * 1024 * 1024 + 1)))).toMatchObject({ reason: 'too_large' })
    // One line whose every character changes author: 300,000 operations.
    const flicker = rawPad(`${'x'.repeat(300_000)}\n`, `${'*0+1*1+1'.repeat(150_000)}|1+1`, { '0': ['author', 'a.1'], '1': ['author', 'a.2'] })
    expect(refusal(() => parseEtherpad(flicker))).toMatchObject({ reason: 'too_many_items', message: /200000 times/ })
  })

  it('survives deeply nested JSON and plugin records it does not know', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    const file = padFile([{ spans: [{ text: 'kept' }] }]).replace(/}$/, `,"ep_plugin:p":${deep}}`)
    expect(texts(parseEtherpad(file).lines[0]!)).toBe('kept')
  })

  it('reads line markers only where they carry lmkr', () => {
    const { atext, pool } = buildAtext([{ spans: [{ text: '*not a marker' }] }, { line: [['list', 'bullet1']], spans: [{ text: 'item' }] }])
    const pad = parseEtherpad(JSON.stringify({ 'pad:p': { atext, pool, head: 0 } }))
    expect(pad.lines.map((line) => [line.block, texts(line)])).toEqual([
      ['paragraph', '*not a marker'],
      ['bullet', 'item'],
    ])
  })
})

describe('summitpadColor', () => {
  it('turns each of Etherpad’s light author colours into one that reads on white and tints text readably', () => {
    const tintAlpha = 0x2e / 255
    const colors = new Set<string>()
    for (const light of etherpadPalette) {
      const color = summitpadColor(light)
      expect(color).toMatch(/^#[0-9a-f]{6}$/)
      expect(contrast(color, '#ffffff'), `${light} → ${color}`).toBeGreaterThanOrEqual(3)
      expect(contrast('#1a1f24', blend(color, tintAlpha, '#ffffff')), `${light} → ${color}`).toBeGreaterThanOrEqual(4.5)
      colors.add(color)
    }
    // Distinct hues stay distinct.
    expect(colors.size).toBeGreaterThan(40)
  })
})

describe('linesToDoc', () => {
  const line = (block: PadLine['block'], level: number, text: string, author: string | null = null): PadLine => ({
    block,
    level,
    start: null,
    runs: [{ text, bold: false, italic: false, href: null, author }],
  })

  it('nests list levels one at a time, starts a new list when the type changes, and fits the schema', () => {
    const doc = linesToDoc([line('bullet', 2, 'starts at two'), line('bullet', 5, 'jumps'), line('number', 2, 'other type'), line('bullet', 1, 'back'), line('paragraph', 1, 'after')], () => null)
    schema.nodeFromJSON(doc).check()
    const node = schema.nodeFromJSON(doc)
    expect(node.child(0).type.name).toBe('bullet_list')
    const first = node.child(0).child(0)
    expect(first.child(0).textContent).toBe('starts at two')
    expect(first.child(1).type.name).toBe('bullet_list')
    expect(first.child(2).type.name).toBe('ordered_list')
    expect(node.child(0).child(1).textContent).toBe('back')
    expect(node.child(1).type.name).toBe('paragraph')
  })

  it('maps each run’s author through personOf onto the text node, joining neighbours of one person and marks', () => {
    const two: PadLine = { ...line('paragraph', 1, 'hi', 'a.x'), runs: [...line('paragraph', 1, 'hi', 'a.x').runs, ...line('paragraph', 1, ' there', 'a.x').runs, ...line('paragraph', 1, '!', 'a.y').runs] }
    const doc = linesToDoc([two], (author) => (author === 'a.x' ? 'etherpad-a_x' : null))
    expect(doc.content![0]!.content).toEqual([
      { type: 'text', text: 'hi there', author: 'etherpad-a_x' },
      { type: 'text', text: '!' },
    ])
  })

  it('refuses a pad without text and one past the line bound', () => {
    expect(refusal(() => linesToDoc([line('paragraph', 1, '  ')], () => null))).toMatchObject({ reason: 'empty' })
    expect(refusal(() => linesToDoc(Array.from({ length: maxPadLines + 1 }, () => line('paragraph', 1, 'x')), () => null))).toMatchObject({ reason: 'too_many_items' })
  })
})

describe('Etherpad HTML and text exports', () => {
  it('reads the HTML export: headings, nested lists, marks, links; scripts, styles and unsafe links never reach the pad', () => {
    const lines = parseEtherpadHtml(fixture('summit.html'))
    expect(lines.map((l) => [l.block, l.level, texts(l)])).toEqual([
      ['heading', 1, 'Nova: cells v2 design session'],
      ['paragraph', 1, 'Etherpad: https://etherpad.openstack.org/p/nova-cells-v2'],
      ['paragraph', 1, ''],
      ['heading', 2, 'Agenda'],
      ['number', 1, 'Status of cells v2'],
      ['number', 1, 'Migration path'],
      ['bullet', 2, 'online data migrations'],
      ['bullet', 2, 'what breaks for operators'],
      ['paragraph', 1, ''],
      ['heading', 2, 'Notes'],
      ['paragraph', 1, 'We agreed to keep the API stable for two releases.'],
      ['bullet', 1, 'Spec: nova-specs review'],
      ['bullet', 1, 'Underlined and struck text stays'],
      ['bullet', 1, 'not a link'],
      ['paragraph', 1, 'indented, not a list'],
    ])
    const all = JSON.stringify(lines)
    expect(all).not.toMatch(/should never reach|counter-reset|javascript|alert/)
    expect(lines[7]!.runs.at(-1)).toMatchObject({ text: 'operators', bold: true })
    expect(lines[10]!.runs[1]).toMatchObject({ text: 'to keep the API stable', italic: true })
    expect(lines[11]!.runs[1]).toMatchObject({ text: 'nova-specs review', href: 'https://review.openstack.org/#/c/12345/' })
  })

  it('reads nested lists to the deepest kept level, refuses deeper HTML nesting and a flood of lines', () => {
    const nested = `${'<div><ul><li>'.repeat(80)}deep${'</li></ul></div>'.repeat(80)}`
    const lines = parseEtherpadHtml(nested)
    expect(lines.map(texts)).toEqual(['deep'])
    expect(lines[0]!.level).toBe(8)
    const deep = `${'<div><ul><li>'.repeat(100_000)}deep`
    expect(refusal(() => parseEtherpadHtml(deep))).toMatchObject({ reason: 'too_many_items', message: /deeper than 256/ })
    expect(refusal(() => parseEtherpadHtml('x<br>'.repeat(maxPadLines + 1)))).toMatchObject({ reason: 'too_many_items' })
  })

  it('reads the text export: tab-indented `*` and numbered items as lists', () => {
    const lines = parseEtherpadText(fixture('summit.txt'))
    expect(lines.map((l) => [l.block, l.level, texts(l)]).slice(3, 8)).toEqual([
      ['paragraph', 1, 'Agenda'],
      ['number', 1, 'Status of cells v2'],
      ['number', 1, 'Migration path'],
      ['bullet', 2, 'online data migrations'],
      ['bullet', 2, 'what breaks for operators'],
    ])
    expect(refusal(() => parseEtherpadText('a\0b'))).toMatchObject({ reason: 'binary' })
    expect(refusal(() => parseEtherpadText('x\n'.repeat(maxPadLines + 1)))).toMatchObject({ reason: 'too_many_items' })
  })
})
