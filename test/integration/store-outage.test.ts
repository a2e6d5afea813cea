/**
 * PostgreSQL going away under a running server (through a proxy the test cuts): the server says
 * so in its logs and /healthz, refuses the writes it cannot make durable (closing the writer with
 * 1013, nothing shown to anyone), and recovers by itself once the database is back.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/close-codes.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { createSessionWithKeys } from '../helpers/api.ts'
import { connectPad, waitForSynced } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { TcpProxy } from '../helpers/tcp-proxy.ts'
import { waitFor } from '../helpers/wait-for.ts'

const schema = `outage_${randomBytes(5).toString('hex')}`
const proxy = new TcpProxy('127.0.0.1', 5432)
let server: ServerProcess

beforeAll(async () => {
  await proxy.start()
  server = await startServerProcess({ env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test?schema=${schema}` } })
})
afterAll(async () => {
  await server?.dispose()
  await proxy.stop()
  const db = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' })
  await db.connect()
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await db.end()
})

const type = (ydoc: Y.Doc, text: string) => {
  const paragraph = new Y.XmlElement('paragraph')
  paragraph.insert(0, [new Y.XmlText(text)])
  ydoc.getXmlFragment(padFragmentName).insert(0, [paragraph])
}
const padText = (ydoc: Y.Doc) => ydoc.getXmlFragment(padFragmentName).toString()

describe('PostgreSQL outage', () => {
  it('refuses what it cannot store, says so, and recovers by itself', async () => {
    const { session } = await createSessionWithKeys(server.url)
    const writer = connectPad(server.wsUrl, session.id, { ack: true })
    const reader = connectPad(server.wsUrl, session.id)
    await Promise.all([waitForSynced(writer), waitForSynced(reader)])
    type(writer.ydoc, 'before the outage')
    await waitFor(() => writer.isSaved() && padText(reader.ydoc).includes('before the outage'), 5000, 'stored before')

    const closes: number[] = []
    writer.provider.on('connection-close', (event) => event && closes.push(event.code))
    await proxy.stop()
    type(writer.ydoc, 'during the outage')
    await waitFor(() => closes.includes(CloseCode.tryAgainLater), 10_000, 'writer closed with 1013')
    // Not stored, so shown to nobody.
    expect(padText(reader.ydoc)).not.toContain('during the outage')
    const health = await fetch(`${server.url}/healthz`)
    expect(health.status).toBe(503)
    expect(((await health.json()) as { store: { status: string } }).store.status).toBe('down')
    expect(server.logs.some((line) => (line.level as number) >= 50 && /could not be stored|store/i.test(String(line.msg)))).toBe(true)

    await proxy.start()
    // The writer reconnects by itself and resends what was never acknowledged.
    await waitFor(() => padText(reader.ydoc).includes('during the outage'), 20_000, 'the edit arrives after recovery')
    await waitFor(() => writer.isSaved(), 10_000, 'acknowledged after recovery')
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    writer.destroy()
    reader.destroy()
    await server.restart()
    const fresh = connectPad(server.wsUrl, session.id)
    await waitForSynced(fresh)
    expect(padText(fresh.ydoc).split('during the outage').length - 1).toBe(1)
    fresh.destroy()
  }, 60_000)
})
