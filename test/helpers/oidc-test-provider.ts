/**
 * A real OpenID Connect provider (`oidc-provider`) inside the test process, on a loopback port,
 * with one confidential client and a few people. Its login and consent step is done by the
 * provider's own interaction API for whoever `signInAs` names, so tests drive the real
 * authorization-code flow (redirects, PKCE, signed ID tokens, userinfo) without a login form.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

/** A person the provider knows, with the claims it releases. */
export interface TestPerson {
  sub: string
  name: string
  email: string
  groups: string[]
}

export interface TestProvider {
  issuer: string
  clientId: string
  clientSecret: string
  /** Who the next sign-in at the provider is (by `sub`). */
  signInAs(sub: string): void
  close(): Promise<void>
}

/** Starts the provider for a client whose redirect URI is `redirectUri`. */
export async function startTestProvider(redirectUri: string, people: TestPerson[]): Promise<TestProvider> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const clientId = 'summitpad-test'
  const clientSecret = 'summitpad-test-secret-0123456789abcdef'
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    async findAccount(_ctx: unknown, sub: string) {
      const person = people.find((candidate) => candidate.sub === sub)
      if (!person) return undefined
      return { accountId: sub, claims: async () => ({ ...person }) }
    },
    claims: { openid: ['sub'], profile: ['name', 'groups'], email: ['email'] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
  })
  let next = people[0]!.sub
  const handle = provider.callback()
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!req.url?.startsWith('/interaction/')) {
      handle(req, res)
      return
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res)
      const grant = new provider.Grant({ accountId: next, clientId: details.params.client_id })
      grant.addOIDCScope(details.params.scope)
      const grantId = await grant.save()
      await provider.interactionFinished(req, res, { login: { accountId: next }, consent: { grantId } }, { mergeWithLastSubmission: false })
    })().catch((error: unknown) => {
      res.statusCode = 500
      res.end(String(error))
    })
  })
  return {
    issuer,
    clientId,
    clientSecret,
    signInAs(sub) {
      next = sub
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
