/**
 * Expected failures at the edge of the system, with one code per failure, and the one error
 * table: each code names its HTTP status (the HTTP layer answers an AppError with
 * `{ error: { code, message } }` and that status) and its WebSocket close code and reason (the
 * sync core's Connection closes with them). docs/protocol.md's close-code table is checked
 * against this one (test/unit/shared/error-table.test.ts).
 */
import { CloseCode, closeReason } from './close-codes.ts'

/** One row of the error table. */
export interface ErrorRow {
  /** HTTP status of an API answer with this code. */
  http: number
  /** WebSocket close code of a sync connection closed for this reason. */
  close: CloseCode
  /** The close reason (RFC 6455: at most 123 bytes); a refusal may send a more precise one. */
  reason: string
}

function row(http: number, close: CloseCode, reason: string = closeReason[close]): ErrorRow {
  return { http, close, reason }
}

/** Every error code with its HTTP status and its close code and reason. */
export const errorTable = {
  bad_request: row(400, CloseCode.malformedMessage),
  invalid_body: row(400, CloseCode.malformedMessage),
  /** A frame that does not decode as a summitpad / y-websocket message, or an update that is not a valid Yjs update. */
  malformed_message: row(400, CloseCode.malformedMessage),
  /** A text frame on a sync connection (binary only). */
  unsupported_data: row(400, CloseCode.unsupportedData),
  unauthorized: row(401, CloseCode.badToken),
  organizer_required: row(401, CloseCode.badToken),
  forbidden: row(403, CloseCode.forbidden),
  not_found: row(404, CloseCode.unknownSession),
  session_not_found: row(404, CloseCode.unknownSession),
  conflict: row(409, CloseCode.diverged),
  /** A write the pad refused, or one built on it: the client's copy diverged (docs/refused-writes.md). */
  diverged: row(409, CloseCode.diverged),
  payload_too_large: row(413, CloseCode.tooLarge),
  /** A frame over `MAX_FRAME_BYTES` (ws closes it itself). */
  message_too_big: row(413, CloseCode.messageTooBig),
  unprocessable: row(422, CloseCode.updateRefused),
  // Issue 15 part 2: an input within the byte limit that needs too many items or too much memory.
  too_complex: row(422, CloseCode.tooLarge),
  /** A write on a connection whose schema version allows reading only. */
  schema_mismatch: row(426, CloseCode.schemaMismatch),
  rate_limited: row(429, CloseCode.rateLimited, 'rate limited; retry in 1 s'),
  /** More connections from one address than its limit allows (server/http/upgrade.ts). */
  too_many_connections: row(429, CloseCode.rateLimited, 'too many connections from this address; retry in 1 s'),
  /** More frames queued than a connection buffers, even after it stopped reading. */
  queue_full: row(429, CloseCode.rateLimited, 'too much queued; retry in 1 s'),
  internal: row(500, CloseCode.internalError),
  /** The pad stopped taking writes: an update it stored failed to apply (server/sync/room-writer.ts). */
  pad_failed: row(503, CloseCode.internalError, 'pad failed; writes stopped'),
  /** The store could not read or write what a write needs now; nothing was applied. */
  store_unavailable: row(503, CloseCode.tryAgainLater),
  // A kind of heavy work has its queue full (Retry-After is set), or a job ran out of time.
  server_busy: row(503, CloseCode.tryAgainLater, 'server busy; retry in 5 s'),
  work_timeout: row(503, CloseCode.tryAgainLater, 'server busy; retry in 5 s'),
  /** The client stopped reading its frames. */
  slow_consumer: row(503, CloseCode.slowConsumer, 'slow consumer; retry in 1 s'),
  /** The server is shutting down or the pad is unloading. */
  going_away: row(503, CloseCode.goingAway),
} satisfies Record<string, ErrorRow>

export type ErrorCode = keyof typeof errorTable

/** HTTP status for each error code (read from `errorTable`). */
export const httpStatus = Object.fromEntries(Object.entries(errorTable).map(([code, entry]) => [code, entry.http])) as Record<ErrorCode, number>

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
