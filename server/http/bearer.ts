/** Reads the capability secret of an API request from `Authorization: Bearer <secret>`. */
import type { Request } from 'express'
import { AppError } from '../../shared/errors.ts'

/** The secret, or null when the header is absent. Throws `unauthorized` for a malformed header. */
export function bearerSecret(req: Request): string | null {
  const header = req.get('authorization')
  if (header === undefined) return null
  const match = /^Bearer\s+([A-Za-z0-9_-]{1,200})\s*$/i.exec(header)
  if (!match) throw new AppError('unauthorized', 'the Authorization header must be "Bearer <secret>"')
  return match[1]!
}
