/**
 * Builds Etherpad atexts (text, attribs, attribute pool) from lines of attributed spans, the way
 * Etherpad stores a pad's last revision: a line with line attributes starts with the line marker
 * `*` carrying `lmkr` and them; each line ends with a line break; consecutive operations with the
 * same attributes are merged as long as the first holds no line break; numbers are base 36.
 * Used to write the fixtures in test/fixtures/etherpad/ and the hostile variants in unit tests.
 */
export type Attrib = [string, string]

export interface SpanSpec {
  text: string
  attrs?: Attrib[]
}

export interface LineSpec {
  /** Line attributes (`list`, `start`, `heading`): the line gets a marker when present. */
  line?: Attrib[]
  spans: SpanSpec[]
}

export interface BuiltAtext {
  atext: { text: string; attribs: string }
  pool: { numToAttrib: Record<string, Attrib>; nextNum: number }
}

/** The atext and pool of `lines`. */
export function buildAtext(lines: readonly LineSpec[]): BuiltAtext {
  const numbers = new Map<string, number>()
  const numToAttrib: Record<string, Attrib> = {}
  const numberOf = (attrib: Attrib) => {
    const key = JSON.stringify(attrib)
    let n = numbers.get(key)
    if (n === undefined) {
      n = numbers.size
      numbers.set(key, n)
      numToAttrib[String(n)] = attrib
    }
    return n
  }
  const ops: { attrs: string; chars: number; newlines: number }[] = []
  let text = ''
  const push = (chars: string, attrs: readonly Attrib[]) => {
    const key = attrs.map((attrib) => `*${numberOf(attrib).toString(36)}`).join('')
    const newlines = chars.split('\n').length - 1
    const last = ops.at(-1)
    if (last && last.attrs === key && last.newlines === 0) {
      last.chars += chars.length
      last.newlines += newlines
    } else ops.push({ attrs: key, chars: chars.length, newlines })
    text += chars
  }
  for (const line of lines) {
    const firstAuthor = line.spans[0]?.attrs?.filter(([key]) => key === 'author') ?? []
    if (line.line?.length) push('*', [...firstAuthor, ['insertorder', 'first'], ['lmkr', '1'], ...line.line])
    for (const span of line.spans) push(span.text, span.attrs ?? [])
    push('\n', line.spans.at(-1)?.attrs?.filter(([key]) => key === 'author') ?? [])
  }
  const attribs = ops.map((op) => `${op.attrs}${op.newlines ? `|${op.newlines.toString(36)}` : ''}+${op.chars.toString(36)}`).join('')
  return { atext: { text, attribs }, pool: { numToAttrib, nextNum: numbers.size } }
}

export interface PadSpec {
  padId: string
  lines: LineSpec[]
  authors: Record<string, { name: string | null; colorId: number | string }>
  chat?: { text: string; authorId: string; time: number }[]
  /** Extra records (plugins', other revisions) to include as they are. */
  extra?: Record<string, unknown>
}

/** A whole `.etherpad` export of one pad: its record, one revision, its authors and chat. */
export function buildEtherpadFile(spec: PadSpec): Record<string, unknown> {
  const { atext, pool } = buildAtext(spec.lines)
  const chat = spec.chat ?? []
  const records: Record<string, unknown> = {
    [`pad:${spec.padId}`]: { atext, pool, head: 1, chatHead: chat.length - 1, publicStatus: false, savedRevisions: [] },
    [`pad:${spec.padId}:revs:0`]: { changeset: 'Z:1>0$', meta: { author: '', timestamp: 1_400_000_000_000 } },
    [`pad:${spec.padId}:revs:1`]: { changeset: `Z:1>${(atext.text.length - 1).toString(36)}+0$`, meta: { author: Object.keys(spec.authors)[0] ?? '', timestamp: 1_400_000_600_000, atext, pool } },
  }
  for (const [id, author] of Object.entries(spec.authors)) {
    records[`globalAuthor:${id}`] = { colorId: author.colorId, name: author.name, timestamp: 1_400_000_000_000, padIDs: spec.padId }
  }
  for (const [n, message] of chat.entries()) records[`pad:${spec.padId}:chat:${n}`] = message
  return { ...records, ...spec.extra }
}
