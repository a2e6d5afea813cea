/**
 * Reads an `.etherpad` file: Etherpad's own export of one pad (its "Export all", the
 * `ExportEtherpad` format). The file is one JSON object of database records:
 *
 * - `pad:<padId>`: the pad, with `atext` (the text of its last revision, always ending in a line
 *   break, and `attribs`, a changeset-style string that attributes every character), `pool`
 *   (`numToAttrib`: attribute number → `[key, value]`), `head` and `chatHead`;
 * - `pad:<padId>:revs:<n>`: the revisions (not replayed: the pad's last revision is what is
 *   imported; `revs:<head>`'s `meta.atext` stands in when the pad record has no atext);
 * - `pad:<padId>:chat:<n>`: chat messages `{ text, authorId (userId in old files), time }`;
 * - `globalAuthor:<authorId>`: the authors, `{ name, colorId }` (a palette index or `#rrggbb`; the
 *   light colour is darkened to the same hue for summitpad, see `summitpadColor`).
 * Other records (plugins') are ignored.
 *
 * `attribs` is a run of operations `(*N)* (|L)? +C`: the attribute numbers `N` apply to the next
 * `C` characters, `L` of them line breaks; numbers are base 36. A line starting with the line
 * marker `*` attributed `lmkr` carries the line's attributes on that character: `list`
 * (`bullet1`, `number2`, `indent1`: type and level), `start` (a numbered list's first number),
 * `heading` (`h1`… from ep_headings2). Character attributes read: `author`, `bold`, `italic`,
 * `heading1`… (core Etherpad's headings), `link`/`url` (plugins' links). `underline` and
 * `strikethrough` have no mark in the pad schema and are dropped (the text stays).
 *
 * Every bound is checked before the work it bounds; anything that breaks the format or a bound
 * throws ImportError: `malformed` (400), `too_large` (413), `too_many_items` (422), `empty` (400).
 */
import { ImportError } from './limits.ts'
import { clampLevel, headingLevel, linkify, linkTarget, maxPadChars, maxPadLines, maxPadRuns, type PadLine, type PadRun } from './pad-lines.ts'

/** Largest `.etherpad` file accepted, in characters (revisions included). @default 16777216 (16 MiB) */
export const maxEtherpadChars = 16 * 1024 * 1024
/** Most attribute pool entries. @default 10000 */
export const maxPoolEntries = 10_000
/** Most authors a pad may name. @default 1000 */
export const maxEtherpadAuthors = 1000
/** Most chat messages. @default 10000 */
export const maxEtherpadChat = 10_000

/** An Etherpad author of the pad's text or chat. */
export interface EtherpadAuthor {
  /** Etherpad's author id (`a.` and 16 characters, in practice). */
  id: string
  /** Trimmed, at most 60 characters; "Unnamed author N" when the pad has none. */
  name: string
  /** `#rrggbb`. */
  color: string
}

/** One chat message of the pad. */
export interface EtherpadChat {
  author: string | null
  /** Not blank; at most 2000 characters (longer ones are cut). */
  text: string
  /** ms since the epoch (0 when the file has none). */
  time: number
}

/** An Etherpad pad as imported: its last revision's lines, the authors, the chat. */
export interface ParsedPad {
  padId: string
  lines: PadLine[]
  /** Each author named by a text run or a chat message, in order of first appearance. */
  authors: EtherpadAuthor[]
  chat: EtherpadChat[]
}

/**
 * Etherpad's author colour palette (`colorId` indexes it), as its AuthorManager lists it: these
 * are colour values, the data an `.etherpad` file refers to.
 */
export const etherpadPalette = (
  'ffc7c7 fff1c7 e3ffc7 c7ffd5 c7ffff c7d5ff e3c7ff ffc7f1 ffa8a8 ffe699 cfff9e 99ffb3 a3ffff 99b3ff cc99ff ff99e5 ' +
  'e7b1b1 e9dcaf cde9af bfedcc b1e7e7 c3cdee d2b8ea eec3e6 e9cece e7e0ca d3e5c7 bce1c5 c1e2e2 c1c9e2 cfc1e2 e0bdd9 ' +
  'baded3 a0f8eb b1e7e0 c3c8e4 cec5e2 b1d5e7 cda8f0 f0f0a8 f2f2a6 f5a8eb c5f9a9 ececbb e7c4bc daf0b2 b0a0fd bce2e7 ' +
  'cce2bb ec9afe edabbd aeaeea c4e7b1 d722bb f3a5e7 ffa8a8 d8c0c5 eaaedd adc6eb bedad1 dee9af e9afc2 f8d2a0 b3b3e6'
)
  .split(' ')
  .map((hex) => `#${hex}`)

const malformed = (message: string) => new ImportError('malformed', `not a readable .etherpad file: ${message}`)

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Reads an `.etherpad` file (see the module header). Throws ImportError. */
export function parseEtherpad(file: string): ParsedPad {
  if (file.length > maxEtherpadChars) throw new ImportError('too_large', `the file has ${file.length} characters; at most ${maxEtherpadChars} can be imported`)
  let records: unknown
  try {
    records = JSON.parse(file)
  } catch {
    throw malformed('it is not JSON')
  }
  if (!isObject(records)) throw malformed('it is not a JSON object of records')
  const padKeys = Object.keys(records).filter((key) => /^pad:[^:]+$/.test(key))
  if (padKeys.length === 0) throw malformed('it has no "pad:<id>" record')
  if (padKeys.length > 1) throw malformed(`it holds ${padKeys.length} pads; export one pad per file`)
  const padId = padKeys[0]!.slice('pad:'.length)
  const pad = records[padKeys[0]!]
  if (!isObject(pad)) throw malformed(`"pad:${padId}" is not an object`)
  const atext = padText(pad, records[`pad:${padId}:revs:${typeof pad.head === 'number' ? pad.head : -1}`])
  const pool = readPool(pad.pool)
  const authorOrder = new Map<string, number>()
  const noteAuthor = (id: string | null) => {
    if (id === null || authorOrder.has(id)) return
    if (authorOrder.size >= maxEtherpadAuthors) throw new ImportError('too_many_items', `the pad names more than ${maxEtherpadAuthors} authors`)
    authorOrder.set(id, authorOrder.size)
  }
  const lines = readLines(atext.text, atext.attribs, pool)
  for (const line of lines) for (const run of line.runs) noteAuthor(run.author)
  const chat = readChat(records, padId)
  for (const message of chat) noteAuthor(message.author)
  const authors = [...authorOrder.keys()].map((id, index) => readAuthor(records[`globalAuthor:${id}`], id, index))
  return { padId, lines, authors, chat }
}

function padText(pad: Json, headRevision: unknown): { text: string; attribs: string } {
  const fromRevision = isObject(headRevision) && isObject(headRevision.meta) ? headRevision.meta.atext : undefined
  const atext = pad.atext ?? fromRevision
  if (!isObject(atext) || typeof atext.text !== 'string' || typeof atext.attribs !== 'string') throw malformed('the pad has no atext with text and attribs')
  const { text, attribs } = atext
  if (text.length > maxPadChars) throw new ImportError('too_large', `the pad has ${text.length} characters; at most ${maxPadChars} can be imported`)
  // Every operation covers at least one character in at most 24 characters of attribs.
  if (attribs.length > 24 * (text.length + 1)) throw malformed('its attribs string is longer than its text can need')
  if (!text.endsWith('\n')) throw malformed('the pad text does not end with a line break')
  let lineCount = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (++lineCount > maxPadLines) throw new ImportError('too_many_items', `the pad has more than ${maxPadLines} lines; at most ${maxPadLines} can be imported`)
  }
  return { text, attribs }
}

function readPool(value: unknown): Map<number, [string, string]> {
  if (!isObject(value) || !isObject(value.numToAttrib)) throw malformed('the pad has no attribute pool (pool.numToAttrib)')
  const pool = new Map<number, [string, string]>()
  for (const [key, attrib] of Object.entries(value.numToAttrib)) {
    if (pool.size >= maxPoolEntries) throw new ImportError('too_many_items', `the attribute pool has more than ${maxPoolEntries} entries`)
    if (!/^\d{1,9}$/.test(key)) throw malformed(`attribute pool key "${key.slice(0, 20)}" is not a number`)
    if (!Array.isArray(attrib) || attrib.length < 2 || typeof attrib[0] !== 'string' || typeof attrib[1] !== 'string') {
      throw malformed(`attribute pool entry ${key} is not a [key, value] pair of strings`)
    }
    pool.set(Number(key), [attrib[0].slice(0, 200), attrib[1].slice(0, 4096)])
  }
  return pool
}

/** A base-36 number of at most 10 digits (past that it would not be exact) at `attribs[at]`. */
function readNumber(attribs: string, at: number): { value: number; end: number } {
  let end = at
  while (end < attribs.length && /[0-9a-z]/.test(attribs[end]!)) end++
  if (end === at) throw malformed(`a number was expected at position ${at} of attribs`)
  if (end - at > 10) throw malformed(`the number at position ${at} of attribs is too large`)
  return { value: parseInt(attribs.slice(at, end), 36), end }
}

interface Segment {
  text: string
  attribs: [string, string][]
}

/** The atext's lines with their runs and line attributes; the attribs must cover the text exactly. */
function readLines(text: string, attribs: string, pool: Map<number, [string, string]>): PadLine[] {
  const lines: PadLine[] = []
  let segments: Segment[] = []
  let pos = 0
  let at = 0
  let ops = 0
  while (at < attribs.length) {
    if (++ops > maxPadRuns) throw new ImportError('too_many_items', `the pad's text changes attributes more than ${maxPadRuns} times`)
    const opAttribs: [string, string][] = []
    while (attribs[at] === '*') {
      const number = readNumber(attribs, at + 1)
      const attrib = pool.get(number.value)
      if (!attrib) throw malformed(`attribute *${attribs.slice(at + 1, number.end)} is not in the pool`)
      opAttribs.push(attrib)
      at = number.end
    }
    let newlines = 0
    if (attribs[at] === '|') {
      const number = readNumber(attribs, at + 1)
      newlines = number.value
      at = number.end
    }
    if (attribs[at] !== '+') throw malformed(`"+" was expected at position ${at} of attribs, found "${(attribs[at] ?? 'the end').slice(0, 10)}"`)
    const count = readNumber(attribs, at + 1)
    at = count.end
    if (count.value === 0 || pos + count.value > text.length) throw malformed(`attribs cover more characters than the text has`)
    const chars = text.slice(pos, pos + count.value)
    pos += count.value
    const pieces = chars.split('\n')
    if (pieces.length - 1 !== newlines) throw malformed(`attribs say ${newlines} line break(s) where the text has ${pieces.length - 1}`)
    for (const [i, piece] of pieces.entries()) {
      if (piece) segments.push({ text: piece, attribs: opAttribs })
      if (i < pieces.length - 1) {
        lines.push(toLine(segments))
        segments = []
      }
    }
  }
  if (pos !== text.length) throw malformed(`attribs cover ${pos} of the text's ${text.length} characters`)
  return lines
}

const attribValue = (attribs: readonly [string, string][], key: string): string | null => attribs.find(([name]) => name === key)?.[1] ?? null
const isOn = (value: string | null) => value !== null && value !== '' && value !== 'false'

function toLine(segments: Segment[]): PadLine {
  let lineAttribs: [string, string][] = []
  const first = segments[0]
  if (first && first.text.startsWith('*') && isOn(attribValue(first.attribs, 'lmkr'))) {
    lineAttribs = first.attribs
    segments = first.text.length > 1 ? [{ text: first.text.slice(1), attribs: first.attribs }, ...segments.slice(1)] : segments.slice(1)
  }
  const runs = segments.flatMap((segment) => linkify(toRun(segment)))
  const list = /^(bullet|number|indent)(\d{1,3})$/.exec(attribValue(lineAttribs, 'list') ?? '')
  if (list && list[1] !== 'indent') {
    const start = Number(attribValue(lineAttribs, 'start'))
    return { block: list[1] === 'bullet' ? 'bullet' : 'number', level: clampLevel(Number(list[2])), start: Number.isInteger(start) && start > 0 ? start : null, runs }
  }
  const heading = headingLevel(attribValue(lineAttribs, 'heading') ?? '') ?? charHeading(segments)
  return heading === null ? { block: 'paragraph', level: 1, start: null, runs } : { block: 'heading', level: heading, start: null, runs }
}

/** Core Etherpad marks headings on the characters (`heading1: true`); the first run's says. */
function charHeading(segments: readonly Segment[]): number | null {
  for (const [key, value] of segments[0]?.attribs ?? []) {
    const level = isOn(value) ? headingLevel(key) : null
    if (level !== null && key.startsWith('heading')) return level
  }
  return null
}

function toRun(segment: Segment): PadRun {
  const author = attribValue(segment.attribs, 'author')
  const link = attribValue(segment.attribs, 'link') ?? attribValue(segment.attribs, 'url')
  return {
    text: segment.text,
    bold: isOn(attribValue(segment.attribs, 'bold')),
    italic: isOn(attribValue(segment.attribs, 'italic')),
    href: link ? linkTarget(link) : null,
    author: author ? author.slice(0, 100) : null,
  }
}

function readChat(records: Json, padId: string): EtherpadChat[] {
  const prefix = `pad:${padId}:chat:`
  const numbered: [number, unknown][] = []
  for (const key of Object.keys(records)) {
    if (!key.startsWith(prefix) || !/^\d{1,9}$/.test(key.slice(prefix.length))) continue
    if (numbered.length >= maxEtherpadChat) throw new ImportError('too_many_items', `the pad has more than ${maxEtherpadChat} chat messages`)
    numbered.push([Number(key.slice(prefix.length)), records[key]])
  }
  numbered.sort((a, b) => a[0] - b[0])
  const chat: EtherpadChat[] = []
  for (const [, record] of numbered) {
    if (!isObject(record) || typeof record.text !== 'string' || record.text.trim() === '') continue
    const author = typeof record.authorId === 'string' ? record.authorId : typeof record.userId === 'string' ? record.userId : null
    const time = typeof record.time === 'number' && Number.isFinite(record.time) && record.time >= 0 ? record.time : 0
    chat.push({ author: author ? author.slice(0, 100) : null, text: record.text.slice(0, 2000), time })
  }
  return chat
}

function readAuthor(record: unknown, id: string, index: number): EtherpadAuthor {
  const entry = isObject(record) ? record : {}
  const name = typeof entry.name === 'string' && entry.name.trim() !== '' ? entry.name.trim().slice(0, 60) : `Unnamed author ${index + 1}`
  return { id, name, color: authorColor(entry.colorId, index) }
}

/** The author's Etherpad colour (`colorId`), as summitpad shows authors: see {@link summitpadColor}. */
function authorColor(colorId: unknown, index: number): string {
  if (typeof colorId === 'number' && Number.isInteger(colorId) && colorId >= 0 && colorId < etherpadPalette.length) return summitpadColor(etherpadPalette[colorId]!)
  if (typeof colorId === 'string') {
    if (/^#[0-9a-f]{6}$/i.test(colorId)) return summitpadColor(colorId)
    const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(colorId)
    if (short) return summitpadColor(`#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`)
  }
  return summitpadColor(etherpadPalette[index % etherpadPalette.length]!)
}

/**
 * An Etherpad author colour in summitpad's kind: the same hue, saturation at least 55% and
 * lightness 38%, or darker until it has 3.5:1 contrast on white (`#rrggbb`, lower case).
 * Etherpad's colours are light backgrounds (`#ffc7c7`); summitpad draws an author's colour as a
 * name dot, a cursor and an underline on white and tints text with it lightly, which needs a
 * dark colour like those of `client/sync/presence.ts`.
 */
export function summitpadColor(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255) as [number, number, number]
  const max = Math.max(r, g, b)
  const min = Math.min(r, g, b)
  const light = (max + min) / 2
  const delta = max - min
  const saturation = delta === 0 ? 0 : delta / (1 - Math.abs(2 * light - 1))
  let hue = 0
  if (delta !== 0) hue = max === r ? ((g - b) / delta + 6) % 6 : max === g ? (b - r) / delta + 2 : (r - g) / delta + 4
  // A grey stays grey; any other colour gets enough saturation to be told apart.
  const s = delta === 0 ? 0 : Math.min(0.8, Math.max(0.55, saturation))
  // Darker until it stands out on white (3.5:1: yellows and greens need less light than blues).
  for (let l = 0.38; ; l -= 0.02) {
    const rgb = hslToRgb(hue, s, l)
    if (l <= 0.2 || 1.05 / (relativeLuminance(rgb) + 0.05) >= 3.5) return `#${rgb.map((v) => Math.round(v * 255).toString(16).padStart(2, '0')).join('')}`
  }
}

/** RGB (0-1) of a hue in sixths (0-6), saturation and lightness (0-1). */
function hslToRgb(hue: number, s: number, l: number): [number, number, number] {
  const chroma = (1 - Math.abs(2 * l - 1)) * s
  const x = chroma * (1 - Math.abs((hue % 2) - 1))
  const [r, g, b] = hue < 1 ? [chroma, x, 0] : hue < 2 ? [x, chroma, 0] : hue < 3 ? [0, chroma, x] : hue < 4 ? [0, x, chroma] : hue < 5 ? [x, 0, chroma] : [chroma, 0, x]
  const m = l - chroma / 2
  return [r + m, g + m, b + m]
}

/** WCAG relative luminance of an RGB (0-1) colour. */
function relativeLuminance(rgb: [number, number, number]): number {
  const [r, g, b] = rgb.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
