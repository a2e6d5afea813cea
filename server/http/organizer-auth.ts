/**
 * OrganizerAuth: who, if anyone, a request comes from as an organizer, and the audit log of what
 * organizers do. An organizer proves it with `Authorization: Bearer <organizer token>` (API use)
 * or with the sign-in cookie the web page got by presenting a token or signing in with the OpenID
 * Connect provider.
 *
 * The cookie holds a random 144-bit value; the server keeps only its SHA-256 in the MetaStore
 * with the organizer and an expiry, so a sign-in is checked (and ended by signing out) on every
 * instance, and nothing in the cookie can be forged or replayed after sign-out. It is HttpOnly
 * (no script reads it) and SameSite=Strict (no other site's page can make a browser send it),
 * and Secure when PUBLIC_URL is https.
 */
import type { Request, Response } from 'express'
import { AppError } from '../../shared/errors.ts'
import type { OrganizerIdentity } from '../../shared/organizer.ts'
import { hashSecret, mintSecret } from '../auth/capabilities.ts'
import type { OrganizerTokens } from '../auth/organizers.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import type { Logger } from '../observability/log.ts'
import { bearerSecret } from './bearer.ts'

/** The sign-in cookie's name. */
export const organizerCookie = 'summitpad_organizer'

/** What a request proves: no organizer credential, a wrong one, or an organizer. */
export type OrganizerLookup = { status: 'none' } | { status: 'invalid'; message: string } | { status: 'ok'; identity: OrganizerIdentity }

/** What OrganizerAuth works with. */
export interface OrganizerAuthOptions {
  tokens: OrganizerTokens
  meta: MetaStore
  logger: Logger
  /** How long a web sign-in lasts, in hours. */
  sessionHours: number
  /** Mark the cookie Secure (the server is reached over https). */
  secureCookie: boolean
}

/** Identifies organizers on requests, keeps their web sign-ins, and writes the audit log (see the module comment). */
export class OrganizerAuth {
  constructor(private readonly options: OrganizerAuthOptions) {}

  /**
   * The organizer behind `req`. A Bearer header decides alone when present (an organizer token,
   * or `invalid` for anything else, e.g. a moderator secret); otherwise the sign-in cookie does
   * (`invalid` once it has expired or was signed out).
   */
  async identify(req: Request): Promise<OrganizerLookup> {
    let secret: string | null
    try {
      secret = bearerSecret(req)
    } catch {
      return { status: 'invalid', message: 'the Authorization header must be "Bearer <organizer token>"' }
    }
    if (secret !== null) {
      const identity = this.options.tokens.identify(secret)
      return identity ? { status: 'ok', identity } : { status: 'invalid', message: 'this token is not an organizer token' }
    }
    const cookie = readCookie(req, organizerCookie)
    if (cookie === null) return { status: 'none' }
    const identity = await this.options.meta.getSignIn(hashSecret(cookie))
    return identity ? { status: 'ok', identity } : { status: 'invalid', message: 'your organizer sign-in has expired; sign in again' }
  }

  /**
   * The organizer behind `req`; throws `organizer_required` (401) without a credential and
   * `forbidden` (403) with a wrong or expired one, each naming `what` needs an organizer.
   */
  async require(req: Request, what: string): Promise<OrganizerIdentity> {
    const lookup = await this.identify(req)
    if (lookup.status === 'ok') return lookup.identity
    if (lookup.status === 'none') {
      throw new AppError('organizer_required', `${what} needs an organizer: sign in on /organizer or send "Authorization: Bearer <organizer token>"`)
    }
    throw new AppError('forbidden', `${what} needs an organizer: ${lookup.message}`)
  }

  /** Starts a web sign-in for `identity`: stores it and sets the cookie on `res`. */
  async signIn(res: Response, identity: OrganizerIdentity): Promise<void> {
    const value = mintSecret()
    const maxAgeSeconds = this.options.sessionHours * 3600
    await this.options.meta.createSignIn(hashSecret(value), identity, new Date(Date.now() + maxAgeSeconds * 1000).toISOString())
    res.append('Set-Cookie', this.cookie(value, maxAgeSeconds))
    await this.audit(identity, 'organizer.sign-in', null, { method: identity.kind })
  }

  /** Ends the web sign-in of `req` (if any) and clears its cookie; returns who was signed in. */
  async signOut(req: Request, res: Response): Promise<OrganizerIdentity | null> {
    const cookie = readCookie(req, organizerCookie)
    res.append('Set-Cookie', this.cookie('', 0))
    if (cookie === null) return null
    const hash = hashSecret(cookie)
    const identity = await this.options.meta.getSignIn(hash)
    await this.options.meta.deleteSignIn(hash)
    if (identity) await this.audit(identity, 'organizer.sign-out', null, null)
    return identity
  }

  /**
   * Records an organizer action in the audit log. A failure to record is logged, never thrown:
   * the action has already happened by then.
   */
  async audit(actor: OrganizerIdentity, action: string, target: string | null, details: Record<string, unknown> | null): Promise<void> {
    try {
      await this.options.meta.appendAudit({ actor, action, target, details })
    } catch (error) {
      this.options.logger.error({ err: error, action, target, actor: actor.id }, 'writing the audit log failed')
    }
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    return `${organizerCookie}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${this.options.secureCookie ? '; Secure' : ''}`
  }
}

/** The value of cookie `name` on `req`, or null. Only URL-safe values are accepted. */
export function readCookie(req: Request, name: string): string | null {
  const header = req.get('cookie')
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue
    const value = part.slice(eq + 1).trim()
    return /^[A-Za-z0-9_-]{1,512}$/.test(value) ? value : null
  }
  return null
}
