/**
 * The archive's action rows (MetaStore rule MS25), shared by both stores: one row per action item
 * of an archived session, written with the record, so the actions-by-owner page reads the items
 * of one owner instead of every archive's outcomes (issue 21: 15 MB and 1.4 s per request at
 * 10,000 sessions). A row without an owner keeps `''` (an equality the owner index serves); a
 * row keeps its session's end (`ended_at`, fixed once archived), so the index on (owner,
 * ended_at, session_id, idx) serves an owner's pages in their order.
 */
import type { Session } from '../../shared/api.ts'
import type { Outcomes } from '../../shared/outcomes.ts'
import type { ActionCursor, ArchivedAction } from './meta-store.ts'

/** An action row as both stores select it, joined with its session. */
export interface ActionRow {
  session_id: string
  idx: number
  owner: string
  text: string
  due: string | null
  done: number | boolean
  source: string
  from_session: string | null
  from_index: number | null
  title: string
  track: string
  ended_at: string
}

/** The columns of one row to insert, in the order the stores' INSERT names them. */
export function actionValues(session: Session, outcomes: Outcomes): [string, number, string, string, string | null, boolean, string, string, string | null, number | null][] {
  return outcomes.actions.map((action, index) => [session.id, index, action.owner ?? '', action.text, action.due, action.done, action.source, session.endedAt ?? '', action.from?.sessionId ?? null, action.from?.index ?? null])
}

export function toArchivedAction(row: ActionRow): ArchivedAction {
  return {
    sessionId: row.session_id,
    index: Number(row.idx),
    text: row.text,
    owner: row.owner || null,
    due: row.due,
    done: Boolean(row.done),
    source: row.source === 'action' ? 'action' : 'task',
    from: row.from_session !== null && row.from_index !== null ? { sessionId: row.from_session, index: Number(row.from_index) } : null,
    session: { id: row.session_id, title: row.title, track: row.track },
    endedAt: row.ended_at,
  }
}

/** One page of an owner's items from up to `limit + 1` rows, with the cursor when more follow. */
export function actionPage(rows: ActionRow[], limit: number): { actions: ArchivedAction[]; next: ActionCursor | null } {
  const page = rows.slice(0, limit).map(toArchivedAction)
  const last = page.at(-1)
  return { actions: page, next: rows.length > limit && last ? { endedAt: last.endedAt, sessionId: last.sessionId, index: last.index } : null }
}

/** Owners in the page's order: by name (as `localeCompare` orders them), no owner last. */
export function ownerOrder(a: { owner: string | null }, b: { owner: string | null }): number {
  return a.owner === null ? (b.owner === null ? 0 : 1) : b.owner === null ? -1 : a.owner.localeCompare(b.owner)
}
