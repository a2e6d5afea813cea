/**
 * Loading a doc whose stored log holds an update Yjs cannot digest (issue 15 part 3): one stored
 * before the server checked nesting, say. Such a row makes the log's merge overflow the stack
 * (every connection then got 1011, every export 500, and ending the session made no archive).
 *
 * `loadHealthy` loads as usual; when the merge throws or the merged state nests deeper than Yjs
 * re-encodes, it reads the rows one by one, moves each row that Yjs cannot apply and re-encode on
 * its own into the store's quarantine (the raw bytes stay there for an operator, DocStore [DS10]),
 * and loads what is left: the last good state. A failure that no row explains (the store is down)
 * is thrown as it was, and nothing is quarantined.
 */
import * as Y from 'yjs'
import type { DocStore, LoadedDoc } from '../storage/doc-store.ts'
import type { Logger } from '../../shared/logger.ts'
import { scanUpdate } from './update-shape.ts'

/**
 * Nesting of JSON and plain values past which a stored update counts as poisoned: far above what
 * any check lets in now (32), far below where Yjs' recursive encoders overflow (about 3,000).
 */
export const poisonValueDepth = 1000

/** What `loadHealthy` found. */
export interface HealthyLoad {
  loaded: LoadedDoc | null
  /** Rows moved to the quarantine by this load (0 when the log was sound). */
  quarantined: number
}

const unlimited = Number.MAX_SAFE_INTEGER

/** True when Yjs can re-encode `update` (its values nest at most `poisonValueDepth`); reads headers only. */
function nestsSafely(update: Uint8Array): boolean {
  try {
    scanUpdate(update, {
      maxStructs: unlimited,
      maxDeleteRanges: unlimited,
      // A row stored before the scan refused repeated clients loads as it did (Yjs keeps each
      // client's last run): this check is about nesting.
      allowRepeatedClients: true,
      content: { maxValueDepth: poisonValueDepth, maxValueChars: unlimited, maxNameChars: unlimited, maxClients: unlimited },
    })
    return true
  } catch {
    return false
  }
}

/** True when `update` alone applies to a doc that then re-encodes. */
function isDigestible(update: Uint8Array): boolean {
  if (!nestsSafely(update)) return false
  const scratch = new Y.Doc({ gc: false })
  try {
    Y.applyUpdate(scratch, update)
    Y.encodeStateAsUpdate(scratch)
    return true
  } catch {
    return false
  } finally {
    scratch.destroy()
  }
}

/**
 * Loads `docName` from `store`, quarantining the rows that keep it from loading (see the module
 * comment). Throws what the store throws when no row is to blame.
 */
export async function loadHealthy(store: DocStore, docName: string, logger: Logger): Promise<HealthyLoad> {
  let failure: unknown
  try {
    const loaded = await store.load(docName)
    if (!loaded || nestsSafely(loaded.update)) return { loaded, quarantined: 0 }
    failure = new Error('the stored doc nests deeper than Yjs can re-encode')
  } catch (error) {
    failure = error
  }
  // Reading the rows fails too when the store itself is the problem: then that is thrown.
  const rows = await store.rows(docName)
  const bad = rows.filter((row) => !isDigestible(row.update)).map((row) => row.ref)
  if (bad.length === 0) throw failure
  const reason = failure instanceof Error ? failure.message.slice(0, 200) : String(failure)
  await store.quarantine(docName, bad, `cannot be loaded: ${reason}`)
  logger.error({ docName, rows: bad.length, reason }, 'quarantined stored updates that keep the doc from loading')
  return { loaded: await store.load(docName), quarantined: bad.length }
}
