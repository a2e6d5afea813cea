import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../../server/config.ts'

describe('bus configuration', () => {
  it('uses no Redis (the LocalBus) and the default prefix when nothing is set', () => {
    const config = loadConfig({})
    expect(config.redisUrl).toBeNull()
    expect(config.redisPrefix).toBe('summitpad:')
  })

  it('takes redis:// and rediss:// URLs and a prefix', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379')
    const config = loadConfig({ REDIS_URL: 'rediss://user:secret@redis.example:6380/2', REDIS_PREFIX: 'summit-eu:' })
    expect(config.redisUrl).toBe('rediss://user:secret@redis.example:6380/2')
    expect(config.redisPrefix).toBe('summit-eu:')
  })

  it('refuses other schemes, non-URLs and an empty prefix, naming the variable', () => {
    for (const REDIS_URL of ['http://127.0.0.1:6379', '127.0.0.1:6379', 'redis']) {
      expect(() => loadConfig({ REDIS_URL })).toThrow(ConfigError)
      expect(() => loadConfig({ REDIS_URL })).toThrow(/REDIS_URL/)
    }
    expect(() => loadConfig({ REDIS_PREFIX: '' })).toThrow(/REDIS_PREFIX/)
  })
})
