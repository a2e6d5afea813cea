/**
 * The history routes under `/api/sessions`: the revision list, restore, and exports of a given
 * revision (`/export?rev=N`; without `rev` the request falls through to the live/archived export).
 */
import { Router } from 'express'
import type { ExportFormat } from '../../../shared/api.ts'
import { isSessionId } from '../../../shared/doc-name.ts'
import { AppError } from '../../../shared/errors.ts'
import { renderInWorker } from '../../workers/heavy-work.ts'
import type { HistoryService } from '../../history/history-service.ts'
import type { SessionService } from '../../sessions/session-service.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import { restoreBody } from '../../../shared/restore-notice.ts'
import { parseBody } from '../../sessions/parse-body.ts'
import { bearerSecret } from '../bearer.ts'
import { parseExportQuery } from '../export-query.ts'

function revNumber(raw: unknown): number {
  const rev = typeof raw === 'string' || typeof raw === 'number' ? Number(raw) : Number.NaN
  if (!Number.isInteger(rev) || rev < 1) throw new AppError('bad_request', 'rev must be a revision number (1, 2, ...)')
  return rev
}

export function historyRouter(sessions: SessionService, history: HistoryService, meta: MetaStore): Router {
  const router = Router()
  const load = (id: string) => {
    if (!isSessionId(id)) throw new AppError('session_not_found', `no session with id "${id.slice(0, 64)}"`)
    return sessions.require(id)
  }

  router.get('/:id/revisions', async (req, res) => {
    res.json({ revisions: await history.list(await load(req.params.id)) })
  })

  router.post('/:id/restore', async (req, res) => {
    const session = await load(req.params.id)
    const body = parseBody(restoreBody, req.body)
    const rev = revNumber(body.rev)
    const notice = await history.restore(session, rev, bearerSecret(req), body.by ?? '', body.undoes ?? null)
    // `rev` is the restore's own revision; `notice` is what every pad shows (its `before` undoes it).
    res.json({ rev: notice.rev, notice })
  })

  router.get('/:id/export', async (req, res, next) => {
    // Repeated or unknown query keys are refused here, before either export route reads them.
    const query = parseExportQuery(req.query)
    if (query.rev === undefined) {
      next()
      return
    }
    const format = query.format
    const session = await load(req.params.id)
    const rev = revNumber(query.rev)
    const { padUpdate, snapshot } = await history.revisionSource(session, rev)
    // A revision is the pad at that moment: the chat is not part of it. Rebuilding and rendering
    // it happen in a worker (issue 15: no request keeps the event loop).
    const rendered = await renderInWorker(format as ExportFormat, { session, padUpdate, snapshot, participants: await meta.listParticipants(session.id), chat: [] })
    res.attachment(rendered.fileName.replace(/(\.[a-z]+)$/, `-rev${rev}$1`)).type(rendered.contentType).set('Cache-Control', 'no-store').send(rendered.body)
  })

  return router
}
