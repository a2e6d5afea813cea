/**
 * RefusedWrites through the sync core (issue 16, part 2): a write refused while the pad is
 * locked is remembered in the store, and every later update that contains it or builds on it
 * (the same client's next edits, an item whose origin, right origin or parent is refused, a
 * deletion of refused content) is refused with 4409 and never stored, also after a restart.
 */
import * as encoding from 'lib0/encoding'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../../../server/observability/log.ts'
import { RoomRegistry } from '../../../../server/sync/room-registry.ts'
import { CloseCode } from '../../../../shared/close-codes.ts'
import { FakeSocket } from '../../../helpers/fake-socket.ts'
import { InMemoryBusHub } from '../../../helpers/in-memory-bus.ts'
import { MemoryDocBacking, MemoryDocStore } from '../../../helpers/memory-doc-store.ts'
import { h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'refused'
let backing: MemoryDocBacking
let registry: RoomRegistry
let writable: boolean

function newRegistry(bus?: InMemoryBusHub): RoomRegistry {
  return new RoomRegistry({
    store: new MemoryDocStore(backing),
    logger: silentLogger,
    compactAfterRows: 1000,
    unloadDelayMs: 20,
    maxQueuedBytesPerConnection: 1024 * 1024,
    bus: bus?.connect(),
  })
}

beforeEach(async () => {
  backing = new MemoryDocBacking()
  await new MemoryDocStore(backing).append(docName, padUpdate(h(2, 'Notes'), p('original')))
  registry = newRegistry()
  writable = true
})
afterEach(async () => {
  await registry.close()
})

function updateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint(encoder, 2)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** A client's doc holding the stored pad; `edit` returns the update its change makes. */
async function client(clientID?: number) {
  const ydoc = new Y.Doc({ gc: false })
  if (clientID !== undefined) ydoc.clientID = clientID
  Y.applyUpdate(ydoc, (await new MemoryDocStore(backing).load(docName))!.update)
  const edit = (change: (fragment: Y.XmlFragment) => void) => {
    const before = Y.encodeStateVector(ydoc)
    change(ydoc.getXmlFragment('prosemirror'))
    return Y.encodeStateAsUpdate(ydoc, before)
  }
  return { ydoc, edit }
}

/** Sends `update` on a new connection; resolves with the close code (null when left open). */
async function send(update: Uint8Array, reg = registry): Promise<number | null> {
  const socket = new FakeSocket()
  const connection = reg.connect(docName, socket, { wantsAck: false, canWrite: () => writable })
  connection.receive(updateFrame(update))
  await connection.whenIdle()
  return socket.closedWith?.code ?? null
}

const text = (reg = registry) => reg.read(docName, (ydoc) => padText(ydoc))

/** The refused paragraph of a client whose write arrived while the pad was locked. */
async function refusedParagraph() {
  const author = await client(1001)
  writable = false
  const update = author.edit((fragment) => fragment.insert(fragment.length, [p('REFUSED')]))
  expect(await send(update)).toBe(CloseCode.diverged)
  writable = true
  return { author, update }
}

describe('a refused write', () => {
  it('is remembered in the store and its client closed with 4409', async () => {
    await refusedParagraph()
    expect(await new MemoryDocStore(backing).loadRefused(docName)).toEqual([{ client: 1001, start: 0, end: 9 }])
    expect(await text()).not.toContain('REFUSED')
  })

  it('refuses the same client’s later edits after unlock, and the refused write resent', async () => {
    const { author, update } = await refusedParagraph()
    expect(await send(update)).toBe(CloseCode.diverged)
    const later = author.edit((fragment) => fragment.insert(0, [p('LATER')]))
    expect(await send(later)).toBe(CloseCode.diverged)
    expect(await text()).not.toMatch(/REFUSED|LATER/)
  })

  it('refuses an edit built on it: origin, right origin, parent, deletion', async () => {
    const { update } = await refusedParagraph()
    const changes: [string, (fragment: Y.XmlFragment) => void][] = [
      ['origin', (fragment) => ((fragment.get(fragment.length - 1) as Y.XmlElement).get(0) as Y.XmlText).insert(7, ' AFTER')],
      ['right origin', (fragment) => ((fragment.get(fragment.length - 1) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'BEFORE ')],
      ['parent', (fragment) => (fragment.get(fragment.length - 1) as Y.XmlElement).insert(1, [new Y.XmlText('INSIDE')])],
      ['deletion', (fragment) => ((fragment.get(fragment.length - 1) as Y.XmlElement).get(0) as Y.XmlText).delete(0, 2)],
    ]
    let id = 2000
    for (const [what, change] of changes) {
      const other = await client(id++)
      Y.applyUpdate(other.ydoc, update)
      expect(await send(other.edit(change)), what).toBe(CloseCode.diverged)
    }
    expect(await text()).not.toMatch(/REFUSED|AFTER|BEFORE|INSIDE/)
    // ...and the client refused for building on it is refused in turn.
    const builder = await client(2000)
    Y.applyUpdate(builder.ydoc, update)
    expect(await send(builder.edit((fragment) => fragment.insert(0, [p('UNRELATED')])))).toBe(CloseCode.diverged)
  })

  it('closes a client whose deletion was refused, so its copy cannot bring it in later', async () => {
    const deleter = await client(1500)
    writable = false
    const deletion = deleter.edit((fragment) => fragment.delete(1, 1))
    expect(await send(deletion)).toBe(CloseCode.diverged)
    writable = true
    expect(await text()).toContain('original')
    // A viewer's sync step 2 carries every deletion its copy knows: the ones the pad made are
    // nothing new, and that viewer stays connected.
    expect(await send(deleter.edit((fragment) => fragment.delete(0, 1)))).toBeNull()
    const viewer = await client(1501)
    writable = false
    expect(await send(Y.encodeStateAsUpdate(viewer.ydoc, Y.encodeStateVector(viewer.ydoc)))).toBeNull()
  })

  it('answers a reader without building the pad: nothing new stays open, a new deletion closes', async () => {
    // A pad whose stored state has a deletion; every reader's sync step 2 carries it.
    const editor = await client(1600)
    await new MemoryDocStore(backing).append(docName, editor.edit((fragment) => fragment.delete(0, 1)))
    await registry.close()
    registry = newRegistry()
    writable = false
    const reader = await client(1601)
    expect(await send(Y.encodeStateAsUpdate(reader.ydoc, Y.encodeStateVector(reader.ydoc)))).toBeNull()
    expect(await registry.builtDocNames()).toEqual([])
    expect(await send(reader.edit((fragment) => fragment.delete(0, 1)))).toBe(CloseCode.diverged)
    expect(await registry.builtDocNames()).toEqual([])
    writable = true
    expect(await text()).toContain('original')
  })

  it('lets everyone else’s edits through', async () => {
    await refusedParagraph()
    const other = await client(3000)
    expect(await send(other.edit((fragment) => fragment.insert(0, [p('WELCOME')])))).toBeNull()
    expect(await text()).toContain('WELCOME')
  })

  it('is refused again after a restart', async () => {
    const { update } = await refusedParagraph()
    await registry.close()
    registry = newRegistry()
    expect(await send(update)).toBe(CloseCode.diverged)
    expect(await text()).not.toContain('REFUSED')
  })

  it('is refused by another instance that had the pad loaded before the refusal', async () => {
    const hub = new InMemoryBusHub()
    await registry.close()
    registry = newRegistry(hub)
    const other = newRegistry(hub)
    try {
      // The other instance loads the pad first (someone is reading it there).
      const reader = other.connect(docName, new FakeSocket(), { wantsAck: false })
      await reader.whenIdle()
      const { update } = await refusedParagraph()
      expect(await send(update, other)).toBe(CloseCode.diverged)
      expect(await text(other)).not.toContain('REFUSED')
    } finally {
      await other.close()
    }
  })
})
