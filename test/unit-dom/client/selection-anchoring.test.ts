/**
 * Where a person's caret and selection stay when someone else's text arrives exactly at them
 * (client/editor/selection-anchoring.ts): a remote insert at the caret goes after it, so the
 * caret stays right after the person's own last character; a range does not grow at its edges.
 */
import * as prng from 'lib0/prng'
import { afterEach, describe, expect, it } from 'vitest'
import { doc, h2, p } from '../../helpers/pm-builder.ts'
import { docText, EditorNetwork, positionOf, typeChar, type EditorPeer } from '../../helpers/editor-network.ts'
import type { PMJSON } from '../../../shared/template.ts'

let network: EditorNetwork | null = null
afterEach(() => {
  network?.destroy()
  network = null
})

/** Two people on `content`, whose updates arrive at once when `run()` is called. */
function twoPeople(content: PMJSON): { net: EditorNetwork; me: EditorPeer; other: EditorPeer } {
  network = new EditorNetwork(prng.create(1), content, 2, { minMs: 0, maxMs: 0 })
  const [me, other] = network.peers as [EditorPeer, EditorPeer]
  return { net: network, me, other }
}

function typeText(peer: EditorPeer, text: string): void {
  for (const char of text) typeChar(peer.view, char)
}

const selectedText = (peer: EditorPeer) => {
  const { from, to } = peer.view.state.selection
  return peer.view.state.doc.textBetween(from, to)
}

describe('the local selection when remote text lands at it', () => {
  const cases: { where: string; content: PMJSON; at: (d: EditorPeer['view']['state']['doc']) => number; expected: string }[] = [
    { where: 'at the end of a paragraph', content: doc(h2('Notes'), p('Agreed so far.')), at: (d) => positionOf(d, 'so far.'), expected: 'Agreed so far.!XYZ' },
    { where: 'in the middle of a paragraph', content: doc(h2('Notes'), p('Agreed so far.')), at: (d) => positionOf(d, 'Agreed'), expected: 'Agreed!XYZ so far.' },
    { where: 'at the start of a paragraph', content: doc(h2('Notes'), p('Agreed so far.')), at: (d) => positionOf(d, 'Agreed', 'start'), expected: '!XYZAgreed so far.' },
    { where: 'in an empty paragraph', content: doc(h2('Notes'), p()), at: (d) => d.content.size - 1, expected: '!XYZ' },
  ]
  for (const { where, content, at, expected } of cases) {
    it(`keeps a caret ${where} before the other person's text, after the person's own`, () => {
      const { net, me, other } = twoPeople(content)
      net.select(me, { anchor: at(me.view.state.doc), head: at(me.view.state.doc) })
      net.select(other, { anchor: at(other.view.state.doc), head: at(other.view.state.doc) })
      typeText(other, 'XYZ')
      net.run()
      typeText(me, '!')
      net.run()
      expect(docText(me.view.state.doc).split('\n')[1]).toBe(expected)
      expect(docText(other.view.state.doc)).toBe(docText(me.view.state.doc))
    })
  }

  it('keeps a selection from growing when others type at either of its edges', () => {
    const { net, me, other } = twoPeople(doc(h2('Notes'), p('Agreed so far, thanks.')))
    const d = me.view.state.doc
    net.select(me, { anchor: positionOf(d, 'so far', 'start'), head: positionOf(d, 'so far') })
    net.select(other, { anchor: positionOf(d, 'so far'), head: positionOf(d, 'so far') })
    typeText(other, ' and beyond')
    net.select(other, { anchor: positionOf(other.view.state.doc, 'so far', 'start'), head: positionOf(other.view.state.doc, 'so far', 'start') })
    typeText(other, 'quite ')
    net.run()
    expect(docText(me.view.state.doc)).toContain('Agreed quite so far and beyond, thanks.')
    expect(selectedText(me)).toBe('so far')
    // Typing replaces exactly the selection.
    typeText(me, 'well')
    net.run()
    expect(docText(other.view.state.doc)).toContain('Agreed quite well and beyond, thanks.')
  })

  it('keeps a backwards selection (head before anchor) the same way', () => {
    const { net, me, other } = twoPeople(doc(h2('Notes'), p('Agreed so far, thanks.')))
    const d = me.view.state.doc
    net.select(me, { anchor: positionOf(d, 'so far'), head: positionOf(d, 'so far', 'start') })
    net.select(other, { anchor: positionOf(d, 'so far'), head: positionOf(d, 'so far') })
    typeText(other, '!')
    net.run()
    expect(selectedText(me)).toBe('so far')
    expect(me.view.state.selection.head).toBeLessThan(me.view.state.selection.anchor)
  })
})
