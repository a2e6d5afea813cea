import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { OrganizerTokens, parseOrganizerTokens } from '../../../../server/auth/organizers.ts'
import { claimHolds } from '../../../../server/auth/oidc.ts'
import { ConfigError, loadConfig } from '../../../../server/config.ts'

const sha = (token: string) => createHash('sha256').update(token).digest('hex')

describe('organizer tokens', () => {
  it('reads hashes from the list and from the file, with labels, comments and blank lines', () => {
    const file = `# organizers of the summit\n${sha('ada-token')}  Ada Lovelace\n\n${sha('bob-token').toUpperCase()}\n`
    const entries = parseOrganizerTokens(` ${sha('list-token')} ,`, file)
    expect(entries).toEqual([
      { hash: sha('list-token'), label: null },
      { hash: sha('ada-token'), label: 'Ada Lovelace' },
      { hash: sha('bob-token'), label: null },
    ])
    const tokens = new OrganizerTokens(entries)
    expect(tokens.identify('ada-token')).toEqual({ kind: 'token', id: 'Ada Lovelace', name: 'Ada Lovelace' })
    expect(tokens.identify('list-token')).toEqual({ kind: 'token', id: `token-${sha('list-token').slice(0, 8)}`, name: `organizer token ${sha('list-token').slice(0, 8)}` })
    expect(tokens.identify('bob-token')?.kind).toBe('token')
    expect(tokens.identify('someone-else')).toBeNull()
    expect(tokens.configured).toBe(true)
    expect(new OrganizerTokens([]).configured).toBe(false)
    expect(new OrganizerTokens([]).identify('anything')).toBeNull()
  })

  it('refuses a value that is not a SHA-256 hash (a token pasted by mistake), naming where', () => {
    expect(() => parseOrganizerTokens('my-plain-token', null)).toThrow(/ORGANIZER_TOKEN_HASHES: "my-plain-token" is not a SHA-256/)
    expect(() => parseOrganizerTokens(null, `${sha('a')}\nnot-a-hash Bob\n`)).toThrow(/ORGANIZER_TOKENS_FILE line 2/)
  })
})

describe('OIDC settings', () => {
  it('need issuer, client id and secret together, and https unless the provider is local', () => {
    expect(loadConfig({}).oidc).toBeNull()
    expect(() => loadConfig({ OIDC_ISSUER: 'https://id.example.org' })).toThrow(ConfigError)
    expect(() => loadConfig({ OIDC_ISSUER: 'http://id.example.org', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' })).toThrow(/https/)
    const config = loadConfig({ OIDC_ISSUER: 'https://id.example.org/realms/summit', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b', OIDC_ORGANIZER_VALUE: 'summit-organizers' })
    expect(config.oidc).toMatchObject({ organizerClaim: 'groups', organizerValue: 'summit-organizers', providerName: 'id.example.org', scopes: 'openid profile email' })
    expect(loadConfig({ OIDC_ISSUER: 'http://127.0.0.1:9000', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b', OIDC_SCOPES: 'profile groups' }).oidc?.scopes).toBe('openid profile groups')
  })

  it('make an organizer of a claim equal to the value, or a list holding it', () => {
    expect(claimHolds(['staff', 'summit-organizers'], 'summit-organizers')).toBe(true)
    expect(claimHolds('summit-organizers', 'summit-organizers')).toBe(true)
    expect(claimHolds('summit-organizers-not', 'summit-organizers')).toBe(false)
    expect(claimHolds(['summit'], 'summit-organizers')).toBe(false)
    expect(claimHolds(undefined, 'summit-organizers')).toBe(false)
  })
})
