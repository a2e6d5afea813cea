/** TRUST_PROXY parsing, and the client address HTTP routes (express `req.ip`) and upgrades see. */
import express from 'express'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { clientAddress, compileTrust, parseTrustProxy } from '../../../../server/http/client-address.ts'
import { loadConfig } from '../../../../server/config.ts'

/** Serves `{ ip, address }` (express's req.ip and clientAddress) under `TRUST_PROXY=value`; returns it for `forwardedFor`. */
async function seen(value: string | undefined, forwardedFor: string): Promise<{ ip: string; address: string }> {
  const trust = compileTrust(parseTrustProxy(value))
  const app = express()
  app.set('trust proxy', trust)
  app.get('/', (req, res) => {
    res.json({ ip: req.ip, address: clientAddress(req, trust) })
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { 'x-forwarded-for': forwardedFor } })
    return (await res.json()) as { ip: string; address: string }
  } finally {
    server.close()
  }
}

describe('TRUST_PROXY', () => {
  it('parses a hop count, true, or a list of addresses, and refuses garbage', () => {
    expect(parseTrustProxy(undefined)).toBe(false)
    expect(parseTrustProxy('1')).toBe(1)
    expect(parseTrustProxy('true')).toBe(true)
    expect(parseTrustProxy('loopback, 10.0.0.0/8')).toEqual(['loopback', '10.0.0.0/8'])
    expect(() => loadConfig({ TRUST_PROXY: 'not an address' })).toThrow(/TRUST_PROXY/)
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2)
    expect(loadConfig({}).trustProxy).toBe(false)
  })

  it('makes HTTP routes and upgrades see the same client address behind trusted proxies, and only then', async () => {
    expect(await seen(undefined, '203.0.113.5')).toEqual({ ip: '127.0.0.1', address: '127.0.0.1' })
    expect(await seen('loopback', '203.0.113.5')).toEqual({ ip: '203.0.113.5', address: '203.0.113.5' })
    // One hop: the proxy's own entry is believed, the one the client wrote before it is not.
    expect(await seen('1', '198.51.100.1, 203.0.113.5')).toEqual({ ip: '203.0.113.5', address: '203.0.113.5' })
    expect(await seen('10.0.0.0/8', '203.0.113.5')).toEqual({ ip: '127.0.0.1', address: '127.0.0.1' })
  })
})
