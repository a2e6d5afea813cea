/** `/api/schedule`: importing a summit's schedule (CSV or iCalendar) in one step. */
import { Router } from 'express'
import type { DocStore } from '../../storage/doc-store.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import type { Logger } from '../../sync/logger.ts'
import { importSchedule } from '../../sessions/schedule-import.ts'

export function scheduleRouter(meta: MetaStore, docs: DocStore, logger: Logger): Router {
  const router = Router()
  router.post('/import', async (req, res) => {
    const result = await importSchedule(meta, docs, logger, req.body)
    res.status(result.dryRun || result.created === 0 ? 200 : 201).set('Cache-Control', 'no-store').json(result)
  })
  return router
}
