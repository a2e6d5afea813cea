/** Validates a request body with a zod schema, turning failures into AppError('invalid_body'). */
import type { z } from 'zod'
import { AppError } from '../../shared/errors.ts'

export function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input ?? {})
  if (parsed.success) return parsed.data
  const details = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
  const first = details[0]
  throw new AppError('invalid_body', first ? `${first.path || 'body'}: ${first.message}` : 'invalid body', details)
}
