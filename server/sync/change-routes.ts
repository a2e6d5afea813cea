/**
 * Where each change of a room's doc goes, by its origin (origin.ts): a client's stored update, a
 * server change and an update from another instance to the fan-out (the first two to other
 * instances too), a change Yjs made by itself to the store first.
 */
import { isUpdateOrigin } from './origin.ts'
import type { UpdateBroadcast } from './room-broadcast.ts'
import type { RoomWriter } from './room-writer.ts'

export function routeChange(update: Uint8Array, origin: unknown, broadcast: UpdateBroadcast, writer: RoomWriter): void {
  if (isUpdateOrigin(origin)) {
    switch (origin.kind) {
      case 'store':
        return
      case 'connection':
        // Only RoomWriter.applyStored applies with this origin: stored, it already waited for the window.
        broadcast.queueStored(update, origin.connection, true)
        return
      case 'server':
        broadcast.queue(update, null, true)
        return
      case 'bus':
        broadcast.queue(update, null, false)
        return
    }
  }
  // A change Yjs made by itself while integrating another (e.g. removing formatting markers that
  // concurrent edits left empty) carries no origin. It is already in the doc, so store it and
  // then send it to everyone; otherwise the room would hold content no client and no store has.
  writer.storeDerived(update, () => broadcast.queue(update, null, true))
}
