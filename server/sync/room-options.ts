/**
 * What a room is configured with: its limits (each refuses with a documented close code) and its
 * options. RoomRegistryOptions (room-registry.ts) builds on RoomOptions instead of repeating it.
 */
import type * as Y from 'yjs'
import type { Logger } from '../../shared/logger.ts'
import type { Bus } from '../bus/bus.ts'
import type { PresentPerson } from '../../shared/participants.ts'
import { defaultUpdateCheckLimits, type DocShape, type UpdateCheckLimits } from './update-checks.ts'

/**
 * What one room accepts; each limit refuses with a documented close code. The content limits
 * (UpdateCheckLimits: nesting, names, values, client ids, state vectors) refuse with 4422.
 */
export interface RoomLimits extends UpdateCheckLimits {
  /** Largest single update, in bytes (4413). */
  maxUpdateBytes: number
  /** Largest doc, in bytes of its stored updates since the last compaction (4413). */
  maxDocBytes: number
  /** Bytes of updates the doc holds but cannot integrate yet (missing what they build on) (4413). */
  maxPendingBytes: number
  /**
   * Most structs one update may carry, counted before it is decoded (4413). One over
   * `sliceStructs` is taken in slices, one per turn of the event loop.
   */
  maxStructs: number
  /** Most deleted ranges one update may carry (4413). */
  maxDeleteRanges: number
}

/**
 * The defaults (as `server/config.ts`): an update of up to 4 MiB and 200,000 structs is taken,
 * in slices (see `sliceStructs`), so a client's catch-up after a whole session offline gets in.
 */
export const defaultRoomLimits: RoomLimits = {
  maxUpdateBytes: 4 * 1024 * 1024,
  maxDocBytes: 32 * 1024 * 1024,
  maxPendingBytes: 1024 * 1024,
  maxStructs: 200_000,
  maxDeleteRanges: 200_000,
  ...defaultUpdateCheckLimits,
}

export interface RoomOptions {
  /** Compact the stored log once it holds this many rows. @default 500 */
  compactAfterRows: number
  logger: Logger
  /**
   * Called with the people (awareness `user` id and name, see shared/participants.ts) seen in
   * this room for the first time or under a new name, so the session can record who was present.
   * Placeholder names are never reported. Optional.
   */
  onPresence?: (docName: string, people: PresentPerson[]) => void
  /**
   * Called when loading the doc moved `rows` stored rows that kept it from loading into the
   * store's quarantine (quarantine.ts), so the moderator can be told. Optional.
   */
  onQuarantine?: (docName: string, rows: number) => void
  /**
   * Called once when the pad stops taking writes because an update it stored failed to apply
   * (room-writer.ts), with why (e.g. to report it in `/healthz`). Optional.
   */
  onFailed?: (docName: string, reason: string) => void
  /** Called after a client's or the server's change was stored and applied (e.g. to keep revisions). */
  onStored?: (docName: string) => void
  /** Called once with the room's live Y.Doc when it is made, before anything is applied to it (e.g. to watch its transactions). */
  onDocCreated?: (docName: string, ydoc: Y.Doc) => void
  /** @default defaultRoomLimits */
  limits?: RoomLimits
  /** Least time between two awareness frames of the room, in ms; 0 sends on the next turn. @default 0 */
  awarenessFlushMs?: number
  /**
   * Least time between two update frames of the room, in ms, while it is over its sends budget
   * (or has none): the first edit after a quiet spell goes out on the next turn, later ones wait
   * for the window and go out merged. 0 merges only what arrived in the same turn of the event
   * loop. @default 0
   */
  broadcastWindowMs?: number
  /**
   * The room's sends budget, frames per second over all its connections: while sending each
   * update as it comes stays within it (updates per second lately × connections), no update
   * waits for the window; past it the window applies, and a room with more connections than
   * `broadcastSendsPerSecond * broadcastWindowMs / 1000` widens its window to stay within it, so
   * one huge room cannot take the whole CPU (its latency grows with its size instead). 0: no
   * budget (the window always applies). @default 0
   */
  broadcastSendsPerSecond?: number
  /** Fan-out to other server instances. Without one, the room is the only replica. */
  bus?: Bus
  /**
   * Clients may only add to this doc, never delete (e.g. a chat: nobody removes someone else's
   * message). An update from a client that deletes anything closes it with 4403. @default false
   */
  appendOnly?: boolean
  /** Which content rules the doc's updates follow (update-checks.ts). @default 'free' */
  docShape?: DocShape
  /**
   * Characters of awareness state JSON the room holds over all its clients; a state that would
   * pass it is dropped (its sender keeps its old one). @default 2 MiB (a room of 250 states of 8 KiB)
   */
  maxAwarenessChars?: number
}
