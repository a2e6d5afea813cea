/**
 * CurrentItemKeeper (issue 19, bug 6) settles a pad's Now mark after changes that touch its
 * agenda, and (issue 21) reads the pad first: a change that leaves one item marked, such as a
 * new paragraph, costs no server change (which copies the whole doc).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { CurrentItemKeeper } from '../../../../server/sessions/current-item-keeper.ts'
import { agendaItems } from '../../../../server/sessions/agenda.ts'
import { encodePadSeed } from '../../../../server/sessions/pad-seed.ts'
import { silentLogger } from '../../../../server/observability/log.ts'
import type { MetaStore } from '../../../../server/storage/meta-store.ts'
import { RoomRegistry } from '../../../../server/sync/room-registry.ts'
import { formatDocName } from '../../../../shared/doc-name.ts'
import { padFragmentName } from '../../../../shared/schema.ts'
import { MemoryDocStore } from '../../../helpers/memory-doc-store.ts'
import { agenda, doc, item, p } from '../../../helpers/pm-builder.ts'
import { waitFor } from '../../../helpers/wait-for.ts'

const sessionId = 'abc123defg'
const pad = formatDocName({ sessionId, kind: 'pad' })
let rooms: RoomRegistry | undefined

afterEach(async () => {
  await rooms?.close()
})

async function setUp() {
  const store = new MemoryDocStore()
  await store.append(pad, encodePadSeed(doc(agenda(item({ id: 'item-1', status: 'now' }, 'Intro'), item({ id: 'item-2' }, 'Budget')), p('notes'))))
  let keeper!: CurrentItemKeeper
  rooms = new RoomRegistry({ store, logger: silentLogger, compactAfterRows: 1000, unloadDelayMs: 20, maxQueuedBytesPerConnection: 1 << 20, onDocCreated: (docName, ydoc) => keeper.watch(docName, ydoc) })
  const updateSession = vi.fn(async (_id: string, patch: { currentItem: string | null }) => ({ id: sessionId, state: 'live', currentItem: patch.currentItem }))
  const meta = { getSession: async () => ({ id: sessionId, state: 'live', currentItem: 'item-1' }), updateSession } as unknown as MetaStore
  keeper = new CurrentItemKeeper(meta, rooms, silentLogger)
  const change = vi.spyOn(rooms, 'change')
  const read = vi.spyOn(rooms, 'read')
  const statuses = () => rooms!.read(pad, (ydoc) => agendaItems(ydoc).map((element) => element.getAttribute('status')))
  return { change, read, updateSession, statuses }
}

describe('CurrentItemKeeper', () => {
  it('only reads the pad after a change that leaves one item marked now', async () => {
    const { change, read, updateSession, statuses } = await setUp()
    await rooms!.change(pad, (ydoc) => ydoc.getXmlFragment(padFragmentName).push([new Y.XmlElement('paragraph')]))
    await waitFor(() => read.mock.calls.length > 0, 2000, 'the keeper read the pad')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(change).toHaveBeenCalledTimes(1)
    expect(updateSession).not.toHaveBeenCalled()
    expect(await statuses()).toEqual(['now', 'pending'])
  })

  it('settles two items marked now with a change, keeping the session current item', async () => {
    const { change, updateSession, statuses } = await setUp()
    await rooms!.change(pad, (ydoc) => agendaItems(ydoc)[1]!.setAttribute('status', 'now'))
    await waitFor(() => change.mock.calls.length >= 2, 2000, 'the keeper settled the pad')
    await waitFor(async () => (await statuses()).join() === 'now,pending', 2000, 'item 2 back to pending')
    expect(updateSession).not.toHaveBeenCalled()
  })
})
