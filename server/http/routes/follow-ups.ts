/**
 * `/api/sessions/:id/follows` (issue 20 part 3): which session a session continues and which
 * continue it; linking and unlinking (the session's moderator, or an organizer). Linking carries
 * the earlier session's open action items into the pad (see `sessions/follow-ups.ts`).
 */
import type { Request, Router } from 'express'
import { z } from 'zod'
import { errorBodySchema, sessionSchema } from '../../../shared/api-responses.ts'
import { isSessionId } from '../../../shared/doc-name.ts'
import { AppError } from '../../../shared/errors.ts'
import type { SessionService } from '../../sessions/session-service.ts'
import { documentedRouter, errorResponses } from '../api-route.ts'
import { bearerSecret } from '../bearer.ts'
import type { OrganizerAuth } from '../organizer-auth.ts'
import { sessionIdParams } from './history.ts'

/** `PUT /api/sessions/:id/follows` body. */
export const followsBody = z.object({ earlierId: z.string().trim().min(1).max(64).describe('the id of the session this one continues') }).strict()

function sessionId(raw: string): string {
  if (!isSessionId(raw)) throw new AppError('session_not_found', `no session with id "${raw.slice(0, 64)}"`)
  return raw
}

/** The follow-ups router, to be mounted at `/api/sessions` (before the sessions router). */
export function followUpsRouter(sessions: SessionService, organizers: OrganizerAuth): Router {
  const api = documentedRouter('/api/sessions')

  /** Throws unless the caller is the session's moderator or an organizer; returns the organizer, if one. */
  const requireModerator = async (req: Request, id: string, what: string) => {
    const lookup = await organizers.identify(req)
    if (lookup.status === 'ok') return lookup.identity
    const secret = bearerSecret(req)
    if (!secret) throw new AppError('unauthorized', `${what} needs the moderator secret as a Bearer token`)
    const role = await sessions.roleFor(id, secret)
    if (role !== 'moderator') throw new AppError('forbidden', `only the moderator (or an organizer) may ${what}; this secret grants "${role}"`)
    return null
  }

  api.route({
    method: 'get',
    path: '/:id/follows',
    summary: 'The session this one continues, and the sessions continuing it',
    params: sessionIdParams,
    responses: {
      200: { description: '`before` (or null) and `after`, by scheduled start', schema: z.object({ before: sessionSchema.nullable(), after: z.array(sessionSchema) }) },
      ...errorResponses(errorBodySchema, 404),
    },
  }, async (req, res) => {
    const id = sessionId(req.params.id)
    await sessions.require(id)
    res.json(await sessions.followUps.neighbours(id))
  })

  api.route({
    method: 'put',
    path: '/:id/follows',
    summary: "Mark the session as continuing an earlier one; the earlier session's open action items go into its pad (moderator or organizer)",
    description: 'Carrying happens now when the earlier session has ended, else when it ends; the session must not have started. Re-linking never adds an item twice.',
    auth: 'moderator secret, or organizer token',
    params: sessionIdParams,
    body: followsBody,
    responses: {
      200: { description: 'Linked; `carried`: items added to the pad now', schema: z.object({ follows: z.string(), carried: z.number().int() }) },
      ...errorResponses(errorBodySchema, 400, 401, 403, 404, 409),
    },
  }, async (req, res) => {
    const id = sessionId(req.params.id)
    const organizer = await requireModerator(req, id, 'link this session to an earlier one')
    const body = followsBody.safeParse(req.body)
    if (!body.success) throw new AppError('invalid_body', `invalid body: ${body.error.issues[0]?.message ?? ''}; expected { earlierId }`)
    const earlierId = sessionId(body.data.earlierId)
    const { carried } = await sessions.followUps.link(id, earlierId)
    if (organizer) await organizers.audit(organizer, 'session.follows', id, { earlierId, carried })
    res.json({ follows: earlierId, carried })
  })

  api.route({
    method: 'delete',
    path: '/:id/follows',
    summary: 'Remove the link to the earlier session (carried items stay in the pad) (moderator or organizer)',
    auth: 'moderator secret, or organizer token',
    params: sessionIdParams,
    responses: { 204: { description: 'Unlinked' }, ...errorResponses(errorBodySchema, 401, 403, 404) },
  }, async (req, res) => {
    const id = sessionId(req.params.id)
    const organizer = await requireModerator(req, id, 'unlink this session')
    await sessions.followUps.unlink(id)
    if (organizer) await organizers.audit(organizer, 'session.unfollow', id, null)
    res.status(204).end()
  })

  return api.router
}
