/**
 * Organizer sign-in with OpenID Connect against a real provider (`oidc-provider`) run in the test
 * process: the browser's redirects are followed by hand with one cookie jar per origin. A person
 * in the organizer group gets the sign-in cookie and may use organizer routes; anyone else is
 * refused with 403 and gets no cookie; a tampered callback is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditEntry } from '../../shared/organizer.ts'
import { startTestProvider, type TestProvider } from '../helpers/oidc-test-provider.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { freePort } from '../helpers/free-port.ts'

let server: ServerProcess
let provider: TestProvider


beforeAll(async () => {
  const port = await freePort()
  provider = await startTestProvider(`http://127.0.0.1:${port}/auth/oidc/callback`, [
    { sub: 'ada-1', name: 'Ada Lovelace', email: 'ada@example.org', groups: ['staff', 'summit-organizers'] },
    { sub: 'bob-2', name: 'Bob Attendee', email: 'bob@example.org', groups: ['attendees'] },
  ])
  server = await startServerProcess({
    env: {
      PORT: String(port),
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_ORGANIZER_CLAIM: 'groups',
      OIDC_ORGANIZER_VALUE: 'summit-organizers',
      OIDC_PROVIDER_NAME: 'Summit ID',
    },
  })
})
afterAll(async () => {
  await server?.dispose()
  await provider?.close()
})

/** Cookies per origin, as a browser keeps them (enough for these two servers). */
class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>()

  header(url: URL): string {
    return [...(this.jars.get(url.origin) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  store(url: URL, res: Response): void {
    const jar = this.jars.get(url.origin) ?? new Map<string, string>()
    this.jars.set(url.origin, jar)
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      if (value === '' || /max-age=0/i.test(line)) jar.delete(name)
      else jar.set(name, value)
    }
  }

  get(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name)
  }
}

/** Follows redirects from `start` like a browser until a page that is not a redirect (or `stopAt` matches). */
async function browse(jar: CookieJar, start: string, stopAt?: (url: URL) => boolean): Promise<{ url: URL; res: Response; visited: URL[] }> {
  let url = new URL(start)
  const visited: URL[] = []
  for (let hop = 0; hop < 15; hop++) {
    visited.push(url)
    if (stopAt?.(url)) return { url, res: new Response(null), visited }
    const cookie = jar.header(url)
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} })
    jar.store(url, res)
    const location = res.headers.get('location')
    if (res.status < 300 || res.status >= 400 || !location) return { url, res, visited }
    url = new URL(location, url)
  }
  throw new Error(`too many redirects from ${start}`)
}

describe('sign-in with OpenID Connect', () => {
  it('shows the provider on the sign-in page', async () => {
    const status = (await (await fetch(`${server.url}/api/organizer/me`)).json()) as { oidc: { providerName: string; signInUrl: string } }
    expect(status.oidc).toEqual({ providerName: 'Summit ID', signInUrl: '/auth/oidc/login' })
  })

  it('signs in a member of the organizer group: code flow with PKCE, state and nonce, then the cookie opens organizer routes', async () => {
    provider.signInAs('ada-1')
    const jar = new CookieJar()
    const { url, res, visited } = await browse(jar, `${server.url}/auth/oidc/login`)
    const authorize = visited.find((hop) => hop.origin === provider.issuer && hop.searchParams.has('client_id'))!
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(authorize.searchParams.get('state')).toBeTruthy()
    expect(authorize.searchParams.get('nonce')).toBeTruthy()
    expect(visited.some((hop) => hop.pathname === '/auth/oidc/callback' && hop.searchParams.has('code'))).toBe(true)
    expect(url.pathname).toBe('/organizer')
    expect(res.status).toBe(200)

    const cookie = `summitpad_organizer=${jar.get(server.url, 'summitpad_organizer')}`
    expect(jar.get(server.url, 'summitpad_organizer')).toBeTruthy()
    const me = (await (await fetch(`${server.url}/api/organizer/me`, { headers: { cookie } })).json()) as { organizer: unknown }
    expect(me.organizer).toEqual({ kind: 'oidc', id: 'ada-1', name: 'Ada Lovelace' })
    const audit = await fetch(`${server.url}/api/audit`, { headers: { cookie } })
    expect(audit.status).toBe(200)
    const entries = ((await audit.json()) as { entries: AuditEntry[] }).entries
    expect(entries[0]).toMatchObject({ action: 'organizer.sign-in', actor: { kind: 'oidc', id: 'ada-1', name: 'Ada Lovelace' } })
  })

  it('refuses someone without the organizer claim with 403 and no sign-in', async () => {
    provider.signInAs('bob-2')
    const jar = new CookieJar()
    const { url, res } = await browse(jar, `${server.url}/auth/oidc/login`)
    expect(url.pathname).toBe('/auth/oidc/callback')
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('not an organizer')
    expect(jar.get(server.url, 'summitpad_organizer')).toBeUndefined()
  })

  it('refuses a callback whose state does not match the sign-in it started', async () => {
    provider.signInAs('ada-1')
    const jar = new CookieJar()
    const { url } = await browse(jar, `${server.url}/auth/oidc/login`, (hop) => hop.pathname === '/auth/oidc/callback')
    url.searchParams.set('state', 'forged-state')
    const { res } = await browse(jar, url.href)
    expect(res.status).toBe(401)
    expect(jar.get(server.url, 'summitpad_organizer')).toBeUndefined()
    const noPending = await fetch(url, { redirect: 'manual' })
    expect(noPending.status).toBe(400)
  })
})
