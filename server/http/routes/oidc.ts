/**
 * `/auth/oidc`: sign-in with the OpenID Connect provider. `GET /login` sends the browser to the
 * provider with a fresh state, nonce and PKCE verifier, kept in a short-lived HttpOnly cookie
 * limited to this path (SameSite=Lax: the provider's redirect back is a cross-site navigation,
 * which a Strict cookie would not survive). `GET /callback` checks the answer, and for an
 * organizer starts the ordinary organizer sign-in (the Strict cookie) and goes to `/organizer`;
 * anyone else gets 403 and no sign-in.
 */
import { Router, type Request, type Response } from 'express'
import type { Logger } from '../../observability/log.ts'
import type { OidcSignIn, PendingSignIn } from '../../auth/oidc.ts'
import { readCookie, type OrganizerAuth } from '../organizer-auth.ts'

const pendingCookie = 'summitpad_oidc'
/** How long a sign-in may take at the provider, in seconds. */
const pendingMaxAgeSeconds = 600

/** What the OpenID Connect routes work with. */
export interface OidcRouterDeps {
  oidc: OidcSignIn
  auth: OrganizerAuth
  logger: Logger
  /** PUBLIC_URL, when set: the base of the redirect URI. Otherwise the request's own origin. */
  publicUrl: string | null
  /** PUBLIC_URL is https: mark the cookie Secure. */
  secureCookie: boolean
}

/** The routes under `/auth/oidc`. */
export function oidcRouter(deps: OidcRouterDeps): Router {
  const router = Router()
  const redirectUri = (req: Request) => `${deps.publicUrl ? new URL(deps.publicUrl).origin : `${req.protocol}://${req.get('host')}`}/auth/oidc/callback`
  const setPending = (res: Response, value: string, maxAge: number) =>
    res.append('Set-Cookie', `${pendingCookie}=${value}; Path=/auth/oidc; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${deps.secureCookie ? '; Secure' : ''}`)

  router.get('/login', async (_req, res) => {
    let started: Awaited<ReturnType<OidcSignIn['start']>>
    try {
      started = await deps.oidc.start(redirectUri(_req))
    } catch (error) {
      deps.logger.error({ err: error }, 'the OpenID Connect provider could not be reached')
      page(res, 502, 'The sign-in provider cannot be reached right now. Try again in a moment, or sign in with an organizer token.')
      return
    }
    setPending(res, Buffer.from(JSON.stringify(started.pending)).toString('base64url'), pendingMaxAgeSeconds)
    res.set('Cache-Control', 'no-store').redirect(302, started.url.href)
  })

  router.get('/callback', async (req, res) => {
    const pending = readPending(req)
    setPending(res, '', 0)
    if (!pending) {
      page(res, 400, 'This sign-in has expired or was started in another browser. Start again from the organizers’ page.')
      return
    }
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : ''
    let outcome: Awaited<ReturnType<OidcSignIn['finish']>>
    try {
      outcome = await deps.oidc.finish(new URL(`${redirectUri(req)}${query}`), pending)
    } catch (error) {
      deps.logger.warn({ err: error }, 'OpenID Connect sign-in refused')
      page(res, 401, 'The sign-in did not complete (it was cancelled, or the provider’s answer did not check out). Start again from the organizers’ page.')
      return
    }
    if (!outcome.organizer) {
      deps.logger.info({ subject: outcome.identity.id }, 'OpenID Connect sign-in by someone who is not an organizer')
      page(res, 403, `You signed in as ${outcome.identity.name}, but you are not an organizer of this event.`)
      return
    }
    await deps.auth.signIn(res, outcome.identity)
    res.set('Cache-Control', 'no-store').redirect(302, '/organizer')
  })

  return router
}

function readPending(req: Request): PendingSignIn | null {
  const raw = readCookie(req, pendingCookie)
  if (!raw) return null
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PendingSignIn>
    if (typeof value.state !== 'string' || typeof value.nonce !== 'string' || typeof value.codeVerifier !== 'string') return null
    return { state: value.state, nonce: value.nonce, codeVerifier: value.codeVerifier }
  } catch {
    return null
  }
}

/** A minimal page for the browser that followed the provider's redirect; text only, nothing from input as markup. */
function page(res: Response, status: number, message: string): void {
  const escaped = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in · summitpad</title></head><body><main><h1>Sign-in</h1><p>${escaped}</p><p><a href="/organizer">Back to the organizers’ page</a></p></main></body></html>`)
}
