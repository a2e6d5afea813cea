/**
 * The archive's action rows in the PostgreSQL MetaStore (MS25, see action-rows.ts): written in
 * the archive's transaction, counted by owner, and read an owner's page or a few carried items at
 * a time. (Their deletion goes with the archive's, in the store.)
 */
import type pg from 'pg'
import type { Session } from '../../../shared/api.ts'
import type { CarriedFrom } from '../../../shared/follow-up.ts'
import type { Outcomes } from '../../../shared/outcomes.ts'
import { actionPage, actionValues, ownerOrder, toArchivedAction, type ActionRow } from '../action-rows.ts'
import type { ActionCursor, ArchivedAction } from '../meta-store.ts'

/** Replaces the action rows of `session`'s archive on `client` (inside the caller's transaction). */
export async function writeActions(client: pg.PoolClient, session: Session, outcomes: Outcomes): Promise<void> {
  await client.query('DELETE FROM archive_actions WHERE session_id = $1', [session.id])
  const actions = actionValues(session, outcomes)
  if (actions.length === 0) return
  const column = (i: number) => actions.map((values) => values[i])
  await client.query(
    `INSERT INTO archive_actions (session_id, idx, owner, text, due, done, source, ended_at, from_session, from_index)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::text[], $9::text[], $10::int[])`,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(column),
  )
}

export async function listActionOwners(pool: pg.Pool): Promise<{ owner: string | null; total: number; open: number }[]> {
  const { rows } = await pool.query<{ owner: string; total: string; open: string }>(
    // Every item counted, less those carried on (as the SQLite store, which says why).
    `SELECT owner, sum(total) AS total, sum(open) AS open FROM (
       SELECT owner, count(*) AS total, count(*) FILTER (WHERE NOT done) AS open FROM archive_actions GROUP BY owner
       UNION ALL
       SELECT t.owner, -count(*), -count(*) FILTER (WHERE NOT t.done) FROM archive_actions t
       WHERE (t.session_id, t.idx) IN (SELECT from_session, from_index FROM archive_actions WHERE from_session IS NOT NULL)
       GROUP BY t.owner
     ) c GROUP BY owner HAVING sum(total) > 0`,
  )
  return rows.map((row) => ({ owner: row.owner || null, total: Number(row.total), open: Number(row.open) })).sort(ownerOrder)
}

export async function listOwnerActions(pool: pg.Pool, owner: string | null, after: ActionCursor | null, limit: number): Promise<{ actions: ArchivedAction[]; next: ActionCursor | null }> {
  // Byte order (COLLATE "C") for the cursor's comparisons and the order alike, as SQLite.
  const { rows } = await pool.query<ActionRow>(
    `SELECT a.*, s.title, s.track
     FROM archive_actions a JOIN sessions s ON s.id = a.session_id
     WHERE a.owner = $1
       AND NOT EXISTS (SELECT 1 FROM archive_actions b WHERE b.from_session = a.session_id AND b.from_index = a.idx)
       AND ($2::text IS NULL OR a.ended_at COLLATE "C" < $2 OR (a.ended_at = $2 AND (a.session_id COLLATE "C" < $3 OR (a.session_id = $3 AND a.idx > $4))))
     ORDER BY a.ended_at COLLATE "C" DESC, a.session_id COLLATE "C" DESC, a.idx
     LIMIT $5`,
    [owner ?? '', after?.endedAt ?? null, after?.sessionId ?? null, after?.index ?? null, limit + 1],
  )
  return actionPage(rows, limit)
}

export async function getArchivedActions(pool: pg.Pool, keys: CarriedFrom[]): Promise<ArchivedAction[]> {
  if (keys.length === 0) return []
  const { rows } = await pool.query<ActionRow>(
    `SELECT a.*, s.title, s.track
     FROM archive_actions a JOIN sessions s ON s.id = a.session_id
     WHERE (a.session_id, a.idx) IN (SELECT * FROM unnest($1::text[], $2::int[]))`,
    [keys.map((key) => key.sessionId), keys.map((key) => key.index)],
  )
  return rows.map(toArchivedAction)
}
