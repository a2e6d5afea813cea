/**
 * The archive's action rows in the SQLite MetaStore (MS25, see action-rows.ts): written in the
 * archive's transaction, counted by owner, and read an owner's page or a few carried items at a
 * time. (Their deletion goes with the archive's, in the store.)
 */
import type Database from 'better-sqlite3'
import type { Session } from '../../../shared/api.ts'
import type { CarriedFrom } from '../../../shared/follow-up.ts'
import type { Outcomes } from '../../../shared/outcomes.ts'
import { actionPage, actionValues, ownerOrder, toArchivedAction, type ActionRow } from '../action-rows.ts'
import type { ActionCursor, ArchivedAction } from '../meta-store.ts'

/** Replaces the action rows of `session`'s archive (inside the caller's transaction). */
export function writeActions(db: Database.Database, session: Session, outcomes: Outcomes): void {
  db.prepare('DELETE FROM archive_actions WHERE session_id = ?').run(session.id)
  const insert = db.prepare('INSERT INTO archive_actions (session_id, idx, owner, text, due, done, source, ended_at, from_session, from_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
  for (const values of actionValues(session, outcomes)) insert.run(...values.map((value) => (typeof value === 'boolean' ? Number(value) : value)))
}

export function listActionOwners(db: Database.Database): { owner: string | null; total: number; open: number }[] {
  const rows = db
    .prepare(
      // Every item counted, less those carried on (about one in twelve): cheaper than an
      // anti-join probing for a successor of each of 55,000 items (issue 21).
      `SELECT owner, sum(total) AS total, sum(open) AS open FROM (
         SELECT owner, count(*) AS total, sum(1 - done) AS open FROM archive_actions GROUP BY owner
         UNION ALL
         SELECT t.owner, -count(*), -sum(1 - t.done) FROM archive_actions t
         WHERE (t.session_id, t.idx) IN (SELECT from_session, from_index FROM archive_actions WHERE from_session IS NOT NULL)
         GROUP BY t.owner
       ) GROUP BY owner HAVING sum(total) > 0`,
    )
    .all() as { owner: string; total: number; open: number }[]
  return rows.map((row) => ({ owner: row.owner || null, total: row.total, open: row.open })).sort(ownerOrder)
}

export function listOwnerActions(db: Database.Database, owner: string | null, after: ActionCursor | null, limit: number): { actions: ArchivedAction[]; next: ActionCursor | null } {
  const rows = db
    .prepare(
      `SELECT a.*, s.title, s.track
       FROM archive_actions a JOIN sessions s ON s.id = a.session_id
       WHERE a.owner = @owner
         AND NOT EXISTS (SELECT 1 FROM archive_actions b WHERE b.from_session = a.session_id AND b.from_index = a.idx)
         ${after ? `AND (a.ended_at < @endedAt OR (a.ended_at = @endedAt AND (a.session_id < @sessionId OR (a.session_id = @sessionId AND a.idx > @index))))` : ''}
       ORDER BY a.ended_at DESC, a.session_id DESC, a.idx
       LIMIT @limit`,
    )
    .all({ owner: owner ?? '', ...(after ?? {}), limit: limit + 1 }) as ActionRow[]
  return actionPage(rows, limit)
}

export function getArchivedActions(db: Database.Database, keys: CarriedFrom[]): ArchivedAction[] {
  const select = db.prepare(
    `SELECT a.*, s.title, s.track
     FROM archive_actions a JOIN sessions s ON s.id = a.session_id WHERE a.session_id = ? AND a.idx = ?`,
  )
  return keys.flatMap((key) => {
    const row = select.get(key.sessionId, key.index) as ActionRow | undefined
    return row ? [toArchivedAction(row)] : []
  })
}
