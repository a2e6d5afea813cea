/**
 * Every WebSocket close code summitpad uses, with the reason string sent alongside it.
 *
 * Two families, so that clients nobody here wrote do the right thing:
 * - closes after which reconnecting helps use standard codes that stock `y-websocket` 3.x clients
 *   retry: 1001 (going away), 1011 (server error), 1013 (try again later; its reason says when, see
 *   `retryReason`);
 * - closes after which reconnecting cannot help use 4000 + the HTTP status of the same meaning,
 *   in 4400-4499, the range stock `y-websocket` 3.x treats as final.
 */
export const CloseCode = {
  /** The server is shutting down or the room is being unloaded; reconnect. */
  goingAway: 1001,
  /** A text frame arrived; the protocol is binary only. */
  unsupportedData: 1003,
  /** A frame exceeded the maximum frame size (`MAX_FRAME_BYTES`). */
  messageTooBig: 1009,
  /** The server could not serve the session (e.g. its store failed); reconnecting may help. */
  internalError: 1011,
  /**
   * The store could not make an update durable right now; it was not applied. Reconnect later.
   * Also the code of every other close after which retrying later helps (`rateLimited`,
   * `slowConsumer`): the reason tells them apart and says when to retry.
   */
  tryAgainLater: 1013,
  /** A binary frame that does not decode as a summitpad / y-websocket message. */
  malformedMessage: 4400,
  /** The client broke a limit of what one connection may do (e.g. an oversized awareness state). */
  forbidden: 4403,
  /**
   * The client stopped reading: its send backlog passed `MAX_SEND_BACKLOG_BYTES`. Reconnect to
   * resync (1013; the reason says "slow consumer; retry in 1 s").
   */
  slowConsumer: 1013,
  /**
   * The client's copy diverged from the pad: it sent a write the pad refused (locked, ended or
   * read-only), or one built on a refused write. The pad never takes that write, on any path, so
   * reconnecting with the same copy is refused again: the client must drop its copy and load the
   * pad afresh (summitpad's page does so by itself; see docs/refused-writes.md).
   */
  diverged: 4409,
  /** The `token` matches no key of the session. Reconnecting with it will not help. */
  badToken: 4401,
  /**
   * A write on a pad connection that may only read because of its schema version: it named an
   * older (or no, unless `FOREIGN_EDITORS=allow`) version than the server's. Reload (a summitpad
   * page) or connect with the current schema version. Nothing was stored.
   */
  schemaMismatch: 4426,
  /** No session with that id exists. Reconnecting will not help. */
  unknownSession: 4404,
  /**
   * An update over a size limit: the update itself (`MAX_UPDATE_BYTES`), the structs or deletions it
   * claims, the whole document (`MAX_DOC_BYTES`), or the room's pending updates. Nothing was stored.
   */
  tooLarge: 4413,
  /**
   * Too many connections from one address, or more bytes queued than the server buffers even after
   * it stopped reading from the client (a client over its message rate is slowed, not closed).
   * Retry (1013; the reason says when, e.g. "too many connections from this address; retry in 3 s").
   */
  rateLimited: 1013,
  /**
   * An update (or a sync step 1) that breaks a content rule: nesting too deep, a name or value too
   * long, too many client ids, or an element, attribute or mark the pad's schema does not have.
   * The reason names the rule (`update refused: <rule>`). Nothing was stored; final for the
   * client, whose copy holds content the server will never take (docs/update-limits.md).
   */
  updateRefused: 4422,
} as const

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** The reason string for each close code (at most 123 bytes, as RFC 6455 requires). */
export const closeReason: Record<CloseCode, string> = {
  [CloseCode.goingAway]: 'server going away',
  [CloseCode.unsupportedData]: 'binary frames only',
  [CloseCode.messageTooBig]: 'message too large',
  [CloseCode.internalError]: 'session unavailable',
  [CloseCode.tryAgainLater]: 'storage unavailable; retry in 2 s',
  [CloseCode.tooLarge]: 'too large',
  [CloseCode.malformedMessage]: 'malformed message',
  [CloseCode.badToken]: 'bad token',
  [CloseCode.forbidden]: 'forbidden',
  [CloseCode.diverged]: 'diverged: write refused, reload',
  [CloseCode.unknownSession]: 'unknown session',
  [CloseCode.schemaMismatch]: 'schema version not accepted for writing: reload',
  [CloseCode.updateRefused]: 'update refused',
}

/**
 * True for close codes after which a client should not try to reconnect: every code in 4400-4499
 * (as stock `y-websocket` 3.x decides) and 1003 (the client speaks text frames; it will again).
 * Everything else (1001, 1006, 1011, 1013, ...) is retried.
 */
export function isFatalCloseCode(code: number): boolean {
  return (code >= 4400 && code < 4500) || code === CloseCode.unsupportedData
}

/**
 * The reason of a retryable close: what happened and when to retry, e.g.
 * `rate limited; retry in 2 s` (whole seconds, at least 1; at most 123 bytes with `what` short).
 */
export function retryReason(what: string, retryInMs: number): string {
  return `${what}; retry in ${Math.max(1, Math.ceil(retryInMs / 1000))} s`
}

/** The wait a close reason asks for (`...; retry in N s`, see `retryReason`) in ms, or null. */
export function retryAfterMs(reason: string): number | null {
  const match = /; retry in (\d{1,5}) s$/.exec(reason)
  return match ? Number(match[1]) * 1000 : null
}

/** What a close reason says happened, without the retry hint (a metrics and log label). */
export function closeLabel(reason: string): string {
  return reason.replace(/; retry in \d+ s$/, '')
}
