/**
 * Where a change to a Room's Y.Doc or Awareness came from. Every `transact`, `applyUpdate` and
 * `applyAwarenessUpdate` in the core passes one, and the Room's listeners decide from it what to
 * store, broadcast and acknowledge:
 * - `connection`: a client sent it; it was stored before it was applied, and it is broadcast to
 *   every other connection (never echoed to its sender).
 * - `store`: loaded from the DocStore when the room opened; nothing to broadcast.
 * - `server`: made by the server itself (e.g. seeding); stored and broadcast to everyone.
 * - `bus`: another server instance stored it and published it; broadcast to this instance's
 *   connections, never stored or published again.
 */
import type { Peer } from './peer.ts'

export type UpdateOrigin =
  | { kind: 'connection'; connection: Peer }
  | { kind: 'store' }
  | { kind: 'server' }
  | { kind: 'bus' }

export function isUpdateOrigin(value: unknown): value is UpdateOrigin {
  return typeof value === 'object' && value !== null && 'kind' in value
}
