/**
 * An imported Etherpad pad as the first updates of a new session: its pad (with authorship) and
 * its chat. Runs in the Etherpad import worker (`server/workers/etherpad-worker.ts`).
 *
 * Authorship follows what the editor records (`client/sync/authorship.ts`): each Etherpad author
 * becomes a person id (`etherpad-<author id>`) with their name and colour in the pad's `authors`
 * map, and a Yjs client id of their own that the `users` map (Y.PermanentUserData's shape: per
 * person, `ids` and `ds`) assigns to them. Their runs of text are inserted under that client id,
 * so the authorship colours, the history page and the archive tell who wrote what. Structure
 * (elements) and text without an author are written by one importer client owned by nobody.
 *
 * The fragment is built the way y-prosemirror writes a document (one XmlElement per node with its
 * non-null attributes, one XmlText per textblock, a mark as a format keyed by its name holding its
 * attributes): the unit tests hold it to `yXmlFragmentToProsemirrorJSON`. Both updates then pass
 * the same content checks as any client's update (server/sync/update-checks.ts) before the caller
 * stores them.
 */
import type { Node as PMNode } from 'prosemirror-model'
import type { EtherpadFormat } from '../../shared/api.ts'
import * as Y from 'yjs'
import { chatArrayName, toChatMessage, type ChatMessage } from '../../shared/chat.ts'
import { parseEtherpad, type EtherpadAuthor, type ParsedPad } from '../../shared/import/etherpad.ts'
import { parseEtherpadHtml, parseEtherpadText } from '../../shared/import/etherpad-exports.ts'
import { ImportError } from '../../shared/import/limits.ts'
import { linesToDoc, type AuthoredText } from '../../shared/import/pad-lines.ts'
import { padFragmentName, schema } from '../../shared/schema.ts'
import type { PMJSON } from '../../shared/template.ts'
import { defaultUpdateCheckLimits, UpdateChecker, type DocShape } from '../sync/update-checks.ts'
import { scanUpdate } from '../sync/update-shape.ts'
import { authorsMapName, usersMapName } from '../history/authors.ts'

export { detectEtherpadFormat, etherpadFormatOfName } from './etherpad-format.ts'

/** What an import makes of one file. */
export interface EtherpadSeeds {
  /** The pad's first update. */
  pad: Uint8Array
  /** The chat doc's first update, or null when the pad had no chat. */
  chat: Uint8Array | null
  /** Person ids of the imported authors, in order of first appearance. */
  authors: string[]
  /** Lines and chat messages imported. */
  lines: number
  chatMessages: number
}

/** Most structs one seed update may hold: a full pad (1,000,000 characters) fits well within it. */
const maxSeedStructs = 2_000_000

/**
 * The seeds of `file` read as `format`. Throws ImportError for a file that cannot be imported
 * (see `shared/import/etherpad.ts` for the bounds) and for content the update checks refuse.
 */
export function etherpadSeeds(file: string, format: EtherpadFormat): EtherpadSeeds {
  const parsed: Omit<ParsedPad, 'padId'> =
    format === 'etherpad' ? parseEtherpad(file) : { lines: format === 'html' ? parseEtherpadHtml(file) : parseEtherpadText(file), authors: [], chat: [] }
  const people = personIds(parsed.authors)
  const doc = linesToDoc(parsed.lines, (author) => (author === null ? null : (people.get(author)?.person ?? null)))
  const pad = encodeAuthoredPad(doc, [...people.values()])
  const messages = chatMessages(parsed.chat, people)
  const chat = messages.length ? encodeChat(messages) : null
  checkSeed(pad, 'pad')
  if (chat) checkSeed(chat, 'chat')
  return { pad, chat, authors: [...people.values()].map(({ person }) => person), lines: parsed.lines.length, chatMessages: messages.length }
}

interface Person extends EtherpadAuthor {
  person: string
}

/** Etherpad author id → person id (URL-safe, unique, at most 64 characters) and the author. */
function personIds(authors: readonly EtherpadAuthor[]): Map<string, Person> {
  const people = new Map<string, Person>()
  const taken = new Set<string>()
  for (const author of authors) {
    const base = `etherpad-${author.id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}`
    let person = base
    for (let n = 2; taken.has(person); n++) person = `${base}-${n}`
    taken.add(person)
    people.set(author.id, { ...author, person })
  }
  return people
}

/** A Yjs client id not in `used` (31 bits, as Yjs draws them). */
function freshClient(used: Set<number>): number {
  for (;;) {
    const client = Math.floor(Math.random() * 0x7fffffff) + 1
    if (!used.has(client)) {
      used.add(client)
      return client
    }
  }
}

/** The pad update of `doc` (PM JSON with `author` on text nodes), authored as the module header says. */
export function encodeAuthoredPad(doc: PMJSON, people: readonly Person[]): Uint8Array {
  const node = schema.nodeFromJSON(doc)
  node.check()
  const used = new Set<number>()
  const importer = freshClient(used)
  const clientOf = new Map(people.map(({ person }) => [person, freshClient(used)] as const))
  const ydoc = new Y.Doc({ gc: false })
  ydoc.clientID = importer
  const texts: { ytext: Y.XmlText; runs: AuthoredText[] }[] = []
  ydoc.transact(() => {
    const authors = ydoc.getMap(authorsMapName)
    const users = ydoc.getMap(usersMapName)
    for (const { person, name, color } of people) {
      authors.set(person, { name, color })
      const user = new Y.Map<unknown>()
      users.set(person, user)
      user.set('ids', Y.Array.from([clientOf.get(person)!]))
      user.set('ds', new Y.Array())
    }
    ydoc.getXmlFragment(padFragmentName).insert(0, buildChildren(doc, node, texts))
    // Each run under its author's client id: Yjs reads `clientID` for every insert, and a local
    // transaction may hold items of several clients (its cleanup merges per client). One
    // transaction for the whole pad: one per run took seconds on a 10,000-line pad.
    for (const { ytext, runs } of texts) {
      for (const run of runs) {
        ydoc.clientID = run.author ? (clientOf.get(run.author) ?? importer) : importer
        ytext.insert(ytext.length, run.text, formatsOf(run))
      }
    }
  })
  const update = Y.encodeStateAsUpdate(ydoc)
  ydoc.destroy()
  return update
}

/**
 * The elements of `json`'s children (`node`'s, for their attributes), built before they are in
 * the doc (Yjs keeps a new type's children and attributes until it is inserted) so that each
 * level goes in with one insert: inserting children one by one at the end walks the list each
 * time.
 */
function buildChildren(json: PMJSON, node: PMNode, texts: { ytext: Y.XmlText; runs: AuthoredText[] }[]): Y.XmlElement[] {
  const elements: Y.XmlElement[] = []
  for (const [i, childJson] of (json.content ?? []).entries()) {
    const child = node.child(i)
    const element = new Y.XmlElement(child.type.name)
    for (const [key, value] of Object.entries(child.attrs)) if (value !== null) element.setAttribute(key, value as string)
    if (child.isTextblock) {
      const ytext = new Y.XmlText()
      element.insert(0, [ytext])
      texts.push({ ytext, runs: (childJson.content ?? []) as AuthoredText[] })
    } else {
      element.insert(0, buildChildren(childJson, child, texts))
    }
    elements.push(element)
  }
  return elements
}

/** A text node's marks as y-prosemirror writes them: the mark's name → its attributes. */
function formatsOf(run: AuthoredText): Record<string, unknown> {
  const formats: Record<string, unknown> = {}
  for (const mark of run.marks ?? []) formats[mark.type] = schema.markFromJSON(mark).attrs
  return formats
}

/** The chat messages of the pad, each with its author's person id, name and colour. */
function chatMessages(chat: ParsedPad['chat'], people: Map<string, Person>): ChatMessage[] {
  const messages: ChatMessage[] = []
  for (const [n, entry] of chat.entries()) {
    const person = entry.author === null ? undefined : people.get(entry.author)
    const message = toChatMessage({
      id: `etherpad-${n}`,
      authorId: person?.person ?? 'etherpad-unknown',
      name: person?.name ?? 'Etherpad',
      color: person?.color ?? '#607d8b',
      text: entry.text,
      time: entry.time,
    })
    if (message) messages.push(message)
  }
  return messages
}

function encodeChat(messages: readonly ChatMessage[]): Uint8Array {
  const ydoc = new Y.Doc({ gc: false })
  ydoc.getArray<ChatMessage>(chatArrayName).push([...messages])
  const update = Y.encodeStateAsUpdate(ydoc)
  ydoc.destroy()
  return update
}

/** Runs a seed through the checks every client update passes; a refusal is an ImportError. */
function checkSeed(update: Uint8Array, shape: DocShape): void {
  const checker = new UpdateChecker(shape, defaultUpdateCheckLimits)
  try {
    scanUpdate(update, { maxStructs: maxSeedStructs, maxDeleteRanges: 0, content: defaultUpdateCheckLimits }, checker.collect)
    const ydoc = new Y.Doc({ gc: false })
    checker.check({ doc: ydoc, findQueued: () => null, types: new WeakMap() })
    ydoc.destroy()
  } catch (error) {
    throw new ImportError('malformed', `the imported ${shape} breaks a content rule: ${error instanceof Error ? error.message : String(error)}`)
  }
}
