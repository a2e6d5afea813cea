import * as decoding from 'lib0/decoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { isCoveredBy, messageAck, readAck, writeAck } from '../../../shared/protocol.ts'

describe('writeAck / readAck', () => {
  it('round-trips a state vector behind the messageAck tag', () => {
    const ydoc = new Y.Doc()
    ydoc.clientID = 42
    ydoc.getText('t').insert(0, 'hello')
    const other = new Y.Doc()
    other.clientID = 7
    other.getText('t').insert(0, 'xy')
    Y.applyUpdate(ydoc, Y.encodeStateAsUpdate(other))

    const decoder = decoding.createDecoder(writeAck(Y.encodeStateVector(ydoc)))
    expect(decoding.readVarUint(decoder)).toBe(messageAck)
    expect(messageAck).toBe(10)
    expect(readAck(decoder)).toEqual(
      new Map([
        [42, 5],
        [7, 2],
      ]),
    )
    expect(decoding.hasContent(decoder)).toBe(false)
  })

  it('round-trips the empty state vector', () => {
    const decoder = decoding.createDecoder(writeAck(Y.encodeStateVector(new Y.Doc())))
    decoding.readVarUint(decoder)
    expect(readAck(decoder)).toEqual(new Map())
  })
})

describe('isCoveredBy', () => {
  const sv = (entries: [number, number][]) => new Map(entries)

  it('is true when every local clock is at most the acked one', () => {
    expect(isCoveredBy(sv([]), sv([]))).toBe(true)
    expect(isCoveredBy(sv([]), sv([[1, 3]]))).toBe(true)
    expect(isCoveredBy(sv([[1, 3]]), sv([[1, 3]]))).toBe(true)
    expect(isCoveredBy(sv([[1, 2], [2, 9]]), sv([[1, 3], [2, 9], [3, 1]]))).toBe(true)
  })

  it('is false when a local clock is ahead of the acked one or unknown to it', () => {
    expect(isCoveredBy(sv([[1, 4]]), sv([[1, 3]]))).toBe(false)
    expect(isCoveredBy(sv([[1, 3], [2, 1]]), sv([[1, 3]]))).toBe(false)
    expect(isCoveredBy(sv([[2, 1]]), sv([]))).toBe(false)
  })
})
