/** `/api/sessions`: create, list and read design sessions. */
import { Router } from 'express'
import { listSessionsQuery } from '../../../shared/api.ts'
import { isSessionId } from '../../../shared/doc-name.ts'
import { AppError } from '../../../shared/errors.ts'
import type { SessionService } from '../../sessions/session-service.ts'

export function sessionsRouter(sessions: SessionService): Router {
  const router = Router()

  router.post('/', async (req, res) => {
    const session = await sessions.create(req.body)
    res.status(201).location(`/api/sessions/${session.id}`).json({ session, url: `/s/${session.id}` })
  })

  router.get('/', async (req, res) => {
    const query = listSessionsQuery.safeParse(req.query)
    if (!query.success) throw new AppError('bad_request', `invalid query: ${query.error.issues[0]?.message ?? ''}`)
    res.json({ sessions: await sessions.list(query.data) })
  })

  router.get('/:id', async (req, res) => {
    const id = req.params.id
    if (!isSessionId(id)) throw new AppError('session_not_found', `no session with id "${id.slice(0, 64)}"`)
    res.json({ session: await sessions.require(id) })
  })

  return router
}
