/** `/api/schedule`: importing a summit's schedule (CSV or iCalendar) in one step. Organizers only. */
import { Router } from 'express'
import type { DocStore } from '../../storage/doc-store.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import type { Logger } from '../../sync/logger.ts'
import { importSchedule, type ImportOptions } from '../../sessions/schedule-import.ts'
import type { OrganizerAuth } from '../organizer-auth.ts'

/**
 * `POST /api/schedule/import`: 401/403 for anyone but an organizer; the import's answer (201 when
 * it created sessions, else 200), recorded in the audit log as `schedule.import` or, for a dry run,
 * `schedule.preview`.
 */
export function scheduleRouter(meta: MetaStore, docs: DocStore, logger: Logger, organizers: OrganizerAuth, options: ImportOptions): Router {
  const router = Router()
  router.post('/import', async (req, res) => {
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
  return router
}
