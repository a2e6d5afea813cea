/**
 * Worker thread of the SQLite archive search: opens the database file read-only once (WAL lets
 * it read while the main connection writes) and runs `searchArchiveRows` there, so ranking many
 * matches never holds the event loop.
 */
import Database from 'better-sqlite3'
import { searchArchiveRows, type SearchRow } from '../storage/sqlite/archive-search.ts'
import { serveJobs } from './serve-jobs.ts'

/** One search: the database file, the query as typed, the most hits. */
export interface SearchJob {
  file: string
  query: string
  limit: number
}

const connections = new Map<string, Database.Database>()

serveJobs<SearchJob, SearchRow[]>(({ file, query, limit }) => {
  let db = connections.get(file)
  if (!db) {
    db = new Database(file, { readonly: true, fileMustExist: true })
    db.pragma('busy_timeout = 5000')
    connections.set(file, db)
  }
  return { value: searchArchiveRows(db, query, limit) }
})
