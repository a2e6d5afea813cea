/** The frame writers of shared/protocol.ts the sync core uses give exactly y-protocols' bytes. */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as authProtocol from 'y-protocols/auth'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { isEmptyUpdate, messageAuth, messageAwareness, messageSync, writeAwarenessFrame, writePermissionDeniedFrame, writeSyncStep1Frame, writeSyncStep2Frame, writeUpdateFrame } from '../../../shared/protocol.ts'

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}

describe('protocol frame writers', () => {
  const ydoc = new Y.Doc()
  ydoc.getText('t').insert(0, 'hello')
  const update = Y.encodeStateAsUpdate(ydoc)
  const sv = Y.encodeStateVector(ydoc)

  it('write sync step 1, step 2 and update frames as y-protocols does', () => {
    expect(writeSyncStep1Frame(sv)).toEqual(frame((e) => (encoding.writeVarUint(e, messageSync), syncProtocol.writeSyncStep1(e, ydoc))))
    expect(writeSyncStep2Frame(update)).toEqual(frame((e) => (encoding.writeVarUint(e, messageSync), encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2), encoding.writeVarUint8Array(e, update))))
    expect(writeUpdateFrame(update)).toEqual(frame((e) => (encoding.writeVarUint(e, messageSync), syncProtocol.writeUpdate(e, update))))
  })

  it('write awareness and permission-denied frames as y-protocols does', () => {
    const awareness = new awarenessProtocol.Awareness(ydoc)
    awareness.setLocalState({ user: { name: 'Ada' } })
    const states = awarenessProtocol.encodeAwarenessUpdate(awareness, [ydoc.clientID])
    expect(writeAwarenessFrame(states)).toEqual(frame((e) => (encoding.writeVarUint(e, messageAwareness), encoding.writeVarUint8Array(e, states))))
    expect(writePermissionDeniedFrame('read-only')).toEqual(frame((e) => (encoding.writeVarUint(e, messageAuth), authProtocol.writePermissionDenied(e, 'read-only'))))
    awareness.destroy()
  })

  it('tells the empty update from others', () => {
    expect(isEmptyUpdate(Y.encodeStateAsUpdate(new Y.Doc()))).toBe(true)
    expect(isEmptyUpdate(update)).toBe(false)
  })
})
