import { yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { extractOutcomes } from '../../../../shared/outcomes.ts'
import { padFragmentName, schema } from '../../../../shared/schema.ts'
import { sessionTemplate, type PMJSON } from '../../../../shared/template.ts'
import { carryActions } from '../../../../server/sessions/follow-ups.ts'
import { encodePadSeed } from '../../../../server/sessions/pad-seed.ts'
import { doc, h2, p } from '../../../helpers/pm-builder.ts'

const earlier = { id: 'nova-cells', title: 'Nova: cells' }

function padOf(content: PMJSON): Y.Doc {
  const ydoc = new Y.Doc()
  Y.applyUpdate(ydoc, encodePadSeed(content))
  return ydoc
}

/** The pad as ProseMirror JSON, checked against the schema (throws when it does not fit). */
function checkedJson(ydoc: Y.Doc): PMJSON {
  const json = yXmlFragmentToProsemirrorJSON(ydoc.getXmlFragment(padFragmentName)) as PMJSON
  schema.nodeFromJSON(json).check()
  return json
}

describe('carryActions', () => {
  it('adds task items with a link back before the empty item of the Action items section, valid in the schema', () => {
    const ydoc = padOf(sessionTemplate())
    const added = ydoc.transact(() => carryActions(ydoc, earlier, [{ index: 0, text: '@ada writes the spec' }, { index: 2, text: '@linus benchmarks' }]))
    expect(added).toBe(2)
    const json = checkedJson(ydoc)
    const list = json.content!.at(-1)!
    expect(list.type).toBe('task_list')
    expect(list.content!.map((item) => item.content![0]!.content?.map((text) => text.text).join('') ?? '')).toEqual([
      '@ada writes the spec (from Nova: cells)',
      '@linus benchmarks (from Nova: cells)',
      '',
    ])
    expect(list.content![0]!.content![0]!.content![1]!.marks).toEqual([{ type: 'link', attrs: { href: '/s/nova-cells/archive#action-0', title: null } }])
    expect(extractOutcomes(json).actions.map((a) => [a.text, a.from])).toEqual([
      ['@ada writes the spec', { sessionId: 'nova-cells', index: 0 }],
      ['@linus benchmarks', { sessionId: 'nova-cells', index: 2 }],
    ])
  })

  it('never adds an item whose link back is already in the pad', () => {
    const ydoc = padOf(sessionTemplate())
    carryActions(ydoc, earlier, [{ index: 0, text: 'first' }])
    expect(carryActions(ydoc, earlier, [{ index: 0, text: 'first' }, { index: 1, text: 'second' }])).toBe(1)
    expect(carryActions(ydoc, earlier, [{ index: 0, text: 'first' }, { index: 1, text: 'second' }])).toBe(0)
    expect(extractOutcomes(checkedJson(ydoc)).actions.map((a) => a.text)).toEqual(['first', 'second'])
  })

  it('adds the Action items section at the end of a pad without one', () => {
    const ydoc = padOf(doc(h2('Notes'), p('Imported agenda')))
    expect(carryActions(ydoc, earlier, [{ index: 3, text: '@grace reviews' }])).toBe(1)
    const json = checkedJson(ydoc)
    expect(json.content!.map((block) => block.type)).toEqual(['heading', 'paragraph', 'heading', 'task_list'])
    expect(json.content![2]!.content![0]!.text).toBe('Action items')
    expect(json.content![2]!.attrs?.level).toBe(2)
  })
})
