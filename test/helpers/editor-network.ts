/**
 * In-process editors on one pad for jsdom tests: each person has a Y.Doc and the pad's real
 * EditorView (`createEditor`), and every Yjs update travels to every other person with its own
 * random delay, so deliveries arrive late and out of order. Time is simulated: `run()` executes
 * keystrokes and deliveries in the order of their (virtual) times, with no timers and no waiting,
 * so a seed replays exactly.
 */
import * as prng from 'lib0/prng'
import type { Node as PMNode } from 'prosemirror-model'
import { TextSelection } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { createEditor } from '../../client/editor/create-editor.ts'
import { encodePadSeed } from '../../server/sessions/pad-seed.ts'
import { padFragmentName } from '../../shared/schema.ts'
import type { PMJSON } from '../../shared/template.ts'

/** One person at the pad. */
export interface EditorPeer {
  name: string
  ydoc: Y.Doc
  view: EditorView
}

/** A selection to put each person at before typing, as ProseMirror positions. */
export interface Placement {
  anchor: number
  head: number
}

interface Event {
  at: number
  seq: number
  run: () => void
}

const remote = Symbol('remote')

/** Editors that exchange updates with random delays of `minDelayMs`..`maxDelayMs` (virtual time). */
export class EditorNetwork {
  readonly peers: EditorPeer[] = []
  /** Every step taken, for the failure message. */
  readonly log: string[] = []
  private events: Event[] = []
  private seq = 0
  private now = 0

  constructor(
    private readonly gen: prng.PRNG,
    content: PMJSON,
    count: number,
    private readonly delay = { minMs: 0, maxMs: 200 },
  ) {
    const seed = encodePadSeed(content)
    for (let i = 0; i < count; i++) this.peers.push(this.addPeer(`P${i}`, seed))
  }

  private addPeer(name: string, seed: Uint8Array): EditorPeer {
    const ydoc = new Y.Doc({ gc: false })
    // Client ids decide the order of concurrent inserts, so they come from the seed too.
    ydoc.clientID = prng.uint32(this.gen, 1, 0x7fffffff)
    Y.applyUpdate(ydoc, seed, remote)
    const place = document.createElement('div')
    document.body.append(place)
    const view = createEditor(place, {
      fragment: ydoc.getXmlFragment(padFragmentName),
      awareness: new Awareness(ydoc),
      agenda: { isModerator: () => false, setCurrent: () => {} },
      editable: () => true,
    })
    const peer = { name, ydoc, view }
    ydoc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === remote) return
      for (const other of this.peers) {
        if (other === peer) continue
        const delayMs = prng.uint32(this.gen, this.delay.minMs, this.delay.maxMs)
        this.at(this.now + delayMs, () => {
          this.log.push(`${this.now}ms ${peer.name} -> ${other.name}`)
          Y.applyUpdate(other.ydoc, update, remote)
        })
      }
    })
    return peer
  }

  /** Schedules `run` at virtual time `at` (ms); events at one time run in scheduling order. */
  at(at: number, run: () => void): void {
    this.events.push({ at, seq: this.seq++, run })
  }

  /** Puts `peer`'s selection at `placement`, as a click or a drag would. */
  select(peer: EditorPeer, placement: Placement): void {
    const { view } = peer
    view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, placement.anchor, placement.head)))
  }

  /**
   * Schedules `peer` typing `text` from `startMs`, one character per `intervalMs` with up to
   * `jitterMs` either way, the way a key press arrives: input rules first, else the text replaces
   * the selection.
   */
  type(peer: EditorPeer, text: string, startMs: number, intervalMs = 100, jitterMs = 40): void {
    let at = startMs
    for (const char of text) {
      this.at(at, () => {
        this.log.push(`${this.now}ms ${peer.name} types ${JSON.stringify(char)}`)
        typeChar(peer.view, char)
      })
      at += intervalMs + prng.int32(this.gen, -jitterMs, jitterMs)
    }
  }

  /** Runs every event in time order, including the deliveries they cause, until none is left. */
  run(): void {
    for (;;) {
      if (this.events.length === 0) return
      let next = 0
      for (let i = 1; i < this.events.length; i++) {
        const e = this.events[i]!
        const best = this.events[next]!
        if (e.at < best.at || (e.at === best.at && e.seq < best.seq)) next = i
      }
      const [event] = this.events.splice(next, 1)
      this.now = Math.max(this.now, event!.at)
      event!.run()
    }
  }

  /** Tears every view down. */
  destroy(): void {
    for (const peer of this.peers) {
      peer.view.destroy()
      peer.view.dom.parentElement?.remove()
      peer.ydoc.destroy()
    }
  }
}

/** Types one character into `view` as ProseMirror handles a key press. */
export function typeChar(view: EditorView, char: string): void {
  const { from, to } = view.state.selection
  const deflt = () => view.state.tr.insertText(char, from, to)
  if (view.someProp('handleTextInput', (f) => f(view, from, to, char, deflt))) return
  view.dispatch(deflt())
}

/** The document's text, blocks separated by newlines. */
export function docText(doc: PMNode): string {
  return doc.textBetween(0, doc.content.size, '\n', '\n')
}

/** The position just after the first occurrence of `text` in `doc` (or its start, with `side` 'start'). */
export function positionOf(doc: PMNode, text: string, side: 'start' | 'end' = 'end'): number {
  let found: number | null = null
  doc.descendants((node, pos) => {
    if (found !== null) return false
    if (!node.isText) return true
    const index = node.text!.indexOf(text)
    if (index >= 0) found = pos + index + (side === 'end' ? text.length : 0)
    return false
  })
  if (found === null) throw new RangeError(`"${text}" is not in the document`)
  return found
}
