/**
 * The SQLite archive search (MetaStore rule MS7) as one synchronous query, run by the search
 * worker on its own read-only connection (`server/workers/search-worker.ts`), or in process for
 * an in-memory database. FTS5 `snippet()` is not used: its cost grows with the square of the
 * matches (issue 15). The best `limit` rows are ranked by bm25 first; only for those is a bounded
 * window of text read, around the first match of the first word, and the snippet built from it.
 */
import type Database from 'better-sqlite3'
import { searchSnippet, snippetLeadChars, snippetWindowChars } from '../../archive/snippet.ts'
import { queryWords, type SessionRow, type SummaryColumns } from '../session-rows.ts'

/** One hit as the query returns it: the session row, its archive summary columns, the snippet. */
export type SearchRow = SessionRow & SummaryColumns & { snippet: string }

/** The best `limit` archived sessions for `query`, best first; [] when the query has no word. */
export function searchArchiveRows(db: Database.Database, query: string, limit: number): SearchRow[] {
  const words = queryWords(query)
  const match = toFtsQuery(words)
  if (!match) return []
  const rows = db
    .prepare(
      `WITH best AS (
         SELECT rowid AS id, bm25(archive_fts, 0, 5, 1) AS rank FROM archive_fts WHERE archive_fts MATCH @match ORDER BY rank LIMIT @limit
       ), hits AS (
         SELECT best.rank, f.session_id, max(1, instr(lower(f.body), @first) - @lead) AS window_start, f.body
         FROM best JOIN archive_fts f ON f.rowid = best.id
       )
       SELECT s.*, a.archived_at, a.outcomes_json, a.participants_json,
              hits.window_start, substr(hits.body, hits.window_start, @window) AS window
       FROM hits JOIN archives a ON a.session_id = hits.session_id JOIN sessions s ON s.id = a.session_id
       ORDER BY hits.rank`,
    )
    .all({ match, limit, first: words[0], lead: snippetLeadChars, window: snippetWindowChars }) as (SessionRow & SummaryColumns & { window_start: number; window: string })[]
  return rows.map(({ window, window_start, ...row }) => ({ ...row, snippet: searchSnippet(window, window_start - 1, words) }))
}

/**
 * Turns query words into a safe FTS5 query: every word quoted (so no FTS syntax can come from
 * input), all required, the last one matched as a prefix. Null when there is no word.
 */
export function toFtsQuery(words: string[]): string | null {
  if (words.length === 0) return null
  return words.map((word, index) => `"${word}"${index === words.length - 1 ? '*' : ''}`).join(' ')
}
