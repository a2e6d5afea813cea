import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { padPlainText, unsavedPieces } from '../../../client/sync/unsaved-text.ts'

describe('unsavedPieces', () => {
  it('is empty when the pad holds everything typed here', () => {
    expect(unsavedPieces('Notes\nwe agreed', 'Notes\nwe agreed\nothers wrote more')).toEqual([])
  })

  it('returns the words typed into a saved paragraph that the pad lacks', () => {
    expect(unsavedPieces('Notes\nwe agreed to ship on Friday\nDecisions', 'Notes\nwe agreed\nDecisions')).toEqual([' to ship on Friday'])
  })

  it('returns whole paragraphs the pad lacks, in order, and ignores what others added meanwhile', () => {
    const local = 'Goals\nfirst refused line\nNotes\nsecond refused line'
    const server = 'Goals\nNotes\nsomeone else wrote this'
    expect(unsavedPieces(local, server)).toEqual(['first refused line', 'second refused line'])
  })
})

describe('padPlainText', () => {
  it('gives one line per text block, nested ones included, marks dropped', () => {
    const ydoc = new Y.Doc()
    const fragment = ydoc.getXmlFragment('prosemirror')
    const heading = new Y.XmlElement('heading')
    heading.insert(0, [new Y.XmlText('Notes')])
    const item = new Y.XmlElement('list_item')
    const inner = new Y.XmlElement('paragraph')
    const text = new Y.XmlText('bold and plain')
    inner.insert(0, [text])
    item.insert(0, [inner])
    const list = new Y.XmlElement('bullet_list')
    list.insert(0, [item])
    fragment.insert(0, [heading, list])
    text.format(0, 4, { strong: {} })
    expect(padPlainText(fragment)).toBe('Notes\nbold and plain')
  })
})
