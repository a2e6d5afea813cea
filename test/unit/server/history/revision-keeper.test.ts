import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { RoomRegistry } from '../../../../server/sync/room-registry.ts'
import { padFragmentName } from '../../../../shared/schema.ts'
import { h, p, padUpdate } from '../../../helpers/ydoc-builder.ts'
import { RevisionKeeper } from '../../../../server/history/revision-keeper.ts'
import { silentLogger } from '../../../../server/observability/log.ts'
import { formatDocName } from '../../../../shared/doc-name.ts'
import { MemoryDocStore } from '../../../helpers/memory-doc-store.ts'
import { padJsonOf } from '../../../../server/archive/pad-json.ts'
import { waitFor } from '../../../helpers/wait-for.ts'

// The keeper's content comparison is counted through padJsonOf (it renders both sides with it).
vi.mock('../../../../server/archive/pad-json.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../../server/archive/pad-json.ts')>()
  return { ...original, padJsonOf: vi.fn(original.padJsonOf) }
})

const pad = formatDocName({ sessionId: 'abc123defg', kind: 'pad' })
let keeper: RevisionKeeper
let capture: ReturnType<typeof vi.spyOn>

beforeEach(() => {
  vi.useFakeTimers()
  keeper = new RevisionKeeper(new MemoryDocStore(), {} as RoomRegistry, silentLogger, { quietMs: 3000, maxIntervalMs: 60_000 })
  capture = vi.spyOn(keeper, 'capture').mockResolvedValue(null)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('RevisionKeeper timing', () => {
  it('saves a revision once a pad has been quiet for quietMs after its last change', () => {
    keeper.noteChange(pad)
    vi.advanceTimersByTime(2000)
    keeper.noteChange(pad)
    vi.advanceTimersByTime(2999)
    expect(capture).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(capture).toHaveBeenCalledTimes(1)
    expect(capture).toHaveBeenCalledWith(pad, 'quiet')
  })

  it('keeps one timer per pad however many changes arrive', () => {
    for (let i = 0; i < 1000; i++) keeper.noteChange(pad)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(3000)
    expect(capture).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('saves at least every maxIntervalMs while people keep typing', () => {
    for (let second = 0; second < 59; second++) {
      keeper.noteChange(pad)
      vi.advanceTimersByTime(1000)
    }
    expect(capture).not.toHaveBeenCalled()
    keeper.noteChange(pad)
    vi.advanceTimersByTime(1000)
    expect(capture).toHaveBeenCalledTimes(1)
    expect(capture).toHaveBeenCalledWith(pad, 'interval')
  })

  it('ignores docs that are not pads', () => {
    keeper.noteChange(formatDocName({ sessionId: 'abc123defg', kind: 'chat' }))
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('RevisionKeeper first revision', () => {
  it('makes none for a pad nobody wrote in (a client opening it only registers its author), then one for the first edit', async () => {
    vi.useRealTimers()
    const store = new MemoryDocStore()
    await store.append(pad, padUpdate(h(2, 'Goals'), p('')))
    const rooms = new RoomRegistry({ store, logger: silentLogger, compactAfterRows: 1000, unloadDelayMs: 20, maxQueuedBytesPerConnection: 1 << 20 })
    const real = new RevisionKeeper(store, rooms, silentLogger, { quietMs: 3000, maxIntervalMs: 60_000 })
    const author = new Y.Doc({ gc: false })
    Y.applyUpdate(author, (await store.load(pad))!.update)
    const users = new Y.PermanentUserData(author)
    const changes: Uint8Array[] = []
    author.on('update', (update: Uint8Array) => changes.push(update))
    users.setUserMapping(author, author.clientID, 'u-ada')
    for (const update of changes.splice(0)) await rooms.change(pad, (ydoc) => Y.applyUpdate(ydoc, update))
    expect(await real.capture(pad, 'quiet')).toBeNull()

    const paragraph = author.getXmlFragment(padFragmentName).get(1) as Y.XmlElement
    paragraph.insert(0, [new Y.XmlText('Ada wrote this')])
    for (const update of changes.splice(0)) await rooms.change(pad, (ydoc) => Y.applyUpdate(ydoc, update))
    expect(await real.capture(pad, 'quiet')).toBe(1)
    expect((await store.listRevisions(pad))[0]!.authors).toEqual(['u-ada'])
    await real.close()
    await rooms.close()
  })
})

describe('RevisionKeeper on a watched pad', () => {
  it('compares a pad with its last revision only when its content changed since, not for bookkeeping', async () => {
    vi.useRealTimers()
    const store = new MemoryDocStore()
    await store.append(pad, padUpdate(h(2, 'Goals'), p('')))
    let real!: RevisionKeeper
    const rooms = new RoomRegistry({
      store,
      logger: silentLogger,
      compactAfterRows: 1000,
      unloadDelayMs: 20,
      maxQueuedBytesPerConnection: 1 << 20,
      onDocCreated: (docName, ydoc) => real.watch(docName, ydoc),
    })
    real = new RevisionKeeper(store, rooms, silentLogger, { quietMs: 3000, maxIntervalMs: 60_000 })
    const author = new Y.Doc({ gc: false })
    Y.applyUpdate(author, (await store.load(pad))!.update)
    const changes: Uint8Array[] = []
    author.on('update', (update: Uint8Array) => changes.push(update))
    const send = async () => {
      for (const update of changes.splice(0)) await rooms.change(pad, (ydoc) => Y.applyUpdate(ydoc, update))
    }
    const paragraph = author.getXmlFragment(padFragmentName).get(1) as Y.XmlElement
    paragraph.insert(0, [new Y.XmlText('Ada wrote this')])
    await send()
    expect(await real.capture(pad, 'quiet', true)).toBe(1)
    const compared = vi.mocked(padJsonOf)
    compared.mockClear()

    // Fifty tabs register their authors: bookkeeping, no comparison, no revision.
    const users = new Y.PermanentUserData(author)
    for (let tab = 0; tab < 50; tab++) {
      users.setUserMapping(author, 1000 + tab, `u-${tab}`)
      await send()
      expect(await real.capture(pad, 'quiet')).toBeNull()
    }
    expect(compared).not.toHaveBeenCalled()

    // A content change is compared and saved, and the pad is then quiet again.
    ;(paragraph.get(0) as Y.XmlText).insert(3, ' really')
    await send()
    expect(await real.capture(pad, 'quiet')).toBe(2)
    expect(await real.capture(pad, 'quiet')).toBeNull()
    compared.mockClear()

    // A change that leaves the content as it was (typed, then deleted) is compared, once.
    ;(paragraph.get(0) as Y.XmlText).insert(0, 'x')
    ;(paragraph.get(0) as Y.XmlText).delete(0, 1)
    await send()
    expect(await real.capture(pad, 'quiet')).toBeNull()
    expect(await real.capture(pad, 'quiet')).toBeNull()
    expect(compared).toHaveBeenCalledTimes(2)
    expect((await store.listRevisions(pad)).map((revision) => revision.rev)).toEqual([1, 2])
    await real.close()
    await rooms.close()
  })

  it('reads no revisions from the store when its timer fires and the content is as the last revision has it', async () => {
    vi.useRealTimers()
    const store = new MemoryDocStore()
    await store.append(pad, padUpdate(h(2, 'Goals'), p('')))
    let real!: RevisionKeeper
    const rooms = new RoomRegistry({
      store,
      logger: silentLogger,
      compactAfterRows: 1000,
      unloadDelayMs: 1000,
      maxQueuedBytesPerConnection: 1 << 20,
      onDocCreated: (docName, ydoc) => real.watch(docName, ydoc),
    })
    real = new RevisionKeeper(store, rooms, silentLogger, { quietMs: 20, maxIntervalMs: 60_000 })
    const author = new Y.Doc({ gc: false })
    Y.applyUpdate(author, (await store.load(pad))!.update)
    const changes: Uint8Array[] = []
    author.on('update', (update: Uint8Array) => changes.push(update))
    const send = async () => {
      for (const update of changes.splice(0)) await rooms.change(pad, (ydoc) => Y.applyUpdate(ydoc, update))
      real.noteChange(pad)
    }
    const capture = vi.spyOn(real, 'capture')
    /** Waits for the timer's capture number `n` (1-based) and resolves with what it saved. */
    const fired = async (n: number) => {
      await waitFor(() => capture.mock.calls.length >= n, 2000, `capture ${n}`)
      return capture.mock.results[n - 1]!.value as Promise<number | null>
    }
    const users = new Y.PermanentUserData(author)
    users.setUserMapping(author, author.clientID, 'u-ada')
    const paragraph = author.getXmlFragment(padFragmentName).get(1) as Y.XmlElement
    paragraph.insert(0, [new Y.XmlText('Ada wrote this')])
    await send()
    expect(await fired(1)).toBe(1)
    const listed = vi.spyOn(store, 'listRevisions')

    // A tab registers its author: bookkeeping; the timer's capture stops before the store.
    users.setUserMapping(author, 1000, 'u-bob')
    await send()
    expect(await fired(2)).toBeNull()
    expect(listed).not.toHaveBeenCalled()

    // A content change still lists the revisions and saves the next one.
    ;(paragraph.get(0) as Y.XmlText).insert(3, ' really')
    await send()
    expect(await fired(3)).toBe(2)
    expect(listed).toHaveBeenCalledTimes(1)
    await real.close()
    await rooms.close()
  })
})
