/**
 * The outbox with several instances on one PostgreSQL database (issue 20): two dispatchers, each
 * on its own pool, send one outbox to a real receiver; every delivery arrives exactly once, and
 * a receiver that refuses for a while still gets each one once. Also the SQLite dispatcher
 * after a "crash" (a store closed with deliveries pending and opened again).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { testConfig } from '../../server/config.ts'
import { OutboxDispatcher } from '../../server/outbox/outbox-dispatcher.ts'
import type { NotifyConfig } from '../../server/outbox/notify-config.ts'
import type { NewOutboxMessage } from '../../server/outbox/outbox-message.ts'
import { openPgStorage, type PgStorage } from '../../server/storage/pg/pg-storage.ts'
import { openSqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts'
import type { MetaStore } from '../../server/storage/meta-store.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts'

const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schemas: string[] = []
const secret = 'whsec-instances-0123456789'
const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent } } as never
const outbox = { ...testConfig().outbox, baseDelayMs: 10, maxDelayMs: 50, pollMs: 20, concurrency: 3 }

afterAll(async () => {
  const db = new pg.Client({ connectionString: baseUrl })
  await db.connect()
  for (const schema of schemas) await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await db.end()
})

function deliveriesFor(count: number): NewOutboxMessage[] {
  return Array.from({ length: count }, () => {
    const id = randomUUID()
    return { id, channel: 'webhook', target: 'hook', event: 'session.started', body: JSON.stringify({ id, event: 'session.started', time: new Date().toISOString(), data: {} }) }
  })
}

const notifyFor = (receiver: WebhookReceiver): NotifyConfig => ({ webhooks: [{ name: 'hook', url: receiver.url, secret, events: ['session.started'] }], mail: null })

async function allDelivered(meta: MetaStore, count: number): Promise<boolean> {
  const listed = await meta.listOutbox({ limit: 500 })
  return listed.length === count && listed.every((message) => message.status === 'delivered')
}

describe('outbox with several instances', () => {
  it('two PostgreSQL instances send each delivery exactly once, also across a receiver outage', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`
    schemas.push(schema)
    const url = `${baseUrl}?schema=${schema}`
    const receiver = await startWebhookReceiver(secret)
    const stores: PgStorage[] = [await openPgStorage(url), await openPgStorage(url)]
    const dispatchers = stores.map((store) => new OutboxDispatcher({ meta: store.meta, notify: notifyFor(receiver), outbox, logger: silent }))
    try {
      receiver.down = true
      const messages = deliveriesFor(60)
      await stores[0]!.meta.enqueue(messages.slice(0, 30))
      await stores[1]!.meta.enqueue(messages.slice(30))
      for (const dispatcher of dispatchers) dispatcher.start()
      await waitFor(async () => (await stores[0]!.meta.listOutbox({ limit: 500 })).every((message) => message.attempts >= 1), 10_000, 'a first attempt of each')
      receiver.down = false
      await waitFor(() => allDelivered(stores[1]!.meta, 60), 20_000, 'all delivered')
      expect(new Set(receiver.accepted.map((hook) => hook.id))).toEqual(new Set(messages.map((message) => message.id)))
      expect(receiver.accepted).toHaveLength(60)
      expect(receiver.acceptedTwice).toEqual([])
      expect(receiver.badSignatures).toBe(0)
    } finally {
      for (const dispatcher of dispatchers) await dispatcher.close()
      for (const store of stores) await store.close()
      await receiver.close()
    }
  })

  it('a SQLite store closed with deliveries pending sends them once opened again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-outbox-'))
    const receiver = await startWebhookReceiver(secret)
    try {
      const first = openSqliteStorage(dir)
      const messages = deliveriesFor(5)
      await first.meta.enqueue(messages)
      await first.close()
      const second = openSqliteStorage(dir)
      const dispatcher = new OutboxDispatcher({ meta: second.meta, notify: notifyFor(receiver), outbox, logger: silent })
      dispatcher.start()
      await waitFor(() => allDelivered(second.meta, 5), 10_000, 'all delivered')
      await dispatcher.close()
      await second.close()
      expect(receiver.accepted.map((hook) => hook.id).sort()).toEqual(messages.map((message) => message.id).sort())
    } finally {
      await receiver.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
