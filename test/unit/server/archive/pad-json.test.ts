/** padJsonOf: any stored pad reads as JSON the exporters can render (issue 15 part 3). */
import { yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { padJsonOf } from '../../../../server/archive/pad-json.ts'
import { exportMarkdown } from '../../../../shared/export/markdown.ts'
import { padFragmentName } from '../../../../shared/schema.ts'
import { h, p } from '../../../helpers/ydoc-builder.ts'

describe('padJsonOf', () => {
  it('reads a pad of 6,000 nested elements, a script element and loose text without throwing', () => {
    const ydoc = new Y.Doc({ gc: false })
    const fragment = ydoc.getXmlFragment(padFragmentName)
    fragment.insert(0, [h(2, 'Notes'), p('kept'), new Y.XmlElement('script'), new Y.XmlText('loose')])
    // Deep enough to overflow y-prosemirror's recursive reader (the pad had 20,000 levels;
    // Yjs' own observer bookkeeping makes building that many quadratic, so the test stays smaller).
    let at: Y.XmlFragment | Y.XmlElement = fragment
    ydoc.transact(() => {
      for (let i = 0; i < 6000; i++) {
        const element: Y.XmlElement = new Y.XmlElement(i % 2 ? 'bullet_list' : 'list_item')
        at.insert(at.length, [element])
        at = element
      }
    })
    expect(() => JSON.stringify(yXmlFragmentToProsemirrorJSON(fragment))).toThrow()
    const json = padJsonOf(fragment)
    const markdown = exportMarkdown(json, { title: 'Deep', track: '', room: '', moderator: '', scheduledStart: null, startedAt: null, endedAt: null, participants: [] })
    expect(markdown).toContain('## Notes')
    expect(markdown).toContain('kept')
    expect(markdown).toContain('loose')
    expect(markdown).toMatch(/element "script" skipped/)
    expect(markdown).toMatch(/nested deeper than 64 levels skipped/)
  })

  it('reads an empty fragment as one empty paragraph', () => {
    expect(padJsonOf(new Y.Doc().getXmlFragment(padFragmentName))).toEqual({ type: 'doc', content: [{ type: 'paragraph' }] })
  })
})
