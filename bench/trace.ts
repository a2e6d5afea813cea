/**
 * A seeded, realistic-looking editing trace for the cold-load benchmark: several authors take
 * turns typing into the pad's paragraphs. Each `step()` is one operation in its own transaction
 * (so one Yjs update, as a keystroke in the editor would be):
 *
 * - typing a character at the author's cursor (most operations; spaces and punctuation included),
 * - backspace, and now and then deleting the last few characters,
 * - Enter: a new paragraph after the current one,
 * - bolding a few characters just typed, pasting a sentence.
 *
 * A burst of 3-120 operations by one author at one place, then another author (or the same one)
 * somewhere else: mostly continuing the newest paragraph, sometimes editing an older one. Authors
 * are simulated by switching the doc's clientID before each burst, which gives the struct store
 * the interleaving of several clients without the cost of syncing several docs.
 */
import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import { padFragmentName } from '../shared/schema.ts'

/** Parameters of a trace. */
export interface TraceOptions {
  seed: number
  /** Number of simulated authors. @default 6 */
  authors?: number
}

/** How many operations of each kind the trace has made. */
export interface TraceCounts {
  ops: number
  typed: number
  backspaces: number
  wordDeletes: number
  paragraphs: number
  formats: number
  pastes: number
}

export class EditingTrace {
  readonly counts: TraceCounts = { ops: 0, typed: 0, backspaces: 0, wordDeletes: 0, paragraphs: 0, formats: 0, pastes: 0 }
  private readonly gen: prng.PRNG
  private readonly authors: number[]
  private readonly fragment: Y.XmlFragment
  private readonly texts: Y.XmlText[] = []
  private current: Y.XmlText | null = null
  private cursor = 0
  private burstLeft = 0

  constructor(
    private readonly ydoc: Y.Doc,
    options: TraceOptions,
  ) {
    this.gen = prng.create(options.seed)
    const authorCount = Math.max(1, options.authors ?? 6)
    const ids = new Set<number>()
    while (ids.size < authorCount) ids.add(prng.uint32(this.gen, 1, 0x7fffffff))
    this.authors = [...ids]
    this.fragment = ydoc.getXmlFragment(padFragmentName)
  }

  /** Performs one operation in its own transaction. */
  step(): void {
    if (this.burstLeft <= 0 || this.current === null) this.startBurst()
    this.burstLeft--
    this.counts.ops++
    const text = this.current!
    this.ydoc.transact(() => {
      const roll = prng.real53(this.gen)
      if (roll < 0.03) {
        this.newParagraph()
      } else if (roll < 0.11 && this.cursor > 0) {
        text.delete(this.cursor - 1, 1)
        this.cursor--
        this.counts.backspaces++
      } else if (roll < 0.12 && this.cursor > 0) {
        const length = Math.min(this.cursor, prng.int32(this.gen, 2, 12))
        text.delete(this.cursor - length, length)
        this.cursor -= length
        this.counts.wordDeletes++
      } else if (roll < 0.13 && this.cursor > 0) {
        const length = Math.min(this.cursor, prng.int32(this.gen, 3, 15))
        text.format(this.cursor - length, length, { strong: {} })
        this.counts.formats++
      } else if (roll < 0.133) {
        const sentence = this.sentence()
        text.insert(this.cursor, sentence)
        this.cursor += sentence.length
        this.counts.pastes++
      } else {
        text.insert(this.cursor, this.character())
        this.cursor++
        this.counts.typed++
      }
    })
  }

  private startBurst(): void {
    this.ydoc.clientID = prng.oneOf(this.gen, this.authors)
    this.burstLeft = prng.int32(this.gen, 3, 120)
    if (this.texts.length === 0) {
      // The first paragraph is created outside step()'s count: it is setup, not an edit.
      this.ydoc.transact(() => this.newParagraph())
    } else if (prng.real53(this.gen) < 0.65) {
      this.current = this.texts[this.texts.length - 1]!
      this.cursor = this.current.length
    } else {
      this.current = prng.oneOf(this.gen, this.texts)
      this.cursor = prng.int32(this.gen, 0, this.current.length)
    }
  }

  /** Inserts an empty paragraph after the current one (or at the end) and moves into it. */
  private newParagraph(): void {
    const paragraph = new Y.XmlElement('paragraph')
    const text = new Y.XmlText()
    paragraph.insert(0, [text])
    const parent = this.current?.parent
    const index = parent ? this.fragment.toArray().indexOf(parent as Y.XmlElement) : -1
    this.fragment.insert(index >= 0 ? index + 1 : this.fragment.length, [paragraph])
    this.texts.push(text)
    this.current = text
    this.cursor = 0
    this.counts.paragraphs++
  }

  private character(): string {
    const roll = prng.real53(this.gen)
    if (roll < 0.17) return ' '
    if (roll < 0.19) return prng.oneOf(this.gen, ['.', ',', ':', '?', '-'])
    if (roll < 0.21) return prng.letter(this.gen).toUpperCase()
    return prng.letter(this.gen)
  }

  private sentence(): string {
    const words = Array.from({ length: prng.int32(this.gen, 4, 14) }, () => prng.word(this.gen, 2, 9))
    return `${words.join(' ')}. `
  }
}
