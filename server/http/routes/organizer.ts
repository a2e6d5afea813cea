/**
 * `/api/organizer` and `/api/audit`: organizers sign in on the web page with a token (the answer
 * sets the sign-in cookie), sign out, ask who is signed in, and read the audit log.
 * Sign-in attempts are limited per address (10 at once, then 10 a minute) so a token cannot be
 * guessed online; tokens are 144+ random bits anyway.
 */
import { Router } from 'express'
import { AppError } from '../../../shared/errors.ts'
import { auditQuery, organizerSignInBody, type OrganizerStatus } from '../../../shared/organizer.ts'
import type { OrganizerTokens } from '../../auth/organizers.ts'
import { parseBody } from '../../sessions/parse-body.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
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
  const router = Router()
  const attempts = new IpRateLimit(signInAttempts)

  router.get('/me', async (req, res) => {
    const lookup = await deps.auth.identify(req)
    const status: OrganizerStatus = { organizer: lookup.status === 'ok' ? lookup.identity : null, oidc: deps.oidc, sessionCreation: deps.sessionCreation }
    res.set('Cache-Control', 'no-store').json(status)
  })

  router.post('/session', async (req, res) => {
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

  router.delete('/session', async (req, res) => {
    await deps.auth.signOut(req, res)
    res.status(204).end()
  })

  return router
}

/** `GET /api/audit`: organizer actions, newest first (`limit`, `before` to page). Organizers only. */
export function auditRouter(auth: OrganizerAuth, meta: MetaStore): Router {
  const router = Router()
  router.get('/', async (req, res) => {
    await auth.require(req, 'reading the audit log')
    const query = auditQuery.safeParse(req.query)
    if (!query.success) throw new AppError('bad_request', 'the query parameters are limit (1-500) and before (an entry id), each at most once')
    res.set('Cache-Control', 'no-store').json({ entries: await meta.listAudit(query.data) })
  })
  return router
}
