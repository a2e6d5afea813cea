/**
 * OidcSignIn: organizers sign in with the event's OpenID Connect provider (the way Etherpad 2.x
 * and HedgeDoc offer it), through `openid-client`: the authorization-code flow with PKCE (S256),
 * `state` and `nonce`. A person is an organizer when the configured claim (from the ID token, or
 * else from the userinfo endpoint) equals the configured value, or contains it when it is a list.
 *
 * The provider's metadata is discovered on first use and kept; a failed discovery is retried on
 * the next sign-in, so a provider that is down at start does not stop the server. `openid-client`
 * itself is loaded with the first sign-in, so a server whose organizers never use it does not hold it.
 */
import type { Configuration } from 'openid-client'
import type { OidcConfig } from '../config.ts'
import type { OrganizerIdentity } from '../../shared/organizer.ts'

/** What must survive between the redirect to the provider and its callback (kept in a cookie). */
export interface PendingSignIn {
  state: string
  nonce: string
  codeVerifier: string
}

/** The outcome of a callback: who signed in, and whether the claim makes them an organizer. */
export interface OidcOutcome {
  identity: OrganizerIdentity
  organizer: boolean
}

/** One configured provider: starts sign-ins and checks their callbacks. */
export class OidcSignIn {
  private discovered: Promise<Configuration> | null = null

  constructor(private readonly config: OidcConfig) {}

  /** The provider's authorization URL for a new sign-in, and what the callback will need. */
  async start(redirectUri: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const client = await openidClient()
    const configuration = await this.configuration()
    const pending: PendingSignIn = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() }
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.config.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    })
    return { url, pending }
  }

  /**
   * Completes a sign-in from the callback URL the provider sent the browser to. Throws when the
   * response does not check out (state, nonce, PKCE, the ID token's signature and audience).
   */
  async finish(callbackUrl: URL, pending: PendingSignIn): Promise<OidcOutcome> {
    const client = await openidClient()
    const configuration = await this.configuration()
    const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    })
    const idClaims = tokens.claims()!
    let claims: Record<string, unknown> = { ...idClaims }
    if (!(this.config.organizerClaim in claims) || claims.name === undefined) {
      const userinfo = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub)
      claims = { ...userinfo, ...claims }
    }
    const name = firstString(claims.name, claims.email, claims.preferred_username) ?? idClaims.sub
    return {
      identity: { kind: 'oidc', id: idClaims.sub, name: name.slice(0, 100) },
      organizer: this.config.organizerValue !== null && claimHolds(claims[this.config.organizerClaim], this.config.organizerValue),
    }
  }

  private configuration(): Promise<Configuration> {
    const issuer = new URL(this.config.issuer)
    this.discovered ??= openidClient()
      .then((client) =>
        client.discovery(issuer, this.config.clientId, this.config.clientSecret, undefined, {
          // Plain http only for a provider on this machine (config.ts refuses it elsewhere).
          ...(issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
          timeout: 10,
        }),
      )
      .catch((error: unknown) => {
        this.discovered = null
        throw error
      })
    return this.discovered
  }
}

/** `openid-client`, loaded on first use. */
function openidClient(): Promise<typeof import('openid-client')> {
  return import('openid-client')
}

/** True when `claim` is `value`, or a list holding it. */
export function claimHolds(claim: unknown, value: string): boolean {
  if (Array.isArray(claim)) return claim.some((item) => item === value)
  return claim === value
}

function firstString(...values: unknown[]): string | null {
  for (const value of values) if (typeof value === 'string' && value.trim() !== '') return value.trim()
  return null
}
