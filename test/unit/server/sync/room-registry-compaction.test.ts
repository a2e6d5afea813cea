/**
 * RoomRegistry compaction while clients stay connected: at compactAfterRows, from the live doc
 * (appends racing it kept in their own rows), or from the log when a shared bus lets other
 * instances write the doc.
 */
import { describe, expect, it } from 'vitest'
import { InMemoryBusHub } from '../../../helpers/in-memory-bus.ts'
import { appendParagraph, useControlledRegistryFixture } from '../../../helpers/registry-fixture.ts'
import { waitFor } from '../../../helpers/wait-for.ts'
import { h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'

const docName = 'pad-1'
const fixture = useControlledRegistryFixture(docName, () => padUpdate(h(2, 'Goals'), p('seeded')))
const { joinSynced, storedText, make: makeRegistry } = fixture

describe('RoomRegistry updates', () => {
  it('compacts the stored log once it reaches compactAfterRows while clients stay connected', async () => {
    makeRegistry({ compactAfterRows: 5 })
    const author = await joinSynced()
    for (let i = 0; i < 4; i++) author.edit(appendParagraph(`row ${i}`))
    await author.idle()
    await waitFor(() => fixture.memory.rowCount(docName) === 1, 1000, 'compaction to one row')
    expect(await storedText()).toBe(padText(author.ydoc))
  })

  it('compacts a busy room from its live doc, without reading the log, and keeps appends racing it', async () => {
    makeRegistry({ compactAfterRows: 5 })
    const author = await joinSynced()
    const loadsBefore = fixture.store.count('load')
    const compact = fixture.store.hold('compact')
    for (let i = 0; i < 4; i++) author.edit(appendParagraph(`row ${i}`))
    await waitFor(() => fixture.store.count('compact') === 1, 1000, 'compaction started')
    // Edits stored while the compaction is under way stay in their own rows.
    author.edit(appendParagraph('during the compaction'))
    await waitFor(() => fixture.memory.rowCount(docName) === 6, 1000, 'the racing edit stored')
    compact.release()
    await author.idle()
    await waitFor(() => fixture.memory.rowCount(docName) === 2, 1000, 'compacted rows and the racing one')
    expect(fixture.store.count('load')).toBe(loadsBefore)
    expect(await storedText()).toBe(padText(author.ydoc))
    expect(padText(author.ydoc)).toContain('during the compaction')
  })

  it('compacts from the log, not the live doc, when other instances may write the doc (a shared bus)', async () => {
    makeRegistry({ compactAfterRows: 5, bus: new InMemoryBusHub().connect() })
    const author = await joinSynced()
    const loadsBefore = fixture.store.count('load')
    for (let i = 0; i < 4; i++) author.edit(appendParagraph(`row ${i}`))
    await author.idle()
    await waitFor(() => fixture.memory.rowCount(docName) === 1, 1000, 'compaction to one row')
    expect(fixture.store.count('load')).toBeGreaterThan(loadsBefore)
    expect(await storedText()).toBe(padText(author.ydoc))
  })
})
