/**
 * `/api/organizer` and `/api/audit`: organizers sign in on the web page with a token (the answer
 * sets the sign-in cookie), sign out, ask who is signed in, and read the audit log.
 * Sign-in attempts are limited per address (10 at once, then 10 a minute) so a token cannot be
 * guessed online; tokens are 144+ random bits anyway.
 */
import type { Router } from 'express'
import { z } from 'zod'
import { errorBodySchema } from '../../../shared/api-responses.ts'
import { AppError } from '../../../shared/errors.ts'
import { auditEntrySchema, auditQuery, organizerIdentitySchema, organizerSignInBody, organizerStatusSchema, type OrganizerStatus } from '../../../shared/organizer.ts'
import type { OrganizerTokens } from '../../auth/organizers.ts'
import { parseBody } from '../../sessions/parse-body.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import { documentedRouter, errorResponses } from '../api-route.ts'
import { IpRateLimit } from '../ip-rate-limit.ts'
import type { OrganizerAuth } from '../organizer-auth.ts'

/** What the organizer routes work with. */
export interface OrganizerRouterDeps {
  auth: OrganizerAuth
  tokens: OrganizerTokens
  meta: MetaStore
  /** Sign-in with OpenID Connect, when on. */
  oidc: { providerName: string; signInUrl: string } | null
  sessionCreation: 'anyone' | 'organizers'
}

/** Sign-in attempts per address: 10 at once, then one every 6 s. */
const signInAttempts = { perSecond: 10 / 60, burst: 10 }

/** The routes under `/api/organizer`. */
export function organizerRouter(deps: OrganizerRouterDeps): Router {
  const api = documentedRouter('/api/organizer')
  const attempts = new IpRateLimit(signInAttempts)

  api.route({
    method: 'get',
    path: '/me',
    summary: 'Who is signed in as an organizer (null: nobody), and how one signs in',
    responses: { 200: { description: 'The sign-in status', schema: organizerStatusSchema } },
  }, async (req, res) => {
    const lookup = await deps.auth.identify(req)
    const status: OrganizerStatus = { organizer: lookup.status === 'ok' ? lookup.identity : null, oidc: deps.oidc, sessionCreation: deps.sessionCreation }
    res.set('Cache-Control', 'no-store').json(status)
  })

  api.route({
    method: 'post',
    path: '/session',
    summary: 'Sign in with an organizer token: the answer sets the HttpOnly sign-in cookie',
    description: 'At most 10 attempts at once from one address, then 10 a minute (429 with Retry-After).',
    body: organizerSignInBody,
    responses: { 200: { description: 'Signed in', schema: z.object({ organizer: organizerIdentitySchema }) }, ...errorResponses(errorBodySchema, 400, 403, 429) },
  }, async (req, res) => {
    if (!attempts.take(req.ip ?? 'unknown')) {
      res.set('Retry-After', '6')
      throw new AppError('rate_limited', 'too many sign-in attempts from your address: at most 10 at once, then 10 a minute')
    }
    const { token } = parseBody(organizerSignInBody, req.body)
    const identity = deps.tokens.identify(token)
    if (!identity) throw new AppError('forbidden', 'this is not an organizer token')
    await deps.auth.signIn(res, identity)
    res.set('Cache-Control', 'no-store').json({ organizer: identity })
  })

  api.route({
    method: 'delete',
    path: '/session',
    summary: 'Sign out: ends the sign-in the cookie names',
    responses: { 204: { description: 'Signed out' } },
  }, async (req, res) => {
    await deps.auth.signOut(req, res)
    res.status(204).end()
  })

  return api.router
}

/** `GET /api/audit`: organizer actions, newest first (`limit`, `before` to page). Organizers only. */
export function auditRouter(auth: OrganizerAuth, meta: MetaStore): Router {
  const api = documentedRouter('/api/audit')
  api.route({
    method: 'get',
    path: '/',
    summary: 'The audit log: organizer actions, newest first (organizers)',
    auth: 'organizer token (or the organizer sign-in cookie)',
    query: auditQuery,
    responses: { 200: { description: 'Entries', schema: z.object({ entries: z.array(auditEntrySchema) }) }, ...errorResponses(errorBodySchema, 400, 401, 403) },
  }, async (req, res) => {
    await auth.require(req, 'reading the audit log')
    const query = auditQuery.safeParse(req.query)
    if (!query.success) throw new AppError('bad_request', 'the query parameters are limit (1-500) and before (an entry id), each at most once')
    res.set('Cache-Control', 'no-store').json({ entries: await meta.listAudit(query.data) })
  })
  return api.router
}
