/** The safety net's trigger: a client's change deleting more than a fifth of the pad's text, and nothing else. */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { watchDeletions } from '../../../../server/history/deletion-guard.ts'
import { padFragmentName } from '../../../../shared/schema.ts'

const fromClient = { kind: 'connection', connection: {} } as const

/** A pad with one paragraph of `text`, and what the guard reported on it. */
function pad(text: string): { ydoc: Y.Doc; paragraph: Y.XmlText; reports: Y.Snapshot[] } {
  const ydoc = new Y.Doc({ gc: false })
  const paragraph = new Y.XmlText(text)
  const element = new Y.XmlElement('paragraph')
  element.insert(0, [paragraph])
  ydoc.getXmlFragment(padFragmentName).insert(0, [element])
  const reports: Y.Snapshot[] = []
  watchDeletions(ydoc, (before) => reports.push(before))
  return { ydoc, paragraph, reports }
}

const textAt = (ydoc: Y.Doc, snapshot: Y.Snapshot) => {
  const then = Y.createDocFromSnapshot(ydoc, snapshot)
  const text = then.getXmlFragment(padFragmentName).toString()
  then.destroy()
  return text
}

describe('watchDeletions', () => {
  it('reports a client change deleting more than a fifth of the text, with the pad as it was just before', () => {
    const { ydoc, paragraph, reports } = pad('a'.repeat(60) + 'the decision we must keep')
    ydoc.transact(() => paragraph.delete(0, 5), fromClient)
    expect(reports).toHaveLength(0)
    ydoc.transact(() => paragraph.delete(0, 60), fromClient)
    expect(reports).toHaveLength(1)
    const before = textAt(ydoc, reports[0]!)
    expect(before).toContain('a'.repeat(55) + 'the decision we must keep')
    expect(before).not.toContain('a'.repeat(56))
  })

  it('ignores changes from other instances and the server, and text a change both inserts and deletes', () => {
    const { ydoc, paragraph, reports } = pad('x'.repeat(100))
    ydoc.transact(() => paragraph.delete(0, 90), { kind: 'bus' })
    ydoc.transact(() => {
      paragraph.insert(0, 'y'.repeat(500))
      paragraph.delete(0, 500)
    }, fromClient)
    ydoc.transact(() => paragraph.insert(0, 'z'.repeat(100)), { kind: 'server' })
    ydoc.transact(() => paragraph.delete(0, 100), { kind: 'server' })
    expect(reports).toHaveLength(0)
  })
})
