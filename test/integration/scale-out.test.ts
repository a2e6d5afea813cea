/**
 * Scale-out: two server processes sharing PostgreSQL (`DATABASE_URL`, a schema of this run) and
 * Redis (`REDIS_URL`, a redis-server this test owns, so it can stop it). Clients of one session
 * on both instances see each other's edits, presence and the moderator's lock; an instance killed
 * with kill -9 loses no edit anyone saw; a Redis outage heals by itself.
 */
import { randomBytes } from 'node:crypto'
import * as prng from 'lib0/prng'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { padFragmentName } from '../../shared/schema.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { freePort, OwnedRedis } from '../helpers/owned-redis.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const schema = `scale_${randomBytes(5).toString('hex')}`
const baseDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const databaseUrl = `${baseDatabaseUrl}?schema=${schema}`
let redis: OwnedRedis
let a: ServerProcess
let b: ServerProcess
const clients = new Set<PadClient>()

function instance(): Promise<ServerProcess> {
  return startServerProcess({
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      CONNECTIONS_PER_IP_PER_SECOND: '0',
      AUTO_END_AFTER_MINUTES: '0',
    },
  })
}

beforeAll(async () => {
  redis = new OwnedRedis(await freePort())
  await redis.start()
  a = await instance()
  b = await instance()
}, 60_000)

afterAll(async () => {
  for (const client of clients) client.destroy()
  await Promise.all([a?.dispose(), b?.dispose()])
  await redis?.kill()
  const db = new pg.Client({ connectionString: baseDatabaseUrl })
  await db.connect()
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await db.end()
})

function open(server: ServerProcess, room: string, options: { token?: string; ydoc?: Y.Doc } = {}): PadClient {
  const client = connectPad(server.wsUrl, room, { ack: true, ...options })
  clients.add(client)
  return client
}

const padText = (client: PadClient | Y.Doc) => ('ydoc' in client ? client.ydoc : client).getXmlFragment(padFragmentName).toString()

/** One random edit: type into, delete from (unless `insertOnly`), or add a paragraph, anywhere in the pad. */
function randomEdit(gen: prng.PRNG, client: PadClient, marker: string, insertOnly = false): void {
  const fragment = client.ydoc.getXmlFragment(padFragmentName)
  const roll = prng.uint32(gen, 0, 9)
  client.ydoc.transact(() => {
    if (roll < 2 || fragment.length === 0) {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText(marker)])
      fragment.insert(prng.uint32(gen, 0, fragment.length), [paragraph])
      return
    }
    const block = fragment.get(prng.uint32(gen, 0, fragment.length - 1))
    const text = block instanceof Y.XmlElement ? block.get(0) : null
    if (!(text instanceof Y.XmlText)) return
    if (!insertOnly && roll < 4 && text.length > 3) text.delete(prng.uint32(gen, 0, text.length - 2), 1)
    else text.insert(prng.uint32(gen, 0, text.length), ` ${marker} `)
  })
}

/** A paragraph holding just `marker`, added at a random place (random edits elsewhere cannot split it). */
function typeMarker(gen: prng.PRNG, client: PadClient, marker: string): void {
  const fragment = client.ydoc.getXmlFragment(padFragmentName)
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(marker)])
  fragment.insert(prng.uint32(gen, 0, fragment.length), [paragraph])
}

/** Every client's pad is the same; resolves with it. */
async function converged(all: PadClient[], timeoutMs: number, what: string): Promise<string> {
  await waitFor(() => all.every((client) => padText(client) === padText(all[0]!)), timeoutMs, what)
  return padText(all[0]!)
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

describe('two instances on PostgreSQL and Redis', () => {
  it('reports the store and the bus in /healthz', async () => {
    for (const server of [a, b]) {
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { store: { kind: string; status: string }; bus: { kind: string; status: string } }
      expect(health.store).toEqual({ kind: 'postgres', status: 'up' })
      expect(health.bus).toEqual({ kind: 'redis', status: 'up' })
    }
  })

  it('converges 10 + 10 clients editing at random, with each other and after both restart', async () => {
    const { session } = await createSessionWithKeys(a.url, { title: 'Two instances' })
    const onA = Array.from({ length: 10 }, () => open(a, session.id))
    const onB = Array.from({ length: 10 }, () => open(b, session.id))
    const all = [...onA, ...onB]
    await Promise.all(all.map((client) => waitForSynced(client, 10_000)))
    const gen = prng.create(7)
    for (let round = 0; round < 20; round++) {
      for (const [i, client] of all.entries()) randomEdit(gen, client, `r${round}c${i}`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await converged(all, 20_000, '20 clients on two instances agree')
    await waitFor(() => all.every((client) => client.isSaved()), 10_000, 'every edit acknowledged')

    // Cross-instance edit latency: typed on A, seen on B.
    const writer = onA[0]!
    const reader = onB[0]!
    const latencies: number[] = []
    for (let i = 0; i < 200; i++) {
      const marker = `lat${i}end`
      const arrived = new Promise<number>((resolve) => {
        const check = () => {
          if (!padText(reader).includes(marker)) return
          reader.ydoc.off('afterTransaction', check)
          resolve(performance.now())
        }
        reader.ydoc.on('afterTransaction', check)
      })
      const started = performance.now()
      randomEdit(prng.create(i), writer, marker, true)
      // (An edit that landed in a block without text, e.g. a list, typed nothing.)
      if (padText(writer).includes(marker)) latencies.push((await arrived) - started)
    }
    console.log(`scale-out: cross-instance edit latency over ${latencies.length} edits: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`)
    const final = await converged(all, 10_000, 'converged after the latency run')
    await waitFor(() => all.every((client) => client.isSaved()), 10_000, 'latency edits acknowledged')
    for (const client of all) {
      client.destroy()
      clients.delete(client)
    }

    await Promise.all([a.restart(), b.restart()])
    for (const server of [a, b]) {
      const fresh = open(server, session.id)
      await waitForSynced(fresh, 10_000)
      expect(padText(fresh)).toBe(final)
    }
  }, 120_000)

  it('shares presence and the moderator’s lock across instances', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(a.url, { title: 'Presence' })
    const ada = open(a, session.id)
    const bob = open(b, session.id)
    await Promise.all([waitForSynced(ada), waitForSynced(bob)])
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#123456' })
    await waitFor(() => (bob.provider.awareness.getStates().get(ada.ydoc.clientID) as { user?: { name: string } } | undefined)?.user?.name === 'Ada', 5000, 'Ada on B')
    ada.destroy()
    clients.delete(ada)
    await waitFor(() => !bob.provider.awareness.getStates().has(ada.ydoc.clientID), 5000, 'Ada gone on B')

    // Locked through instance B's API: a client of instance A can no longer write.
    const carol = open(a, session.id)
    await waitForSynced(carol)
    expect((await act(b.url, session.id, 'lock', moderatorKey)).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 300))
    randomEdit(prng.create(1), carol, 'afterlock')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const check = open(b, session.id)
    await waitForSynced(check)
    expect(padText(check)).not.toContain('afterlock')
  })

  it('loses no edit anyone saw when an instance is killed with kill -9; its clients move to the other', async () => {
    const { session } = await createSessionWithKeys(a.url, { title: 'Kill one' })
    const onA = Array.from({ length: 5 }, () => open(a, session.id))
    const onB = Array.from({ length: 5 }, () => open(b, session.id))
    const all = [...onA, ...onB]
    await Promise.all(all.map((client) => waitForSynced(client, 10_000)))
    // Two people on A who will not come back after A dies: their presence must vanish from B.
    const ghosts = [open(a, session.id), open(a, session.id)]
    await Promise.all(ghosts.map((client) => waitForSynced(client, 10_000)))
    ghosts.forEach((client, i) => client.provider.awareness.setLocalStateField('user', { name: `ghost${i}` }))
    const watcher = onB[0]!
    const presentOnB = () => [...watcher.provider.awareness.getStates().values()].map((state) => (state as { user?: { name: string } }).user?.name ?? '')
    await waitFor(() => presentOnB().filter((name) => name.startsWith('ghost')).length === 2, 5000, 'ghosts present on B')
    const gen = prng.create(11)
    const markers: string[] = []
    let typing = true
    const loop = (async () => {
      for (let n = 0; typing; n++) {
        for (const [i, client] of all.entries()) {
          const marker = `k${n}c${i}end`
          typeMarker(gen, client, marker)
          markers.push(marker)
        }
        await new Promise((resolve) => setTimeout(resolve, 15))
      }
    })()
    await new Promise((resolve) => setTimeout(resolve, 800))
    await a.kill('SIGKILL')
    for (const ghost of ghosts) {
      ghost.destroy()
      clients.delete(ghost)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
    typing = false
    await loop
    // Everything any client saw (on A's side or B's) before it moves.
    const seen = new Set(all.flatMap((client) => [...padText(client).matchAll(/k\d+c\d+end/g)].map((match) => match[0])))
    const moved = onA.map((client) => {
      client.provider.destroy()
      clients.delete(client)
      return open(b, session.id, { ydoc: client.ydoc })
    })
    const everyone = [...moved, ...onB]
    const text = await converged(everyone, 20_000, 'moved clients and B agree')
    for (const marker of seen) expect(text.split(marker).length - 1, marker).toBe(1)
    for (const marker of markers) expect(text.split(marker).length - 1, marker).toBe(1)

    // Nobody could tell B that the ghosts left (their instance died): the awareness timeout (30 s)
    // removes them on B, and B tells its clients.
    const ghostsSeenUntil = Date.now()
    await waitFor(() => presentOnB().filter((name) => name.startsWith('ghost')).length === 0, 45_000, 'ghosts gone on B')
    console.log(`scale-out: presence of clients of a killed instance gone elsewhere after ${((Date.now() - ghostsSeenUntil) / 1000).toFixed(1)} s`)
    await a.restart()
  }, 120_000)

  it('keeps serving through a Redis outage and converges once Redis is back', async () => {
    const { session } = await createSessionWithKeys(a.url, { title: 'Redis outage' })
    const onA = [open(a, session.id), open(a, session.id)]
    const onB = [open(b, session.id), open(b, session.id)]
    const all = [...onA, ...onB]
    await Promise.all(all.map((client) => waitForSynced(client, 10_000)))

    await redis.kill()
    await waitFor(async () => (await fetch(`${a.url}/healthz`)).status === 503, 10_000, 'A reports the bus down')
    const health = (await (await fetch(`${b.url}/healthz`)).json()) as { bus: { status: string } }
    expect(health.bus.status).toBe('down')
    const gen = prng.create(3)
    for (let round = 0; round < 5; round++) for (const [i, client] of all.entries()) typeMarker(gen, client, `out${round}c${i}end`)
    // Each instance still stores and serves its own clients meanwhile.
    await waitFor(() => all.every((client) => client.isSaved()), 10_000, 'edits stored during the outage')
    await converged(onA, 5000, 'A’s clients agree during the outage')

    await redis.start()
    await waitFor(async () => (await fetch(`${a.url}/healthz`)).status === 200 && (await fetch(`${b.url}/healthz`)).status === 200, 15_000, 'bus up again')
    const text = await converged(all, 15_000, 'all four agree after the outage')
    for (let round = 0; round < 5; round++) for (let i = 0; i < 4; i++) expect(text.split(`out${round}c${i}end`).length - 1).toBe(1)
  }, 120_000)
})
