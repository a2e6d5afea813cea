import { describe, expect, it } from 'vitest'
import { extractOutcomes, type ActionOutcome } from '../../../shared/outcomes.ts'
import type { PMJSON } from '../../../shared/template.ts'
import {
  action,
  actionDone,
  agenda,
  br,
  decision,
  doc,
  done,
  h1,
  h2,
  h3,
  item,
  li,
  ol,
  p,
  strong,
  tasks,
  todo,
  ul,
  link,
} from '../../helpers/pm-builder.ts'

const act = (text: string, fields: Partial<ActionOutcome> = {}): ActionOutcome => ({
  text,
  owner: null,
  due: null,
  done: false,
  source: 'task',
  ...fields,
})

/** A pad as it looks at the end of a session. */
const pad = doc(
  h1('Placement sync'),
  h2('Goals'),
  p('Agree on the placement API for v2'),
  h2('Agenda'),
  agenda(item({ id: 'item-1', owner: 'sean', timebox: 10, status: 'done' }, 'Placement API @sean'), item({ id: 'item-2' }, 'Quotas')),
  h2('Notes'),
  p('Long discussion about ', strong('allocation candidates'), '.'),
  decision('Ship the v2 placement API first'),
  action('@kim writes the spec, due 2025-05-01'),
  actionDone('Summary mailed by @sean.'),
  decision('   '),
  h2('Decisions'),
  ul(li('Ship the v2 placement API first'), li('Quotas move to ', strong('unified limits')), li(''), li(p('Keep the old API'), ul(li('for one more cycle')))),
  p('Revisit in Dalmatian'),
  decision('No new microversion'),
  h3('Details'),
  ol(li('Use', br(), 'consumer types')),
  tasks(todo('not a decision @lee')),
  h2('Action items'),
  tasks(
    todo('@ana to update the docs (started 2025-04-02, due 2025-04-20)'),
    done('Merge the spec 2025-04-10'),
    todo(p('Benchmark with @bo.li'), tasks(todo('ask @ops-team for hardware'))),
    todo(''),
  ),
  p('Not a decision: the section ended at the h2.'),
)

describe('extractOutcomes', () => {
  it('collects decision blocks and the Decisions section once each, in document order', () => {
    expect(extractOutcomes(pad).decisions).toEqual([
      'Ship the v2 placement API first',
      'Quotas move to unified limits',
      'Keep the old API',
      'for one more cycle',
      'Revisit in Dalmatian',
      'No new microversion',
      'Use consumer types',
    ])
  })

  it('collects action blocks and task items with owner, due date and state', () => {
    expect(extractOutcomes(pad).actions).toEqual([
      act('@kim writes the spec, due 2025-05-01', { owner: 'kim', due: '2025-05-01', source: 'action' }),
      act('Summary mailed by @sean.', { owner: 'sean', done: true, source: 'action' }),
      act('not a decision @lee', { owner: 'lee' }),
      act('@ana to update the docs (started 2025-04-02, due 2025-04-20)', { owner: 'ana', due: '2025-04-20' }),
      act('Merge the spec 2025-04-10', { due: '2025-04-10', done: true }),
      act('Benchmark with @bo.li', { owner: 'bo.li' }),
      act('ask @ops-team for hardware', { owner: 'ops-team' }),
    ])
  })

  it('ends the Decisions section at the next heading of the same or a higher level', () => {
    const outcomes = extractOutcomes(
      doc(h2(' DECISIONS '), p('one'), h3('sub'), p('two'), h1('Wrap-up'), p('not one'), h3('Decisions'), p('three'), h2('Next'), p('not either')),
    )
    expect(outcomes.decisions).toEqual(['one', 'two', 'three'])
  })

  it('counts a decision repeated in the Decisions section once, ignoring case and spacing', () => {
    const outcomes = extractOutcomes(doc(decision('Use  Placement'), h2('Decisions'), ul(li('use placement'), li('Use Placement v2')), decision('USE PLACEMENT')))
    expect(outcomes.decisions).toEqual(['Use  Placement', 'Use Placement v2'])
  })

  it('reads owners and due dates by their rules', () => {
    const actions = extractOutcomes(
      doc(
        action('mail sean@example.org about it'),
        action('ask (@Zoë) about 2025-13-40 or 2025-02-30'),
        action('@first and @second, due: 2025-06-01'),
        action('from 2025-01-01 to 2025-02-01'),
      ),
    ).actions
    expect(actions.map(({ owner, due }) => ({ owner, due }))).toEqual([
      { owner: null, due: null },
      { owner: 'Zoë', due: '2025-02-30' },
      { owner: 'first', due: '2025-06-01' },
      { owner: null, due: '2025-01-01' },
    ])
  })

  it('reads hard breaks as spaces and skips empty items', () => {
    const outcomes = extractOutcomes(doc(action('write', br(), 'docs'), action(''), tasks(todo(' '), done('x'))))
    expect(outcomes.actions.map((outcome) => outcome.text)).toEqual(['write docs', 'x'])
  })

  it('accepts the JSON y-prosemirror writes, where default attributes may be missing', () => {
    const json: PMJSON = {
      type: 'doc',
      content: [
        { type: 'heading', content: [{ type: 'text', text: 'Decisions' }] },
        { type: 'bullet_list', content: [{ type: 'list_item', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'd' }] }] }] },
        { type: 'task_list', content: [{ type: 'task_item', content: [{ type: 'paragraph', content: [{ type: 'text', text: 't' }] }] }] },
        { type: 'action_item', content: [{ type: 'text', text: 'a' }] },
      ],
    }
    expect(extractOutcomes(json)).toEqual({ decisions: ['d'], actions: [act('t'), act('a', { source: 'action' })] })
  })

  it('finds nothing in the empty template', () => {
    expect(extractOutcomes(doc(h2('Decisions'), ul(li('')), h2('Action items'), tasks(todo(''))))).toEqual({ decisions: [], actions: [] })
  })

  it('reads a carried item\'s link back as where it came from, and leaves its text out of the action', () => {
    const carried = doc(
      h2('Action items'),
      tasks(
        todo('@ada writes the spec ', link('/s/nova-cells/archive#action-3', '(from Nova: cells)')),
        done('@grace reviews ', link('https://example.org/s/x/archive#action-1', 'a page')),
      ),
      action('@linus benchmarks ', link('/s/other/archive#action-0', '(from Other)')),
    )
    expect(extractOutcomes(carried).actions).toEqual([
      act('@ada writes the spec', { owner: 'ada', from: { sessionId: 'nova-cells', index: 3 } }),
      act('@grace reviews a page', { owner: 'grace', done: true }),
      act('@linus benchmarks', { owner: 'linus', source: 'action', from: { sessionId: 'other', index: 0 } }),
    ])
  })
})
