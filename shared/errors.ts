/**
 * Expected failures at the edge of the system, with one code per failure. The HTTP layer turns
 * an AppError into `{ error: { code, message } }` with the status from `httpStatus`.
 */

export type ErrorCode =
  | 'bad_request'
  | 'invalid_body'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'session_not_found'
  | 'payload_too_large'
  | 'conflict'
  | 'internal'
  | 'organizer_required'
  | 'rate_limited'
  | 'unprocessable'
  | 'too_complex'
  | 'server_busy'
  | 'work_timeout'

/** HTTP status for each error code. */
export const httpStatus: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_body: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  session_not_found: 404,
  payload_too_large: 413,
  conflict: 409,
  internal: 500,
  organizer_required: 401,
  rate_limited: 429,
  unprocessable: 422,
  // Issue 15 part 2: an input within the byte limit that needs too many items or too much memory.
  too_complex: 422,
  // A kind of heavy work has its queue full (Retry-After is set), or a job ran out of time.
  server_busy: 503,
  work_timeout: 503,
}

/** An expected failure: bad input, unknown session, and the like. Never a bug. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown }
}

/** Throws an Error (a bug, not an AppError) when `condition` is false. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`)
}

/** Marks a switch as exhaustive; throws if reached at run time. */
export function unexpectedCase(value: never): never {
  throw new Error(`unexpected case: ${JSON.stringify(value)}`)
}
