/**
 * Content checks (issue 15 part 3, issue 16 part 4): an update that could poison a pad (nesting
 * Yjs or the exporters cannot digest, a flood of client ids, content the schema does not have)
 * closes its sender with 4422, is stored nowhere, and the pad keeps working for everyone.
 */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { DocShape } from '../../../../server/sync/update-checks.ts'
import { CloseCode } from '../../../../shared/close-codes.ts'
import { messageSync } from '../../../../shared/protocol.ts'
import { useRegistryFixture } from '../../../helpers/registry-fixture.ts'
import type { SyncPeer } from '../../../helpers/sync-peer.ts'
import { h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'
import { padFragmentName } from '../../../../shared/schema.ts'

const docName = 'update-checks'
const fixture = useRegistryFixture(docName, () => padUpdate(h(2, 'Notes'), p('seeded')))
const joined = () => fixture.joined()
const make = (docShape: DocShape = 'pad') => fixture.make({ docShape: () => docShape })

/** An update of one item at the start of root `root`, with content kind `kind` written by `content`. */
function rootItem(client: number, root: string, kind: number, content: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1) // one client
  encoding.writeVarUint(encoder, 1) // one struct
  encoding.writeVarUint(encoder, client)
  encoding.writeVarUint(encoder, 0) // clock
  encoding.writeUint8(encoder, kind) // no origins, no parentSub
  encoding.writeVarUint(encoder, 1) // parent is a root type, by name
  encoding.writeVarString(encoder, root)
  content(encoder)
  encoding.writeVarUint(encoder, 0) // empty delete set
  return encoding.toUint8Array(encoder)
}

/** JSON nested `depth` arrays deep. */
const deepJson = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

async function expectRefused(peer: SyncPeer, reasonPart: string): Promise<void> {
  await peer.idle()
  expect(peer.socket.closedWith?.code).toBe(CloseCode.updateRefused)
  expect(peer.socket.closedWith?.reason).toContain(reasonPart)
}

/** Sends `update` and expects a 4422 naming `reasonPart` with nothing stored; the pad still serves others. */
async function expectRefusedUnstored(peer: SyncPeer, update: Uint8Array, reasonPart: string): Promise<void> {
  const rows = fixture.store.rowCount(docName)
  peer.sendUpdate(update)
  await expectRefused(peer, reasonPart)
  expect(fixture.store.rowCount(docName)).toBe(rows)
  const late = await joined()
  expect(late.socket.closedWith).toBeNull()
  expect(padText(late.ydoc)).toContain('seeded')
}

describe('update content checks', () => {
  it('refuses JSON content nested 6,000 deep (it overflowed Yjs on re-encoding) and keeps the pad loadable', async () => {
    make()
    const peer = await joined()
    const update = rootItem(4242, 'legacy', 2, (encoder) => {
      encoding.writeVarUint(encoder, 1)
      encoding.writeVarString(encoder, deepJson(6000))
    })
    await expectRefusedUnstored(peer, update, 'nested deeper than 32')
    // What the store holds still re-encodes.
    const loaded = await fixture.store.load(docName)
    const doc = new Y.Doc({ gc: false })
    Y.applyUpdate(doc, loaded!.update)
    expect(() => Y.encodeStateAsUpdate(doc)).not.toThrow()
  })

  it('refuses plain values nested past maxValueDepth, and takes one nested within it', async () => {
    make('free')
    const ok = await joined()
    let nested: unknown = 'leaf'
    for (let i = 0; i < 30; i++) nested = [nested]
    const before = Y.encodeStateVector(ok.ydoc)
    ok.ydoc.getArray('values').push([nested])
    ok.sendUpdate(Y.encodeStateAsUpdate(ok.ydoc, before))
    await ok.idle()
    expect(ok.socket.closedWith).toBeNull()

    const peer = await joined()
    let deep: unknown = 'leaf'
    for (let i = 0; i < 40; i++) deep = { a: deep }
    const update = rootItem(4243, 'values', 8, (encoder) => {
      encoding.writeVarUint(encoder, 1)
      encoding.writeAny(encoder, deep as Record<string, never>)
    })
    await expectRefusedUnstored(peer, update, 'nested deeper than 32')
  })

  it('refuses elements nested past maxElementDepth (20,000 nested elements broke every export)', async () => {
    make()
    const peer = await joined()
    const outer = new Y.XmlElement('bullet_list')
    let at = outer
    for (let i = 0; i < 100; i++) {
      const item = new Y.XmlElement('list_item')
      at.insert(0, [item])
      at = item
    }
    const rows = fixture.store.rowCount(docName)
    peer.edit((fragment) => fragment.insert(0, [outer]))
    await expectRefused(peer, 'elements nested deeper than 64')
    expect(fixture.store.rowCount(docName)).toBe(rows)
  })

  it('takes a realistic nested list and ordinary marked text', async () => {
    make()
    const peer = await joined()
    peer.edit((fragment) => {
      const list = new Y.XmlElement('bullet_list')
      let at = list
      for (let i = 0; i < 8; i++) {
        const item = new Y.XmlElement('list_item')
        const para = p(`level ${i}`)
        const inner = new Y.XmlElement('bullet_list')
        item.insert(0, [para, inner])
        at.insert(0, [item])
        at = inner
      }
      at.insert(0, [(() => {
        const item = new Y.XmlElement('list_item')
        item.insert(0, [p('deepest')])
        return item
      })()])
      const text = new Y.XmlText()
      text.insert(0, 'see the spec', { strong: {}, link: { href: 'https://example.org', title: null } })
      const para = new Y.XmlElement('paragraph')
      para.insert(0, [text])
      const agenda = new Y.XmlElement('agenda_list')
      const item = new Y.XmlElement('agenda_item')
      item.setAttribute('id', 'a1')
      item.setAttribute('owner', 'kim')
      item.setAttribute('status', 'now')
      item.insert(0, [p('Quotas')])
      agenda.insert(0, [item])
      fragment.insert(fragment.length, [list, para, agenda])
    })
    await peer.idle()
    expect(peer.socket.closedWith).toBeNull()
    const late = await joined()
    expect(padText(late.ydoc)).toContain('deepest')
    expect(padText(late.ydoc)).toContain('see the spec')
  })

  it('refuses an element the pad schema does not have (a script element)', async () => {
    make()
    const peer = await joined()
    const rows = fixture.store.rowCount(docName)
    peer.edit((fragment) => fragment.insert(0, [new Y.XmlElement('script')]))
    await expectRefused(peer, 'element "script" is not in the pad schema')
    expect(fixture.store.rowCount(docName)).toBe(rows)
  })

  it('refuses an attribute the node type does not have', async () => {
    make()
    const peer = await joined()
    const rows = fixture.store.rowCount(docName)
    peer.edit((fragment) => (fragment.get(1) as Y.XmlElement).setAttribute('onclick', 'alert(1)'))
    await expectRefused(peer, 'attribute "onclick" is not in the pad schema')
    expect(fixture.store.rowCount(docName)).toBe(rows)
  })

  it('refuses a mark the schema does not have, and the history-only ychange mark', async () => {
    make()
    const underline = await joined()
    underline.edit((fragment) => ((fragment.get(1) as Y.XmlElement).get(0) as Y.XmlText).format(0, 3, { underline: {} }))
    await expectRefused(underline, 'mark "underline" is not in the pad schema')
    const ychange = await joined()
    ychange.edit((fragment) => ((fragment.get(1) as Y.XmlElement).get(0) as Y.XmlText).format(0, 3, { ychange: { user: 'x' } }))
    await expectRefused(ychange, 'mark "ychange" is not in the pad schema')
  })

  it('refuses text placed directly in the fragment, outside any element', async () => {
    make()
    const peer = await joined()
    peer.edit((fragment) => fragment.insert(0, [new Y.XmlText('loose')]))
    await peer.idle()
    expect(peer.socket.closedWith).toBeNull() // XML text is a legal child (y-prosemirror never writes it there, but it is harmless)
    const other = await joined()
    other.edit((fragment) => (fragment.get(0) as Y.XmlText).setAttribute('x', '1'))
    await expectRefused(other, 'the pad holds elements and text only')
  })

  it('refuses an update naming 100,000 client ids without a struct', async () => {
    make()
    const peer = await joined()
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 100_000)
    for (let client = 1; client <= 100_000; client++) {
      encoding.writeVarUint(encoder, 0)
      encoding.writeVarUint(encoder, client)
      encoding.writeVarUint(encoder, 0)
    }
    encoding.writeVarUint(encoder, 0)
    await expectRefusedUnstored(peer, encoding.toUint8Array(encoder), 'more than 4096 client ids')
  })

  it('refuses a sync step 1 whose state vector lists more clients than maxStateVectorClients', async () => {
    make()
    const peer = await joined()
    const vector = encoding.createEncoder()
    encoding.writeVarUint(vector, 20_000)
    for (let client = 1; client <= 20_000; client++) {
      encoding.writeVarUint(vector, client)
      encoding.writeVarUint(vector, 1)
    }
    const frame = encoding.createEncoder()
    encoding.writeVarUint(frame, messageSync)
    encoding.writeVarUint(frame, 0)
    encoding.writeVarUint8Array(frame, encoding.toUint8Array(vector))
    peer.send(encoding.toUint8Array(frame))
    await expectRefused(peer, 'state vector lists more than 16384 clients')
  })

  it('keeps the chat doc to plain messages in its array', async () => {
    make('chat')
    const ok = await joined()
    const before = Y.encodeStateVector(ok.ydoc)
    ok.ydoc.getArray('messages').push([{ id: 'm1', authorId: 'a', name: 'Kim', color: '#123456', text: 'hi', time: 1 }])
    ok.sendUpdate(Y.encodeStateAsUpdate(ok.ydoc, before))
    await ok.idle()
    expect(ok.socket.closedWith).toBeNull()
    const peer = await joined()
    const sv = Y.encodeStateVector(peer.ydoc)
    peer.ydoc.getArray('messages').push([new Y.XmlElement('paragraph')])
    peer.sendUpdate(Y.encodeStateAsUpdate(peer.ydoc, sv))
    await expectRefused(peer, 'the chat doc holds plain values only')
  })

  it('keeps the control doc to plain values in its control map', async () => {
    make('control')
    const peer = await joined()
    const sv = Y.encodeStateVector(peer.ydoc)
    peer.ydoc.getMap('other').set('x', 1)
    peer.sendUpdate(Y.encodeStateAsUpdate(peer.ydoc, sv))
    await expectRefused(peer, 'the control doc holds values of its control map only')
  })

  it('keeps an update that builds on content not arrived yet pending, as Yjs does, instead of closing its client', async () => {
    // A client typing right after it reconnects sends its new edit before its sync step 2 with the
    // offline work the edit builds on: the edit must wait for it, not close the client for good.
    make()
    const peer = await joined()
    const sv = Y.encodeStateVector(peer.ydoc)
    const fragment = peer.ydoc.getXmlFragment(padFragmentName)
    const offline = new Y.XmlElement('paragraph')
    offline.insert(0, [new Y.XmlText('written offline')])
    fragment.insert(fragment.length, [offline])
    const offlineWork = Y.encodeStateAsUpdate(peer.ydoc, sv)
    const afterOffline = Y.encodeStateVector(peer.ydoc)
    const later = new Y.XmlElement('paragraph')
    later.insert(0, [new Y.XmlText('typed after reconnecting')])
    // A new paragraph right after the offline one (its left origin is there) and text inside it.
    fragment.insert(fragment.length, [later])
    ;(offline.get(0) as Y.XmlText).insert(0, 'still ')
    const edit = Y.encodeStateAsUpdate(peer.ydoc, afterOffline)
    peer.sendUpdate(edit)
    await peer.idle()
    expect(peer.socket.closedWith).toBeNull()
    peer.sendUpdate(offlineWork)
    await peer.idle()
    expect(peer.socket.closedWith).toBeNull()
    const late = await joined()
    expect(padText(late.ydoc)).toContain('still written offline')
    expect(padText(late.ydoc)).toContain('typed after reconnecting')
  })
})
