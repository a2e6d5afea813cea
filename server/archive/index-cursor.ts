/**
 * The archive index in pages (issue 21: a decade of 10,000 archived sessions was one 18 MB
 * response). The index order is track, then when the session took place (started, else
 * scheduled, else created), then title, then id; a page ends with a cursor naming its last row,
 * and the next page starts after it (keyset paging: no OFFSET, every page costs the same).
 */
import { AppError } from '../../shared/errors.ts'

/** Where a page of the archive index starts: after this row, in index order. */
export interface IndexCursor {
  track: string
  when: string
  title: string
  id: string
}

/** Sessions per page of `GET /api/archive` when the request names none. @default 200 */
export const defaultIndexPage = 200
/** Most sessions per page. @default 1000 */
export const maxIndexPage = 1000

/** The cursor as an opaque URL-safe string. */
export function encodeIndexCursor(cursor: IndexCursor): string {
  return Buffer.from(JSON.stringify([cursor.track, cursor.when, cursor.title, cursor.id])).toString('base64url')
}

/** The cursor a string names; a malformed one is a `bad_request`. */
export function decodeIndexCursor(value: string): IndexCursor {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(parsed) && parsed.length === 4 && parsed.every((part) => typeof part === 'string')) {
      const [track, when, title, id] = parsed as [string, string, string, string]
      return { track, when, title, id }
    }
  } catch {
    // reported below
  }
  throw new AppError('bad_request', 'the archive cursor is not one this server gave out')
}
