/** `/api/sessions`: create, list and read design sessions, and the moderator's actions. */
import { Router } from 'express'
import { exportFormats, listSessionsQuery, type ExportFormat } from '../../../shared/api.ts'
import type { Archiver } from '../../archive/archiver.ts'
import { renderInWorker } from '../../workers/heavy-work.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import { isSessionId } from '../../../shared/doc-name.ts'
import { AppError } from '../../../shared/errors.ts'
import { moderatorActions, type ModeratorAction, type SessionService } from '../../sessions/session-service.ts'
import { bearerSecret } from '../bearer.ts'

function sessionId(raw: string): string {
  if (!isSessionId(raw)) throw new AppError('session_not_found', `no session with id "${raw.slice(0, 64)}"`)
  return raw
}

export function sessionsRouter(sessions: SessionService, archiver: Archiver, meta: MetaStore): Router {
  const router = Router()

  router.post('/', async (req, res) => {
    const { session, links } = await sessions.create(req.body)
    res.status(201).location(`/api/sessions/${session.id}`).set('Cache-Control', 'no-store').json({ session, links })
  })

  router.get('/', async (req, res) => {
    const query = listSessionsQuery.safeParse(req.query)
    if (!query.success) throw new AppError('bad_request', `invalid query: ${query.error.issues[0]?.message ?? ''}`)
    res.json({ sessions: await sessions.list(query.data) })
  })

  router.get('/:id', async (req, res) => {
    res.json({ session: await sessions.view(sessionId(req.params.id), bearerSecret(req)) })
  })

  router.delete('/:id', async (req, res) => {
    await sessions.delete(sessionId(req.params.id), bearerSecret(req))
    res.status(204).end()
  })

  router.get('/:id/export', async (req, res) => {
    const raw = req.query.format
    if (raw !== undefined && typeof raw !== 'string') throw new AppError('bad_request', 'give format at most once')
    const format = raw ?? 'md'
    if (!exportFormats.includes(format as ExportFormat)) {
      throw new AppError('bad_request', `unknown export format "${format.slice(0, 20)}"; formats are ${exportFormats.join(', ')}`)
    }
    const session = await sessions.require(sessionId(req.params.id))
    const rendered = await renderInWorker(format as ExportFormat, await archiver.padSource(session))
    res.attachment(rendered.fileName).type(rendered.contentType).set('Cache-Control', 'no-store').send(rendered.body)
  })

  router.get('/:id/archive', async (req, res) => {
    const id = sessionId(req.params.id)
    const archived = await meta.getArchive(id)
    if (!archived) {
      const session = await sessions.require(id)
      throw new AppError('not_found', session.state === 'ended' ? 'this session has no archive record' : 'this session has not ended yet')
    }
    res.json({ archive: archived })
  })

  router.post('/:id/:action', async (req, res) => {
    const action = req.params.action
    if (!moderatorActions.includes(action as ModeratorAction)) {
      throw new AppError('not_found', `no action "${action.slice(0, 40)}"; actions are ${moderatorActions.join(', ')}`)
    }
    const session = await sessions.act(sessionId(req.params.id), action as ModeratorAction, bearerSecret(req), req.body)
    res.json({ session })
  })

  return router
}
