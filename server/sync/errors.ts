/**
 * What the sync core throws at a connection that sent something it refuses, or could not serve.
 * Each error is a SyncError naming its ErrorCode; `Connection` closes with that code's close code
 * and reason from the one error table (shared/errors.ts `errorTable`), or with the error's own
 * `reason` when it says more precisely what was refused.
 */
import { errorTable, type ErrorCode, type ErrorRow } from '../../shared/errors.ts'
import { ContentRefusedError, MalformedShapeError, UpdateTooComplexError } from './update-shape.ts'

/** A failure the sync core reports to a client: its code, and optionally a more precise close reason. */
export class SyncError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Sent as the close reason instead of the table's (at most 120 characters are sent). */
    readonly reason?: string,
    options?: { cause: unknown },
  ) {
    super(message, options)
    this.name = 'SyncError'
  }

  /** The error table's row for this error's code. */
  get row(): ErrorRow {
    return errorTable[this.code]
  }
}

/** An update the room refuses under one of its limits; the message is the close reason. */
export class UpdateRefusedError extends SyncError {
  constructor(
    code: 'payload_too_large' | 'unprocessable' | 'forbidden' | 'diverged',
    message: string,
    /** Set when the update carries more structs or deleted ranges than a scan allowed. */
    readonly tooComplex = false,
  ) {
    super(code, message, message)
    this.name = 'UpdateRefusedError'
  }
}

/** An update that does not decode (malformed_message). */
export class MalformedUpdateError extends SyncError {
  constructor(cause: unknown) {
    super('malformed_message', `malformed update: ${cause instanceof Error ? cause.message : String(cause)}`)
    this.name = 'MalformedUpdateError'
  }
}

/** The store could not be read or written for an update; it was neither applied nor broadcast (store_unavailable). */
export class StoreUnavailableError extends SyncError {
  constructor(cause: unknown) {
    super('store_unavailable', `store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, undefined, { cause })
    this.name = 'StoreUnavailableError'
  }
}

/**
 * The error to throw for what a scan or check of a client's update threw: past a count (4413,
 * `tooComplex`), a content rule (4422), bytes that do not decode (MalformedUpdateError).
 */
export function refusalOf(error: unknown): Error {
  if (error instanceof UpdateRefusedError || error instanceof MalformedUpdateError) return error
  if (error instanceof UpdateTooComplexError) return new UpdateRefusedError('payload_too_large', error.message, true)
  if (error instanceof ContentRefusedError) return new UpdateRefusedError('unprocessable', `update refused: ${error.message}`)
  return new MalformedUpdateError(error instanceof MalformedShapeError ? error.message : error)
}

/**
 * The pad stopped taking writes: an update it had stored failed to apply (room-writer.ts). Its
 * writers are closed with pad_failed (1011, reconnecting reads the pad; writes stay refused until
 * the pad is reloaded); the server's own changes are refused with it too.
 */
export class PadFailedError extends SyncError {
  constructor(readonly why: string) {
    super('pad_failed', `pad failed, writes stopped: ${why}`)
    this.name = 'PadFailedError'
  }
}

/** A frame that does not follow the protocol (malformed_message, 4400). */
export class ProtocolError extends SyncError {
  constructor(message: string) {
    super('malformed_message', message)
    this.name = 'ProtocolError'
  }
}

/** A frame that breaks a limit of what a connection may do (forbidden, 4403, the message as reason). */
export class PolicyError extends SyncError {
  constructor(message: string) {
    super('forbidden', message, message)
    this.name = 'PolicyError'
  }
}

/** Runs `fn`; any error it throws is a malformed payload from the client. */
export function decodeClientInput<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof PolicyError || error instanceof UpdateRefusedError) throw error
    throw new ProtocolError(error instanceof Error ? error.message : String(error))
  }
}

