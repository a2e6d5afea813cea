/**
 * A person's notes typed offline for a whole session, as a Yjs client makes them: one keystroke
 * per transaction, with corrections (backspace), caret moves and new paragraphs, seeded. 48,000
 * keystrokes (40 minutes at 20 a second) make 17,656 structs, 4,659 deleted ranges and 334 KB
 * of catch-up with seed 1: the size issue 16 (part 6) reports for a session of notes.
 */
import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import { padFragmentName } from '../../shared/schema.ts'

/**
 * Types `keystrokes` into `ydoc`'s pad (new paragraphs at its end), seeded by `seed`. Returns
 * the marker each paragraph starts with (`offline-<seed>-<n> `), so a test can look for them.
 */
export function typeOffline(ydoc: Y.Doc, keystrokes: number, seed = 1): string[] {
  const fragment = ydoc.getXmlFragment(padFragmentName)
  const gen = prng.create(seed)
  const markers: string[] = []
  let text: Y.XmlText | null = null
  let caret = 0
  for (let k = 0; k < keystrokes; k++) {
    if (!text || (text.length > 300 && prng.int32(gen, 0, 99) < 2)) {
      const marker = `offline-${seed}-${markers.length} `
      markers.push(marker)
      const paragraph = new Y.XmlElement('paragraph')
      text = new Y.XmlText(marker)
      paragraph.insert(0, [text])
      fragment.insert(fragment.length, [paragraph])
      caret = text.length
      continue
    }
    const roll = prng.int32(gen, 0, 99)
    // Corrections and caret moves stay after the marker, so every marker survives whole.
    const floor = markers.at(-1)!.length
    if (roll < 15 && caret > floor) {
      text.delete(caret - 1, 1)
      caret--
    } else if (roll < 45 && text.length > floor + 5) {
      caret = prng.int32(gen, floor, text.length)
    } else {
      text.insert(caret, prng.letter(gen))
      caret++
    }
  }
  return markers
}

/**
 * Two authors on one copy (a copy that merged another author's work while offline, or a whole
 * pad put in at once), in the pad of `ydoc`: author 1 (a low client id, so Yjs writes its structs
 * last) starts a paragraph; author 3,000,000,000 (written first) types 1,500 keystrokes into it,
 * each at its start (each its own struct), creating a second paragraph after its 500th, then types
 * 100 into that one. Sent as one update and cut into slices of 1,000 structs in the order written,
 * the first slice builds on author 1's paragraph and the second names as parent a type the first
 * created. `ydoc` keeps its client id.
 */
export function typeTwoAuthors(ydoc: Y.Doc): void {
  const fragment = ydoc.getXmlFragment(padFragmentName)
  const own = ydoc.clientID
  ydoc.clientID = 1
  const first = new Y.XmlText()
  ydoc.transact(() => fragment.insert(fragment.length, [new Y.XmlElement('paragraph')]))
  ydoc.transact(() => (fragment.get(fragment.length - 1) as Y.XmlElement).insert(0, [first]))
  ydoc.transact(() => first.insert(0, 'by one: '))
  ydoc.clientID = 3_000_000_000
  const second = new Y.XmlText()
  for (let k = 0; k < 1500; k++) {
    if (k === 500) {
      const paragraph = new Y.XmlElement('paragraph')
      ydoc.transact(() => fragment.insert(fragment.length, [paragraph]))
      ydoc.transact(() => paragraph.insert(0, [second]))
    }
    ydoc.transact(() => first.insert(0, String.fromCharCode(97 + (k % 26))))
  }
  for (let k = 0; k < 100; k++) ydoc.transact(() => second.insert(0, String.fromCharCode(97 + (k % 26))))
  ydoc.clientID = own
}
