/** `/api/sessions`: create, list and read design sessions, and the moderator's actions. */
import { Router } from 'express'
import { listSessionsQuery } from '../../../shared/api.ts'
import type { Archiver } from '../../archive/archiver.ts'
import { renderInWorker } from '../../workers/heavy-work.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import { isSessionId } from '../../../shared/doc-name.ts'
import { AppError } from '../../../shared/errors.ts'
import { moderatorActions, type ModeratorAction, type SessionService } from '../../sessions/session-service.ts'
import { bearerSecret } from '../bearer.ts'
import type { CreationLimit } from '../creation-limit.ts'
import type { OrganizerAuth } from '../organizer-auth.ts'
import { parseExportQuery } from '../export-query.ts'

/** Who may create sessions, and how fast when anyone may. */
export interface CreationPolicy {
  who: 'anyone' | 'organizers'
  /** Applied to everyone but organizers when `who` is `anyone`. */
  limit: CreationLimit
}

function sessionId(raw: string): string {
  if (!isSessionId(raw)) throw new AppError('session_not_found', `no session with id "${raw.slice(0, 64)}"`)
  return raw
}

/**
 * The routes under `/api/sessions`. Creation follows `creation` (organizers are never limited, and
 * their creations are audited); deletion takes the moderator secret or an organizer.
 */
export function sessionsRouter(sessions: SessionService, archiver: Archiver, meta: MetaStore, organizers: OrganizerAuth, creation: CreationPolicy): Router {
  const router = Router()

  router.post('/', async (req, res) => {
    const lookup = creation.who === 'organizers' ? { status: 'ok' as const, identity: await organizers.require(req, 'creating a session on this server') } : await organizers.identify(req)
    if (lookup.status !== 'ok') {
      const verdict = creation.limit.take(req.ip ?? 'unknown')
      if (!verdict.ok) {
        res.set('Retry-After', String(verdict.retryAfterSeconds))
        throw new AppError('rate_limited', `${verdict.message}; try again in ${verdict.retryAfterSeconds} s`, { limit: verdict.limit, retryAfterSeconds: verdict.retryAfterSeconds })
      }
    }
    const { session, links } = await sessions.create(req.body)
    if (lookup.status === 'ok') await organizers.audit(lookup.identity, 'session.create', session.id, { title: session.title })
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
    const id = sessionId(req.params.id)
    // An organizer may delete any session; anyone else needs the session's moderator secret.
    const lookup = await organizers.identify(req)
    if (lookup.status === 'ok') {
      await sessions.deleteAsOrganizer(id)
      await organizers.audit(lookup.identity, 'session.delete', id, null)
    } else {
      await sessions.delete(id, bearerSecret(req))
    }
    res.status(204).end()
  })

  router.get('/:id/export', async (req, res) => {
    const format = parseExportQuery(req.query).format
    const session = await sessions.require(sessionId(req.params.id))
    const rendered = await renderInWorker(format, await archiver.padSource(session))
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
