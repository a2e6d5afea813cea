/** Empty textblocks hold one shared Y.XmlText (shared/textblock-text.ts, issue 16 part 1). */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { padFragmentName } from '../../../shared/schema.ts'
import { fillEmptyTextblocks, keepTextInEmptyTextblocks } from '../../../shared/textblock-text.ts'

const el = (name: string, ...children: (Y.XmlElement | Y.XmlText)[]) => {
  const element = new Y.XmlElement(name)
  element.insert(0, children)
  return element
}
/** Element names with `#` for each XmlText child, to see where texts are. */
const shape = (type: Y.XmlFragment | Y.XmlElement): string =>
  type
    .toArray()
    .map((child) => (child instanceof Y.XmlText ? '#' : `${(child as Y.XmlElement).nodeName}(${shape(child as Y.XmlElement)})`))
    .join(' ')

describe('fillEmptyTextblocks', () => {
  it('gives every childless textblock, at any depth, one empty text, and nothing else', () => {
    const ydoc = new Y.Doc()
    const fragment = ydoc.getXmlFragment(padFragmentName)
    fragment.insert(0, [el('heading'), el('paragraph', new Y.XmlText('kept')), el('bullet_list', el('list_item', el('paragraph'))), el('agenda_list', el('agenda_item', el('paragraph')))])
    expect(fillEmptyTextblocks(fragment)).toBe(3)
    expect(shape(fragment)).toBe('heading(#) paragraph(#) bullet_list(list_item(paragraph(#))) agenda_list(agenda_item(paragraph(#)))')
    expect(fragment.toString()).toBe('<heading></heading><paragraph>kept</paragraph><bullet_list><list_item><paragraph></paragraph></list_item></bullet_list><agenda_list><agenda_item><paragraph></paragraph></agenda_item></agenda_list>')
  })
})

describe('keepTextInEmptyTextblocks', () => {
  const origin = Symbol('binding')

  it('fills what a tracked local transaction creates or empties, with the same origin', () => {
    const ydoc = new Y.Doc()
    const fragment = ydoc.getXmlFragment(padFragmentName)
    const stop = keepTextInEmptyTextblocks(fragment, new Set([origin]))
    const origins: unknown[] = []
    ydoc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin))
    ydoc.transact(() => fragment.insert(0, [el('paragraph', new Y.XmlText('x')), el('bullet_list', el('list_item', el('paragraph')))]), origin)
    expect(shape(fragment)).toBe('paragraph(#) bullet_list(list_item(paragraph(#)))')
    expect(origins).toEqual([origin, origin])
    // Deleting a paragraph's only text (as y-prosemirror does when it is emptied) refills it.
    const paragraph = fragment.get(0) as Y.XmlElement
    ydoc.transact(() => paragraph.delete(0, 1), origin)
    expect(shape(fragment)).toBe('paragraph(#) bullet_list(list_item(paragraph(#)))')
    expect(paragraph.get(0)).toBeInstanceOf(Y.XmlText)
    stop()
    ydoc.transact(() => fragment.insert(0, [el('paragraph')]), origin)
    expect(shape(fragment)).toBe('paragraph() paragraph(#) bullet_list(list_item(paragraph(#)))')
  })

  it('leaves other origins and remote updates alone', () => {
    const ydoc = new Y.Doc()
    const fragment = ydoc.getXmlFragment(padFragmentName)
    keepTextInEmptyTextblocks(fragment, new Set([origin]))
    ydoc.transact(() => fragment.insert(0, [el('paragraph')]), 'someone else')
    const remote = new Y.Doc()
    remote.getXmlFragment(padFragmentName).insert(0, [el('heading')])
    Y.applyUpdate(ydoc, Y.encodeStateAsUpdate(remote), origin)
    expect(shape(fragment)).toMatch(/^(paragraph\(\) heading\(\)|heading\(\) paragraph\(\))$/)
  })
})
