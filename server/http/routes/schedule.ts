/** `/api/schedule`: importing a summit's schedule (CSV or iCalendar) in one step. Organizers only. */
import type { Router } from 'express'
import { errorBodySchema, importResultSchema } from '../../../shared/api-responses.ts'
import type { DocStore } from '../../storage/doc-store.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import type { Logger } from '../../observability/log.ts'
import { importSchedule, importScheduleBody, type ImportOptions } from '../../sessions/schedule-import.ts'
import { documentedRouter, errorResponses } from '../api-route.ts'
import type { OrganizerAuth } from '../organizer-auth.ts'

/**
 * The schedule router, to be mounted at `/api/schedule`. `POST /import`: 401/403 for anyone but an
 * organizer; the import's answer (201 when it created sessions, else 200), recorded in the audit log
 * as `schedule.import` or, for a dry run, `schedule.preview`.
 */
export function scheduleRouter(meta: MetaStore, docs: DocStore, logger: Logger, organizers: OrganizerAuth, options: ImportOptions): Router {
  const api = documentedRouter('/api/schedule')
  api.route({
    method: 'post',
    path: '/import',
    summary: 'Import a summit schedule (CSV or iCalendar): creates, updates or leaves each session (organizers)',
    auth: 'organizer token (or the organizer sign-in cookie)',
    description: 'Re-importing the same file changes nothing; `dryRun` reports what would change. Links (with their secrets) of created sessions are in the answer, once. Body up to 5 MiB.',
    body: importScheduleBody,
    responses: {
      200: { description: 'Dry run, or nothing created', schema: importResultSchema },
      201: { description: 'Sessions created', schema: importResultSchema },
      ...errorResponses(errorBodySchema, 400, 401, 403, 413, 422, 503),
    },
  }, async (req, res) => {
    const organizer = await organizers.require(req, 'importing the schedule')
    const result = await importSchedule(meta, docs, logger, req.body, options)
    const body = req.body as { event?: unknown; format?: unknown }
    await organizers.audit(organizer, result.dryRun ? 'schedule.preview' : 'schedule.import', String(body.event), {
      format: body.format,
      created: result.created,
      updated: result.updated,
      unchanged: result.unchanged,
      skipped: result.skipped,
    })
    res.status(result.dryRun || result.created === 0 ? 200 : 201).set('Cache-Control', 'no-store').json(result)
  })
  return api.router
}
