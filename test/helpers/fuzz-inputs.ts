/**
 * Seeded hostile and broken inputs for the decoder fuzz test: random bytes, truncations and
 * mutations of valid messages of every kind, lengths and counts far past the bytes that follow,
 * updates claiming floods of structs just under and far over the limit. Deterministic for a seed.
 */
import * as encoding from 'lib0/encoding'
import * as prng from 'lib0/prng'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { awarenessFrame, messageAwareness, messageQueryAwareness, messageSync, messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate, syncFrame, writeAck } from '../../shared/protocol.ts'
import { h, p, padDoc } from './ydoc-builder.ts'

export type FuzzKind = 'random' | 'truncated' | 'mutated' | 'huge-length' | 'struct-flood' | 'valid'

export interface FuzzInput {
  kind: FuzzKind
  frame: Uint8Array
}

function frameOf(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}

/** Valid messages of every type a client sends, from real docs. */
export function validMessages(seed: number): Uint8Array[] {
  const gen = prng.create(seed)
  const doc = padDoc(h(2, 'Agenda'), p('one'), p('two'))
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  const fragment = doc.getXmlFragment('prosemirror')
  for (let i = 0; i < 40; i++) {
    const paragraph = fragment.get(prng.uint32(gen, 0, fragment.length - 1)) as Y.XmlElement
    const text = paragraph.get(0) as Y.XmlText | undefined
    if (text && prng.bool(gen)) text.insert(prng.uint32(gen, 0, text.length), prng.word(gen, 1, 6), prng.bool(gen) ? { strong: {} } : undefined)
    else if (text && text.length > 1) text.delete(0, 1)
    else fragment.insert(fragment.length, [p(prng.word(gen, 1, 10))])
  }
  const awareness = new awarenessProtocol.Awareness(doc)
  awareness.setLocalState({ user: { name: 'Fuzz', color: '#123456' }, cursor: { anchor: 1, head: 3 } })
  const messages = [
    syncFrame(messageYjsSyncStep1, Y.encodeStateVector(doc)),
    syncFrame(messageYjsSyncStep2, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(new Y.Doc()))),
    awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID])),
    frameOf((e) => encoding.writeVarUint(e, messageQueryAwareness)),
    writeAck(Y.encodeStateVector(doc)),
    ...updates.map((update) => syncFrame(messageYjsUpdate, update)),
  ]
  awareness.destroy()
  doc.destroy()
  return messages
}

/** A sync update frame whose update claims `count` GC structs of one client. */
export function structFlood(client: number, count: number): Uint8Array {
  return frameOf((e) => {
    encoding.writeVarUint(e, messageSync)
    encoding.writeVarUint(e, messageYjsUpdate)
    const inner = encoding.createEncoder()
    encoding.writeVarUint(inner, 1)
    encoding.writeVarUint(inner, count)
    encoding.writeVarUint(inner, client)
    encoding.writeVarUint(inner, 0)
    for (let i = 0; i < count; i++) {
      encoding.writeUint8(inner, 0)
      encoding.writeVarUint(inner, 1)
    }
    encoding.writeVarUint(inner, 0)
    encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
  })
}

function hugeLength(gen: prng.PRNG): Uint8Array {
  const huge = prng.oneOf(gen, [2 ** 31, 2 ** 32 - 1, 2 ** 53 - 1, 1e9, 123456789])
  switch (prng.uint32(gen, 0, 4)) {
    case 0: // a sync payload longer than the frame
      return frameOf((e) => {
        encoding.writeVarUint(e, messageSync)
        encoding.writeVarUint(e, prng.uint32(gen, 0, 2))
        encoding.writeVarUint(e, huge)
        encoding.writeUint8(e, 1)
      })
    case 1: // an update claiming many clients
      return frameOf((e) => {
        encoding.writeVarUint(e, messageSync)
        encoding.writeVarUint(e, messageYjsUpdate)
        encoding.writeVarUint8Array(e, Uint8Array.of(...varUint(huge), 1, 2, 3))
      })
    case 2: // awareness claiming many entries
      return frameOf((e) => {
        encoding.writeVarUint(e, messageAwareness)
        encoding.writeVarUint8Array(e, Uint8Array.of(...varUint(huge), 5, 1))
      })
    case 3: // a state vector with a huge count
      return frameOf((e) => {
        encoding.writeVarUint(e, messageSync)
        encoding.writeVarUint(e, messageYjsSyncStep1)
        encoding.writeVarUint8Array(e, Uint8Array.of(...varUint(huge), 1, 1))
      })
    default: // a string length past the end inside an update
      return frameOf((e) => {
        encoding.writeVarUint(e, messageSync)
        encoding.writeVarUint(e, messageYjsUpdate)
        encoding.writeVarUint8Array(e, Uint8Array.of(1, 1, 9, 0, 4, 1, ...varUint(huge), 65, 0))
      })
  }
}

function varUint(value: number): number[] {
  const bytes: number[] = []
  while (value > 0x7f) {
    bytes.push(0x80 | (value % 0x80))
    value = Math.floor(value / 0x80)
  }
  bytes.push(value)
  return bytes
}

function mutate(gen: prng.PRNG, source: Uint8Array): Uint8Array {
  let bytes = Array.from(source)
  const edits = prng.uint32(gen, 1, 4)
  for (let i = 0; i < edits; i++) {
    const at = prng.uint32(gen, 0, Math.max(0, bytes.length - 1))
    switch (prng.uint32(gen, 0, 3)) {
      case 0:
        bytes[at] = prng.uint32(gen, 0, 255)
        break
      case 1:
        bytes[at] = (bytes[at] ?? 0) ^ (1 << prng.uint32(gen, 0, 7))
        break
      case 2:
        bytes.splice(at, 0, prng.uint32(gen, 0, 255))
        break
      default:
        bytes = bytes.filter((_, index) => index !== at)
    }
  }
  return Uint8Array.from(bytes)
}

/**
 * `count` inputs from `seed`. `floodLimit` is the server's struct limit: floods are generated just
 * under it (the costliest update the server still accepts) and far over it.
 */
export function* fuzzInputs(seed: number, count: number, floodLimit: number): Generator<FuzzInput> {
  const gen = prng.create(seed)
  const valid = validMessages(seed)
  for (let i = 0; i < count; i++) {
    const roll = prng.uint32(gen, 0, 99)
    if (roll < 25) {
      yield { kind: 'random', frame: prng.uint8Array(gen, prng.uint32(gen, 0, prng.bool(gen) ? 16 : 2048)) }
    } else if (roll < 40) {
      const source = prng.oneOf(gen, valid)
      yield { kind: 'truncated', frame: source.subarray(0, prng.uint32(gen, 0, Math.max(0, source.length - 1))) }
    } else if (roll < 85) {
      yield { kind: 'mutated', frame: mutate(gen, prng.oneOf(gen, valid)) }
    } else if (roll < 95) {
      yield { kind: 'huge-length', frame: hugeLength(gen) }
    } else if (roll < 96 && prng.uint32(gen, 0, 9) === 0) {
      // One in a thousand: a flood just under the limit (the costliest update still accepted) or far over it.
      const client = prng.uint32(gen, 1, 0x7fffffff)
      yield { kind: 'struct-flood', frame: structFlood(client, prng.bool(gen) ? floodLimit : floodLimit * 10) }
    } else {
      yield { kind: 'valid', frame: prng.oneOf(gen, valid) }
    }
  }
}
