/** Maps a refused agenda import to the API's error: 413 too large, 422 too many items, else 400. */
import { AppError } from '../../shared/errors.ts'
import { ImportError } from '../../shared/import/limits.ts'

/** The AppError for `error` when it is an ImportError; any other error is returned as it is. */
export function importFailure(error: unknown): unknown {
  if (!(error instanceof ImportError)) return error
  const code = error.reason === 'too_large' ? 'payload_too_large' : error.reason === 'too_many_items' ? 'too_complex' : 'invalid_body'
  return new AppError(code, `content: ${error.message}`)
}
