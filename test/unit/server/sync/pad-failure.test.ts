/**
 * Issue 18, must hold 4: when an update the pad already stored fails to apply (Yjs throws), the
 * pad stops taking writes and says why: a metric, `failedPads` (what `/healthz` reports), and a
 * 1011 close with its reason for every writer; reads still work. The failure is injected by
 * making the room's doc throw once while applying a stored run.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { RoomDoc } from '../../../../server/sync/room-doc.ts'
import { noMetrics } from '../../../../server/sync/sync-metrics.ts'
import { CloseCode } from '../../../../shared/close-codes.ts'
import { useRegistryFixture } from '../../../helpers/registry-fixture.ts'
import type { SyncPeer } from '../../../helpers/sync-peer.ts'
import { h, p, padText, padUpdate } from '../../../helpers/ydoc-builder.ts'
import { waitFor } from '../../../helpers/wait-for.ts'

const docName = 'pad-failure'
const fixture = useRegistryFixture(docName, () => padUpdate(h(2, 'Notes'), p('')))

afterEach(() => {
  vi.restoreAllMocks()
})

function typeInto(peer: SyncPeer, text: string): void {
  peer.edit((fragment) => {
    const paragraph = fragment.get(1) as Y.XmlElement
    const xmlText = paragraph.get(0) as Y.XmlText | undefined
    if (xmlText) xmlText.insert(xmlText.length, text)
    else paragraph.insert(0, [new Y.XmlText(text)])
  })
}

describe('a stored update that fails to apply', () => {
  it('stops the pad taking writes, counts it, reports it, and closes each writer with 1011; reads go on', async () => {
    let failedCount = 0
    fixture.make({ metrics: { ...noMetrics, padFailed: () => failedCount++ } })
    const first = await fixture.joined()
    typeInto(first, 'kept')
    await first.idle()
    expect(fixture.registry.failedPads).toEqual([])

    const apply = vi.spyOn(RoomDoc.prototype, 'apply').mockImplementationOnce(() => {
      throw new Error('injected: Yjs could not integrate the update')
    })
    typeInto(first, ' lost')
    await first.idle()
    expect(apply).toHaveBeenCalled()
    expect(first.socket.closedWith).toEqual({ code: CloseCode.internalError, reason: 'pad failed; writes stopped' })
    expect(failedCount).toBe(1)
    const failed = fixture.registry.failedPads
    expect(failed.map((pad) => pad.docName)).toEqual([docName])
    expect(failed[0]!.reason).toMatch(/injected/)

    // A reader still gets the pad (what was applied before the failure)...
    const reader = await fixture.joined()
    expect(padText(reader.ydoc)).toContain('kept')
    expect(reader.socket.closedWith).toBeNull()
    // ...but a write is refused, with the same close, and not counted twice.
    typeInto(reader, 'more')
    await reader.idle()
    await waitFor(() => reader.socket.closedWith !== null, 2000, 'the writer is closed')
    expect(reader.socket.closedWith).toEqual({ code: CloseCode.internalError, reason: 'pad failed; writes stopped' })
    expect(failedCount).toBe(1)
    // The server's own changes are refused too.
    await expect(fixture.registry.change(docName, (ydoc) => ydoc.getMap('meta').set('x', 1))).rejects.toThrow(/pad failed/)
  })
})
