/**
 * The summit scenario's plan (bench/scenarios/summit.ts): who joins, with which sockets, when.
 * The bench itself runs against a real server (`npm run bench -- --scenario summit`); this checks
 * the plan's shape without one.
 */
import * as prng from 'lib0/prng'
import { describe, expect, it } from 'vitest'
import { plan, type Room, type SummitOptions } from '../../../bench/scenarios/summit.ts'

const options: SummitOptions = {
  target: 'summitpad',
  rooms: 20,
  clientsPerRoom: 60,
  writersPerRoom: 6,
  probesPerRoom: 2,
  rate: 5,
  boards: 10,
  joinSeconds: 60,
  seconds: 45,
  cursorMoveProbability: 0.1,
  readerWorkers: 3,
  seed: 1,
  drainTimeoutMs: 15_000,
  serverEnv: {},
}
const rooms: Room[] = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, moderatorKey: `key${i}` }))
const summitpad = { target: 'summitpad' as const, url: 'http://127.0.0.1:1', wsUrl: 'ws://127.0.0.1:1/sync' }

describe('the summit plan', () => {
  it('has 60 tabs and a projector per room, 6 writers and 2 probes among the tabs, the moderator first', () => {
    const specs = plan(summitpad, rooms, options, prng.create(1))
    expect(specs).toHaveLength(20 * 61)
    const count = (kind: string) => specs.filter((s) => s.kind === kind).length
    expect([count('writer'), count('probe'), count('reader'), count('projector')]).toEqual([120, 40, 20 * 52, 20])
    expect(new Set(specs.map((s) => s.id)).size).toBe(specs.length)
    // Only each room's first tab holds the moderator secret, and it is one of the writers.
    const keyed = specs.filter((s) => s.token !== null)
    expect(keyed).toHaveLength(20)
    expect(keyed.every((s) => s.kind === 'writer' && s.token === `key${s.room}`)).toBe(true)
  })

  it('opens the pad page’s three sockets, the projector’s two, on summitpad', () => {
    const specs = plan(summitpad, rooms, options, prng.create(1))
    const tab = specs.find((s) => s.kind === 'reader' && s.room === 3)!
    expect(tab.padUrl).toBe('ws://127.0.0.1:1/sync/s3')
    expect(tab.controlUrl).toBe('ws://127.0.0.1:1/sync/s3/control')
    expect(tab.chatUrl).toBe('ws://127.0.0.1:1/sync/s3/chat')
    expect(tab.sessionApi).toBe('http://127.0.0.1:1/api/sessions/s3')
    expect(tab.claim).toBe(true)
    const projector = specs.find((s) => s.kind === 'projector' && s.room === 3)!
    expect([projector.controlUrl, projector.chatUrl, projector.claim]).toEqual(['ws://127.0.0.1:1/sync/s3/control', null, false])
  })

  it('opens only pad sockets against the reference', () => {
    const specs = plan({ target: 'reference', url: 'http://127.0.0.1:1', wsUrl: 'ws://127.0.0.1:1' }, rooms, options, prng.create(1))
    expect(specs.every((s) => s.controlUrl === null && s.chatUrl === null && s.sessionApi === null)).toBe(true)
    expect(specs).toHaveLength(20 * 61)
  })

  it('spreads the joins over the join phase, the same for the same seed', () => {
    const times = plan(summitpad, rooms, options, prng.create(7)).map((s) => s.atMs)
    expect(times.every((t) => t >= 0 && t < 60_000)).toBe(true)
    // Uniform: every 10 s of the minute gets a share (about 203 of 1,220).
    for (let start = 0; start < 60_000; start += 10_000) expect(times.filter((t) => t >= start && t < start + 10_000).length).toBeGreaterThan(120)
    expect(plan(summitpad, rooms, options, prng.create(7)).map((s) => s.atMs)).toEqual(times)
  })
})
