/**
 * Issue 16, part 2, with two server processes sharing PostgreSQL and Redis: a write one instance
 * refused is refused by the other too, even though the other had the pad loaded before (its
 * clients were reading it), so a client cannot get a refused write in by reconnecting elsewhere.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/close-codes.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { act, createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced, type PadClient } from '../helpers/clients.ts'
import { freePort, OwnedRedis } from '../helpers/owned-redis.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const schema = `refused_${randomBytes(5).toString('hex')}`
const baseDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const databaseUrl = `${baseDatabaseUrl}?schema=${schema}`
let redis: OwnedRedis
let a: ServerProcess
let b: ServerProcess
const clients = new Set<PadClient>()

function instance(): Promise<ServerProcess> {
  return startServerProcess({ env: { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, CONNECTIONS_PER_IP_PER_SECOND: '0', AUTO_END_AFTER_MINUTES: '0' } })
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

function open(server: ServerProcess, room: string, ydoc?: Y.Doc): PadClient & { closes: number[] } {
  const client = Object.assign(connectPad(server.wsUrl, room, { ydoc }), { closes: [] as number[] })
  client.provider.on('connection-close', (event) => event && client.closes.push(event.code))
  clients.add(client)
  return client
}

const padText = (client: PadClient) => client.ydoc.getXmlFragment(padFragmentName).toString()

describe('a write refused on one instance', () => {
  it('is refused on the other instance too, and later edits flow across both', async () => {
    const { session, moderatorKey } = await createSessionWithKeys(a.url)
    const watcherOnB = open(b, session.id)
    const writer = open(a, session.id)
    await Promise.all([waitForSynced(watcherOnB), waitForSynced(writer)])

    writer.provider.disconnect()
    const paragraph = new Y.XmlElement('paragraph')
    paragraph.insert(0, [new Y.XmlText('REFUSED-ON-A')])
    writer.ydoc.getXmlFragment(padFragmentName).insert(0, [paragraph])
    expect((await act(a.url, session.id, 'lock', moderatorKey)).status).toBe(200)
    writer.provider.connect()
    await waitFor(() => writer.closes.includes(CloseCode.diverged), 5000, 'refused on A with 4409')
    writer.provider.destroy()
    expect((await act(a.url, session.id, 'unlock', moderatorKey)).status).toBe(200)

    const elsewhere = open(b, session.id, writer.ydoc)
    await waitFor(() => elsewhere.closes.includes(CloseCode.diverged), 5000, 'refused on B with 4409')
    elsewhere.provider.destroy()

    const onA = open(a, session.id)
    const onB = open(b, session.id)
    await Promise.all([waitForSynced(onA), waitForSynced(onB)])
    const later = new Y.XmlElement('paragraph')
    later.insert(0, [new Y.XmlText('later-from-a')])
    onA.ydoc.getXmlFragment(padFragmentName).insert(0, [later])
    for (const client of [onB, watcherOnB]) await waitFor(() => padText(client).includes('later-from-a'), 5000, 'a later edit across instances')
    for (const client of [onA, onB, watcherOnB]) expect(padText(client)).not.toContain('REFUSED-ON-A')
  }, 60_000)
})
