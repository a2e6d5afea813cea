/** `/api/schedule`: importing a summit's schedule (CSV or iCalendar) in one step. */
import type { Router } from 'express'
import { errorBodySchema, importResultSchema } from '../../../shared/api-responses.ts'
import type { DocStore } from '../../storage/doc-store.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import type { Logger } from '../../sync/logger.ts'
import { importSchedule, importScheduleBody } from '../../sessions/schedule-import.ts'
import { documentedRouter, errorResponses } from '../api-route.ts'

/** The schedule router, to be mounted at `/api/schedule`. */
export function scheduleRouter(meta: MetaStore, docs: DocStore, logger: Logger): Router {
  const api = documentedRouter('/api/schedule')
  api.route({
    method: 'post',
    path: '/import',
    summary: 'Import a summit schedule (CSV or iCalendar): creates, updates or leaves each session',
    description: 'Re-importing the same file changes nothing; `dryRun` reports what would change. Links (with their secrets) of created sessions are in the answer, once. Body up to 5 MiB.',
    body: importScheduleBody,
    responses: {
      200: { description: 'Dry run, or nothing created', schema: importResultSchema },
      201: { description: 'Sessions created', schema: importResultSchema },
      ...errorResponses(errorBodySchema, 400, 413),
    },
  }, async (req, res) => {
    const result = await importSchedule(meta, docs, logger, req.body)
    res.status(result.dryRun || result.created === 0 ? 200 : 201).set('Cache-Control', 'no-store').json(result)
  })
  return api.router
}
