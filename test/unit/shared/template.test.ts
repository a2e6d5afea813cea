import { describe, expect, it } from 'vitest'
import type { Node as PMNode } from 'prosemirror-model'
import { schema } from '../../../shared/schema.ts'
import { sessionTemplate, sessionTemplateNode } from '../../../shared/template.ts'

/** The section headings (level 2) of `doc`, each with the node that follows it. */
function sections(doc: PMNode): { title: string; body: PMNode | null }[] {
  const result: { title: string; body: PMNode | null }[] = []
  doc.forEach((node, _offset, index) => {
    if (node.type.name === 'heading' && node.attrs.level === 2) {
      result.push({ title: node.textContent, body: index + 1 < doc.childCount ? doc.child(index + 1) : null })
    }
  })
  return result
}

describe('sessionTemplate', () => {
  it('fits the pad schema', () => {
    const node = schema.nodeFromJSON(sessionTemplate())
    expect(() => node.check()).not.toThrow()
    expect(() => schema.nodeFromJSON(sessionTemplate({ title: 'T', description: 'D' })).check()).not.toThrow()
  })

  it('has the five sections in order, each followed by the block to write in', () => {
    const found = sections(schema.nodeFromJSON(sessionTemplate()))
    expect(found.map((section) => section.title)).toEqual(['Goals', 'Agenda', 'Notes', 'Decisions', 'Action items'])
    const [goals, agenda, notes, decisions, actions] = found.map((section) => section.body?.type.name)
    expect({ goals, notes, decisions, actions }).toEqual({
      goals: 'paragraph',
      notes: 'paragraph',
      decisions: 'bullet_list',
      actions: 'task_list',
    })
    expect(agenda).toMatch(/_list$/)
  })

  it('gives Action items a task list with one unchecked task', () => {
    const actions = sections(schema.nodeFromJSON(sessionTemplate())).find((section) => section.title === 'Action items')!
    expect(actions.body!.type.name).toBe('task_list')
    expect(actions.body!.childCount).toBe(1)
    expect(actions.body!.firstChild!.type.name).toBe('task_item')
    expect(actions.body!.firstChild!.attrs.checked).toBe(false)
  })

  it('puts the title first as a level-1 heading and the description under Goals', () => {
    const doc = sessionTemplateNode({ title: 'Release planning', description: 'Decide the cut-off date' })
    expect(doc.firstChild!.type.name).toBe('heading')
    expect(doc.firstChild!.attrs.level).toBe(1)
    expect(doc.firstChild!.textContent).toBe('Release planning')
    const goals = sections(doc).find((section) => section.title === 'Goals')!
    expect(goals.body!.textContent).toBe('Decide the cut-off date')
  })

  it('has no title heading when no title is given', () => {
    const doc = sessionTemplateNode()
    expect(doc.firstChild!.textContent).toBe('Goals')
    expect(doc.firstChild!.attrs.level).toBe(2)
  })
})
