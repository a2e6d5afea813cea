/**
 * What the sync core throws at a connection that sent something it refuses. Each error names the
 * ErrorCode it stands for; `Connection` closes with that code's close code and reason from the one
 * error table (shared/errors.ts).
 */
import { CloseCode } from '../../shared/close-codes.ts'
import { ContentRefusedError, MalformedShapeError, UpdateTooComplexError } from './update-shape.ts'

/** An update the room refuses under one of its limits; the sender is closed with `closeCode`. */
export class UpdateRefusedError extends Error {
  constructor(
    readonly closeCode: CloseCode,
    message: string,
    /** Set when the update carries more structs or deleted ranges than a scan allowed. */
    readonly tooComplex = false,
  ) {
    super(message)
    this.name = 'UpdateRefusedError'
  }
}

/** Raised for updates that do not decode; the caller closes the sending connection. */
export class MalformedUpdateError extends Error {
  constructor(cause: unknown) {
    super(`malformed update: ${cause instanceof Error ? cause.message : String(cause)}`)
    this.name = 'MalformedUpdateError'
  }
}

/** The store could not be read or written for an update; it was neither applied nor broadcast. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'StoreUnavailableError'
  }
}

/**
 * The error to throw for what a scan or check of a client's update threw: past a count (4413,
 * `tooComplex`), a content rule (4422), bytes that do not decode (MalformedUpdateError).
 */
export function refusalOf(error: unknown): Error {
  if (error instanceof UpdateRefusedError || error instanceof MalformedUpdateError) return error
  if (error instanceof UpdateTooComplexError) return new UpdateRefusedError(CloseCode.tooLarge, error.message, true)
  if (error instanceof ContentRefusedError) return new UpdateRefusedError(CloseCode.updateRefused, `update refused: ${error.message}`)
  return new MalformedUpdateError(error instanceof MalformedShapeError ? error.message : error)
}

/**
 * The pad stopped taking writes: an update it had stored failed to apply (room-writer.ts). Its
 * writers are closed with 1011 and this reason (reconnecting reads the pad; writes stay refused
 * until the pad is reloaded); the server's own changes are refused with it too.
 */
export class PadFailedError extends Error {
  static readonly closeCode = CloseCode.internalError
  static readonly reason = 'pad failed; writes stopped'

  constructor(readonly why: string) {
    super(`pad failed, writes stopped: ${why}`)
    this.name = 'PadFailedError'
  }
}

/** A frame that does not follow the protocol; closes the connection with 4400. */
export class ProtocolError extends Error {}

/** A frame that breaks a limit of what a connection may do; closes it with 4403 and the message. */
export class PolicyError extends Error {}

/** Runs `fn`; any error it throws is a malformed payload from the client. */
export function decodeClientInput<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof PolicyError || error instanceof UpdateRefusedError) throw error
    throw new ProtocolError(error instanceof Error ? error.message : String(error))
  }
}

