/**
 * Etherpad import, seed level: the pad update is what y-prosemirror would write for the imported
 * document, every author's text is under a client id that the doc's PermanentUserData assigns to
 * them (so authorship colours and history tell who wrote what), the chat comes along, and both
 * updates pass the room's content checks.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import * as Y from 'yjs'
import { toChatMessages } from '../../../../shared/chat.ts'
import { padFragmentName, schema } from '../../../../shared/schema.ts'
import { authorsBetween, clientOwners, describeAuthors } from '../../../../server/history/authors.ts'
import { detectEtherpadFormat, etherpadSeeds } from '../../../../server/sessions/etherpad-seed.ts'
import { ImportError } from '../../../../shared/import/markdown.ts'

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/etherpad/${name}`, import.meta.url), 'utf8')

function load(update: Uint8Array): Y.Doc {
  const ydoc = new Y.Doc({ gc: false })
  Y.applyUpdate(ydoc, update)
  return ydoc
}

/** Text of each string item of the fragment with the person its client belongs to. */
function authoredTexts(ydoc: Y.Doc): { text: string; person: string | null }[] {
  const owners = clientOwners(ydoc)
  const out: { text: string; person: string | null }[] = []
  const visit = (type: Y.XmlFragment | Y.XmlElement) => {
    for (const child of type.toArray()) {
      if (child instanceof Y.XmlText) {
        let item = (child as unknown as { _start: Y.Item | null })._start
        for (; item; item = item.right) if (item.content instanceof Y.ContentString && !item.deleted) out.push({ text: item.content.str, person: owners.get(item.id.client) ?? null })
      } else if (child instanceof Y.XmlElement) visit(child)
    }
  }
  visit(ydoc.getXmlFragment(padFragmentName))
  return out
}

describe('etherpadSeeds', () => {
  it('writes the document as y-prosemirror reads it back, with every author’s text under their own client', () => {
    const seeds = etherpadSeeds(fixture('summit.etherpad'), 'etherpad')
    const ydoc = load(seeds.pad)
    const read = schema.nodeFromJSON(yXmlFragmentToProsemirrorJSON(ydoc.getXmlFragment(padFragmentName)))
    read.check()
    expect(read.child(0).type.name).toBe('heading')
    expect(read.textContent).toContain('We agreed to keep the API stable for two releases.')
    expect(seeds.authors).toEqual(['etherpad-a_7nP0v1kQmXb2Y3cZ', 'etherpad-a_Q2r9sTuV8wX1yZ0a', 'etherpad-a_L5kJ3hG7fD2sA9pO'])
    expect(describeAuthors(ydoc, seeds.authors)).toEqual([
      { id: 'etherpad-a_7nP0v1kQmXb2Y3cZ', name: 'Thierry', color: '#109393' },
      { id: 'etherpad-a_Q2r9sTuV8wX1yZ0a', name: 'Ildikó', color: '#ae1387' },
      { id: 'etherpad-a_L5kJ3hG7fD2sA9pO', name: 'Unnamed author 3', color: '#133bae' },
    ])
    const texts = authoredTexts(ydoc)
    expect(texts).toContainEqual({ text: 'We agreed ', person: 'etherpad-a_7nP0v1kQmXb2Y3cZ' })
    expect(texts).toContainEqual({ text: 'to keep the API stable', person: 'etherpad-a_Q2r9sTuV8wX1yZ0a' })
    expect(texts).toContainEqual({ text: ' for two releases.', person: 'etherpad-a_L5kJ3hG7fD2sA9pO' })
    // Three people, each on a client of their own, and nobody else (the importer is no author).
    expect(new Set(clientOwners(ydoc).values()).size).toBe(3)
    expect(new Set(clientOwners(ydoc).keys()).size).toBe(3)
    expect(authorsBetween(ydoc, ydoc.getXmlFragment(padFragmentName), new Map()).sort()).toEqual([...seeds.authors].sort())
    // Every textblock has its XmlText, as the editor expects (shared/textblock-text.ts).
    const bare = ydoc.getXmlFragment(padFragmentName).toArray().filter((child) => child instanceof Y.XmlElement && child.length === 0)
    expect(bare).toEqual([])
  })

  it('equals what y-prosemirror reads for each mark and attribute', () => {
    const ydoc = load(etherpadSeeds(fixture('summit.etherpad'), 'etherpad').pad)
    const json = JSON.stringify(yXmlFragmentToProsemirrorJSON(ydoc.getXmlFragment(padFragmentName)))
    expect(json).toContain('{"type":"text","text":"operators","marks":[{"type":"strong","attrs":{}}]}')
    expect(json).toContain('"marks":[{"type":"link","attrs":{"href":"https://review.openstack.org/#/c/12345/","title":null}}]')
    expect(json).toContain('{"type":"ordered_list","attrs":{"order":1}')
    expect(json).toContain('{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Notes"}]}')
  })

  it('brings the chat along with each message’s author, name, colour and time', () => {
    const seeds = etherpadSeeds(fixture('summit.etherpad'), 'etherpad')
    expect(seeds.chatMessages).toBe(3)
    const messages = toChatMessages(load(seeds.chat!).getArray('messages').toArray())
    expect(messages.map(({ authorId, name, color, text, time }) => ({ authorId, name, color, text, time }))).toEqual([
      { authorId: 'etherpad-a_7nP0v1kQmXb2Y3cZ', name: 'Thierry', color: '#109393', text: 'Starting in two minutes', time: 1_400_000_100_000 },
      { authorId: 'etherpad-a_Q2r9sTuV8wX1yZ0a', name: 'Ildikó', color: '#ae1387', text: 'Can someone link the spec? https://review.openstack.org/', time: 1_400_000_160_000 },
      { authorId: 'etherpad-a_L5kJ3hG7fD2sA9pO', name: 'Unnamed author 3', color: '#133bae', text: 'Done, see the notes', time: 1_400_000_220_000 },
    ])
  })

  it('imports HTML and text exports without authors or chat', () => {
    for (const [file, format] of [['summit.html', 'html'], ['summit.txt', 'text']] as const) {
      const seeds = etherpadSeeds(fixture(file), format)
      expect(seeds.chat).toBeNull()
      expect(seeds.authors).toEqual([])
      const ydoc = load(seeds.pad)
      expect(schema.nodeFromJSON(yXmlFragmentToProsemirrorJSON(ydoc.getXmlFragment(padFragmentName))).textContent).toContain('online data migrations')
      expect(clientOwners(ydoc).size).toBe(0)
    }
  })

  it('guesses the format from the first character', () => {
    expect(detectEtherpadFormat(' \n{"pad:x":{}}')).toBe('etherpad')
    expect(detectEtherpadFormat('<!DOCTYPE HTML>')).toBe('html')
    expect(detectEtherpadFormat('Notes\n')).toBe('text')
  })

  it('refuses a file of the wrong format with an ImportError', () => {
    expect(() => etherpadSeeds('just text', 'etherpad')).toThrow(ImportError)
  })
})
