/**
 * Bytes helpers for the bench's raw clients. Frames are built and read with shared/protocol.ts
 * (`syncFrame`, `emptyStep1Frame`, `frameKind`), as the server and the tests do.
 */

/** The `ws` message payload as one Uint8Array (without copying when possible). */
export function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
