/**
 * The query of `GET /api/sessions/:id/export`: `format` (md, html, txt, json, and the recap's
 * recap and eml; default md) and
 * `rev` (a revision number), each at most once. Anything else, or a key given twice
 * (`format=md&format=x`), is a 400 naming the problem rather than a silent pick (issue 15).
 */
import { z } from 'zod'
import { exportFormats, type ExportFormat } from '../../shared/api.ts'
import { AppError } from '../../shared/errors.ts'
import { recapFormats, type RecapFormat } from '../../shared/export/recap.ts'

/** Every `format` the export takes: the pad's formats and the recap's (issue 20). */
export const allExportFormats = [...exportFormats, ...recapFormats] as const

const exportQuery = z
  .object({
    format: z.enum(allExportFormats).default('md'),
    rev: z.string().max(12).optional(),
  })
  .strict()

/** The validated export query; throws `bad_request` for unknown, repeated or malformed keys. */
export function parseExportQuery(query: unknown): { format: ExportFormat | RecapFormat; rev?: string } {
  const parsed = exportQuery.safeParse(query)
  if (parsed.success) return parsed.data
  const raw = (query ?? {}) as Record<string, unknown>
  const unknown = Object.keys(raw).filter((key) => key !== 'format' && key !== 'rev')
  if (unknown.length > 0) throw new AppError('bad_request', `unknown query parameter "${unknown[0]!.slice(0, 40)}"; the export takes format and rev`)
  const repeated = Object.keys(raw).find((key) => typeof raw[key] !== 'string')
  if (repeated) throw new AppError('bad_request', `give ${repeated} at most once`)
  const format = String(raw.format).slice(0, 20)
  throw new AppError('bad_request', `unknown export format "${format}"; formats are ${allExportFormats.join(', ')}`)
}
