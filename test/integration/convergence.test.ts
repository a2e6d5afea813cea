/**
 * Randomized convergence over the real server with the stock y-websocket provider: clients make
 * random concurrent edits to the pad (type, delete, bold, new paragraph, new list, remove a block)
 * and drop and restore their connections, some editing offline. At the end everyone reconnects and
 * must converge to the same content and state vector as a fresh observer (= the server's
 * content); after a crash-restart a fresh client must load it again, and the stored rows must
 * rebuild it.
 *
 * - `FUZZ_SEED=<n>`: the run's first seed (the others are n+1, n+2); printed with the op log when
 *   a run fails, so `FUZZ_SEED=<printed seed>` replays the same op choices. Default: random.
 * - `FUZZ_ITERATIONS=<n>`: ops of the two-client run (default 300); the twenty-client run does 2n.
 * Network timing is real, so a replay repeats the op choices, not necessarily every interleaving.
 */
import Database from 'better-sqlite3'
import * as prng from 'lib0/prng'
import path from 'node:path'
import { yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { padFragmentName, schema } from '../../shared/schema.ts'
import { createSession } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const seedCount = 3
const firstSeed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : prng.uint32(prng.create(Date.now()), 0, 2 ** 31)
const iterations = Number(process.env.FUZZ_ITERATIONS ?? 300)
const seeds = Array.from({ length: seedCount }, (_, i) => firstSeed + i)

let server: ServerProcess
const clients = new Set<PadClient>()

beforeAll(async () => {
  server = await startServerProcess({
    // Small values so compaction and room unload/reload happen in the middle of a run.
    env: { COMPACT_AFTER_ROWS: '40', ROOM_UNLOAD_DELAY_MS: '30' },
  })
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await server?.dispose()
})

function open(room: string): PadClient {
  const client = connectPad(server.wsUrl, room)
  clients.add(client)
  return client
}

function destroy(client: PadClient): void {
  client.destroy()
  clients.delete(client)
}

// ---- the fuzzer -------------------------------------------------------------------------------

interface Peer {
  name: string
  client: PadClient
  online: boolean
}

interface Fuzz {
  gen: prng.PRNG
  peers: Peer[]
}

/** One named op: changes `peer`'s doc (or connection) and describes what it did, or null if it could not apply. */
type Op = (fuzz: Fuzz, peer: Peer) => string | null

const textBlockNames = new Set(['paragraph', 'heading'])

/** Every paragraph and heading of the fragment, nested ones (in list items) included. */
function textBlocks(parent: Y.XmlFragment | Y.XmlElement, found: Y.XmlElement[] = []): Y.XmlElement[] {
  for (const child of parent.toArray()) {
    if (!(child instanceof Y.XmlElement)) continue
    if (textBlockNames.has(child.nodeName)) found.push(child)
    else textBlocks(child, found)
  }
  return found
}

/** Every non-empty text run of every text block, with its block's index for the log. */
function textRuns(fragment: Y.XmlFragment): { ytext: Y.XmlText; block: number }[] {
  return textBlocks(fragment).flatMap((block, index) =>
    block.toArray().flatMap((child) => (child instanceof Y.XmlText && child.length > 0 ? [{ ytext: child, block: index }] : [])),
  )
}

const fragmentOf = (peer: Peer) => peer.client.ydoc.getXmlFragment(padFragmentName)
const word = (gen: prng.PRNG) => prng.word(gen, 1, 7) + (prng.bool(gen) ? ' ' : '')

function paragraph(text: string): Y.XmlElement {
  const element = new Y.XmlElement('paragraph')
  element.insert(0, [new Y.XmlText(text)])
  return element
}

const insertText: Op = ({ gen }, peer) => {
  const blocks = textBlocks(fragmentOf(peer))
  if (blocks.length === 0) return null
  const index = prng.int32(gen, 0, blocks.length - 1)
  const block = blocks[index]!
  const text = word(gen)
  const runs = block.toArray().filter((child): child is Y.XmlText => child instanceof Y.XmlText)
  if (runs.length === 0) {
    block.insert(block.length, [new Y.XmlText(text)])
    return `insertText block#${index} new run ${JSON.stringify(text)}`
  }
  const run = prng.int32(gen, 0, runs.length - 1)
  const ytext = runs[run]!
  const offset = prng.int32(gen, 0, ytext.length)
  ytext.insert(offset, text)
  return `insertText block#${index} run#${run} @${offset} ${JSON.stringify(text)}`
}

const deleteText: Op = ({ gen }, peer) => {
  const runs = textRuns(fragmentOf(peer))
  if (runs.length === 0) return null
  const { ytext, block } = prng.oneOf(gen, runs)
  const index = prng.int32(gen, 0, ytext.length - 1)
  const length = prng.int32(gen, 1, Math.min(ytext.length - index, 8))
  ytext.delete(index, length)
  return `deleteText block#${block} @${index} len ${length}`
}

const format: Op = ({ gen }, peer) => {
  const runs = textRuns(fragmentOf(peer))
  if (runs.length === 0) return null
  const { ytext, block } = prng.oneOf(gen, runs)
  const index = prng.int32(gen, 0, ytext.length - 1)
  const length = prng.int32(gen, 1, ytext.length - index)
  const bold = prng.int32(gen, 0, 3) > 0
  ytext.format(index, length, { strong: bold ? true : null })
  return `${bold ? 'bold' : 'unbold'} block#${block} @${index} len ${length}`
}

// Blocks are only inserted after, and deleted from behind, the first block, so the first block
// (the template's first heading) is never deleted by anyone and the doc never becomes empty.
const insertParagraph: Op = ({ gen }, peer) => {
  const fragment = fragmentOf(peer)
  const index = prng.int32(gen, 1, fragment.length)
  const text = word(gen)
  fragment.insert(index, [paragraph(text)])
  return `insertParagraph @${index} ${JSON.stringify(text)}`
}

const insertList: Op = ({ gen }, peer) => {
  const fragment = fragmentOf(peer)
  const index = prng.int32(gen, 1, fragment.length)
  const list = new Y.XmlElement(prng.bool(gen) ? 'bullet_list' : 'ordered_list')
  const item = new Y.XmlElement('list_item')
  const text = word(gen)
  item.insert(0, [paragraph(text)])
  list.insert(0, [item])
  fragment.insert(index, [list])
  return `insert${list.nodeName} @${index} ${JSON.stringify(text)}`
}

const deleteBlock: Op = ({ gen }, peer) => {
  const fragment = fragmentOf(peer)
  if (fragment.length <= 3) return null
  const index = prng.int32(gen, 1, fragment.length - 1)
  fragment.delete(index, 1)
  return `deleteBlock @${index}`
}

const toggleConnection: Op = (_fuzz, peer) => {
  peer.online = !peer.online
  if (peer.online) peer.client.provider.connect()
  else peer.client.provider.disconnect()
  return peer.online ? 'connect' : 'disconnect'
}

const opTable: [weight: number, name: string, op: Op][] = [
  [30, 'insertText', insertText],
  [10, 'deleteText', deleteText],
  [8, 'format', format],
  [8, 'insertParagraph', insertParagraph],
  [2, 'insertList', insertList],
  [4, 'deleteBlock', deleteBlock],
  [3, 'toggleConnection', toggleConnection],
]
const totalWeight = opTable.reduce((sum, [weight]) => sum + weight, 0)

function pickOp(gen: prng.PRNG): [string, Op] {
  let roll = prng.int32(gen, 0, totalWeight - 1)
  for (const [weight, name, op] of opTable) {
    if (roll < weight) return [name, op]
    roll -= weight
  }
  throw new Error('unreachable: weights exhausted')
}

/** Runs `count` random ops over `fuzz.peers`, letting the network deliver in between. */
async function runOps(fuzz: Fuzz, count: number, log: string[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const peer = prng.oneOf(fuzz.gen, fuzz.peers)
    const [name, op] = pickOp(fuzz.gen)
    const description = op(fuzz, peer)
    log.push(`#${i} ${peer.name} ${description ?? `${name} (skipped)`}`)
    // Deliberate: let frames cross the network between bursts of edits, so clients edit
    // concurrently with remote updates arriving at random points.
    if (prng.int32(fuzz.gen, 0, 3) === 0) await new Promise((resolve) => setTimeout(resolve, prng.int32(fuzz.gen, 0, 4)))
  }
}

// ---- checks -----------------------------------------------------------------------------------

interface DocState {
  xml: string
  stateVector: [number, number][]
}

function stateOf(ydoc: Y.Doc): DocState {
  return {
    xml: ydoc.getXmlFragment(padFragmentName).toString(),
    stateVector: [...Y.decodeStateVector(Y.encodeStateVector(ydoc))].sort(([a], [b]) => a - b),
  }
}

const sameState = (a: DocState, b: DocState) => a.xml === b.xml && JSON.stringify(a.stateVector) === JSON.stringify(b.stateVector)

/** The ids (`client:clock`) of every deleted item of `ydoc`, for comparing delete sets in a failure log. */
function deletedIds(ydoc: Y.Doc): Set<string> {
  const ids = new Set<string>()
  for (const [client, ranges] of Y.createDeleteSetFromStructStore(ydoc.store).clients) {
    for (const { clock, len } of ranges) for (let i = 0; i < len; i++) ids.add(`${client}:${clock + i}`)
  }
  return ids
}

/** One log line saying how `peer` differs from `reference`: link, state vector, deletions, first XML difference. */
function describeDivergence(peer: Peer, reference: Y.Doc): string {
  const mine = stateOf(peer.client.ydoc)
  const theirs = stateOf(reference)
  const deletedHere = deletedIds(peer.client.ydoc)
  const deletedThere = deletedIds(reference)
  let at = 0
  while (at < mine.xml.length && mine.xml[at] === theirs.xml[at]) at++
  return [
    `-- ${peer.name} differs: connected=${peer.client.provider.wsconnected} synced=${peer.client.provider.synced}`,
    `same state vector=${JSON.stringify(mine.stateVector) === JSON.stringify(theirs.stateVector)}`,
    `deleted only here=[${[...deletedHere].filter((id) => !deletedThere.has(id)).join(' ')}]`,
    `deleted only in reference=[${[...deletedThere].filter((id) => !deletedHere.has(id)).join(' ')}]`,
    `xml here …${mine.xml.slice(Math.max(0, at - 40), at + 40)}… reference …${theirs.xml.slice(Math.max(0, at - 40), at + 40)}…`,
  ].join(' ')
}

/** Converts a copy of `ydoc`'s pad to ProseMirror and checks it against the schema. */
function checkedProseMirrorDoc(ydoc: Y.Doc) {
  const copy = new Y.Doc({ gc: false })
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(ydoc))
  const before = copy.getXmlFragment(padFragmentName).toString()
  const node = yXmlFragmentToProseMirrorRootNode(copy.getXmlFragment(padFragmentName), schema)
  node.check()
  // y-prosemirror deletes elements it cannot convert; nothing may have been deleted.
  expect(copy.getXmlFragment(padFragmentName).toString()).toBe(before)
  return node
}

/** The pad as rebuilt from the rows in the (stopped) server's SQLite file. */
function rebuiltFromStore(docName: string): Y.Doc {
  const db = new Database(path.join(server.dataDir, 'summitpad.db'), { readonly: true, fileMustExist: true })
  try {
    const rows = db.prepare('SELECT data FROM doc_updates WHERE doc_name = ? ORDER BY id').all(docName) as { data: Uint8Array }[]
    const ydoc = new Y.Doc({ gc: false })
    Y.applyUpdate(ydoc, Y.mergeUpdates(rows.map((row) => row.data)))
    return ydoc
  } finally {
    db.close()
  }
}

async function fuzzRun(seed: number, peerCount: number, opCount: number, log: string[]): Promise<void> {
  const gen = prng.create(seed)
  const session = await createSession(server.url, { title: `Fuzz ${seed}` })
  const peers: Peer[] = Array.from({ length: peerCount }, (_, i) => ({ name: `c${i}`, client: open(session.id), online: true }))
  try {
    await convergeAndRestart(gen, session.id, peers, opCount, log)
  } finally {
    for (const client of [...clients]) destroy(client)
  }
}

async function convergeAndRestart(gen: prng.PRNG, docName: string, peers: Peer[], opCount: number, log: string[]): Promise<void> {
  await Promise.all(peers.map((peer) => waitForSynced(peer.client, 15_000)))
  const initialText = checkedProseMirrorDoc(peers[0]!.client.ydoc).textContent

  await runOps({ gen, peers }, opCount, log)

  log.push('-- reconnect everyone')
  for (const peer of peers) if (!peer.online) peer.client.provider.connect()
  await waitFor(() => peers.every((peer) => peer.client.provider.synced), 20_000, 'every client synced')
  const observer = open(docName)
  await waitForSynced(observer, 15_000)
  await waitFor(
    () => {
      const target = stateOf(observer.ydoc)
      return peers.every((peer) => sameState(stateOf(peer.client.ydoc), target))
    },
    20_000,
    'every client converged with a fresh observer',
  ).catch((error: unknown) => {
    for (const peer of peers) {
      if (!sameState(stateOf(peer.client.ydoc), stateOf(observer.ydoc))) log.push(describeDivergence(peer, observer.ydoc))
    }
    throw error
  })
  const final = stateOf(observer.ydoc)
  for (const peer of peers) {
    expect(stateOf(peer.client.ydoc), peer.name).toEqual(final)
    expect(peer.client.ydoc.store.pendingStructs, `${peer.name} pending structs`).toBeNull()
    const pendingDs = peer.client.ydoc.store.pendingDs
    expect(pendingDs, `${peer.name} pending deletions: ${pendingDs ? JSON.stringify([...Y.decodeUpdateV2(pendingDs).ds.clients].map(([client, ranges]) => [client, ranges.map((r) => [r.clock, r.len])])) : ''} state ${JSON.stringify(final.stateVector)}`).toBeNull()
  }
  const pmDoc = checkedProseMirrorDoc(observer.ydoc)
  // The run produced content: well beyond the template it started from.
  expect(pmDoc.textContent.length).toBeGreaterThan(initialText.length + opCount / 4)
  expect(pmDoc.firstChild!.type.name).toBe('heading')

  log.push('-- crash and restart the server')
  for (const peer of peers) destroy(peer.client)
  destroy(observer)
  await server.kill('SIGKILL')
  try {
    expect(stateOf(rebuiltFromStore(docName))).toEqual(final)
  } finally {
    await server.restart()
  }
  const fresh = open(docName)
  await waitForSynced(fresh, 15_000)
  expect(stateOf(fresh.ydoc)).toEqual(final)
}

describe('randomized convergence over the real server', () => {
  for (const seed of seeds) {
    for (const [peerCount, opCount] of [
      [2, iterations],
      [20, iterations * 2],
    ] as const) {
      it(`converges with ${peerCount} clients, ${opCount} ops (FUZZ_SEED=${seed})`, async ({ onTestFailed }) => {
        const log: string[] = []
        onTestFailed(() => {
          // The server's own word on what it refused or closed, for the failure log.
          const serverSaid = server.logs.filter((line) => Number(line.level) >= 40 || /clos|refus/i.test(String(line.msg))).map((line) => JSON.stringify(line))
          console.error(`convergence failed: FUZZ_SEED=${seed} clients=${peerCount} ops=${opCount}\n${log.join('\n')}\n-- server log\n${serverSaid.slice(-40).join('\n')}`)
        })
        await fuzzRun(seed, peerCount, opCount, log)
      })
    }
  }
})
