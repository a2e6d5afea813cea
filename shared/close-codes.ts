/**
 * Every WebSocket close code summitpad uses, with the reason string sent alongside it.
 * Standard codes where one exists; otherwise 4000 + the HTTP status of the same meaning.
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
  /** The store could not make an update durable right now; it was not applied. Reconnect later. */
  tryAgainLater: 1013,
  /** A binary frame that does not decode as a summitpad / y-websocket message. */
  malformedMessage: 4400,
  /** The client broke a limit of what one connection may do (e.g. an oversized awareness state). */
  forbidden: 4403,
  /** The client stopped reading: its send backlog passed `MAX_SEND_BACKLOG_BYTES`. Reconnect to resync. */
  slowConsumer: 4408,
  /** The `token` matches no key of the session. Reconnecting with it will not help. */
  badToken: 4401,
  /** No session with that id exists. Reconnecting will not help. */
  unknownSession: 4404,
  /**
   * An update over a size limit: the update itself (`MAX_UPDATE_BYTES`), the structs or deletions it
   * claims, the whole document (`MAX_DOC_BYTES`), or the room's pending updates. Nothing was stored.
   */
  tooLarge: 4413,
  /**
   * An update (or a sync step 1) that breaks a content rule: nesting too deep, a name or value too
   * long, too many client ids, or an element, attribute or mark the pad's schema does not have.
   * The reason names the rule (`update refused: <rule>`). Nothing was stored; final for the
   * client, whose copy holds content the server will never take (docs/update-limits.md).
   */
  updateRefused: 4422,
  /** Too many messages per second, or more bytes queued than the server buffers. */
  rateLimited: 4429,
} as const

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** The reason string for each close code (at most 123 bytes, as RFC 6455 requires). */
export const closeReason: Record<CloseCode, string> = {
  [CloseCode.goingAway]: 'server going away',
  [CloseCode.unsupportedData]: 'binary frames only',
  [CloseCode.messageTooBig]: 'message too large',
  [CloseCode.internalError]: 'session unavailable',
  [CloseCode.tryAgainLater]: 'storage unavailable, try again later',
  [CloseCode.tooLarge]: 'too large',
  [CloseCode.malformedMessage]: 'malformed message',
  [CloseCode.badToken]: 'bad token',
  [CloseCode.forbidden]: 'forbidden',
  [CloseCode.slowConsumer]: 'slow consumer',
  [CloseCode.unknownSession]: 'unknown session',
  [CloseCode.rateLimited]: 'rate limited',
  [CloseCode.updateRefused]: 'update refused',
}

/** True for close codes after which a client should not try to reconnect. */
export function isFatalCloseCode(code: number): boolean {
  return (
    code === CloseCode.unknownSession ||
    code === CloseCode.badToken ||
    code === CloseCode.malformedMessage ||
    code === CloseCode.unsupportedData ||
    code === CloseCode.tooLarge ||
    code === CloseCode.updateRefused
  )
}
