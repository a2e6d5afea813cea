/**
 * The MetaStore contract's outbox rules [MS16]-[MS20] (deliveries stored with the change they
 * report, claimed under a lease, settled, listed and resent), registered by the MetaStore contract
 * (meta-store.contract.ts) inside its suite, on its fresh store.
 */
import { expect, it } from 'vitest'
import type { MetaStore, NewSession } from '../../../server/storage/meta-store.ts'
import type { NewOutboxMessage } from '../../../server/outbox/outbox-message.ts'

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

/** Registers the outbox rules on the store `store()` returns when a test runs. */
export function registerOutboxRules({ store, newSession }: { store: () => MetaStore; newSession: (overrides?: Partial<NewSession>) => NewSession }): void {
  const delivery = (id: string, target = 'ci'): NewOutboxMessage => ({ id, channel: 'webhook', target, event: 'session.started', body: `{"id":"${id}"}` })

  it('[MS16] effects of updateSession, updateSchedule and saveArchive are stored with the change, computed from the changed row', async () => {
    const created = await store().createSession(newSession({ title: 'Outbox session' }))
    const started = await store().updateSession(created.id, { state: 'live' }, (session) => [delivery(`start-${session.id}-${session.state}`)])
    expect(started!.state).toBe('live')
    await store().updateSchedule(created.id, { room: 'Room 7' }, (session) => [delivery(`moved-${session.room}`)])
    const doc = { type: 'doc', content: [] }
    await store().saveArchive({ sessionId: created.id, doc, outcomes: { decisions: ['Yes'], actions: [] }, participants: [], chat: [], text: '' }, (archived) => [
      delivery(`ended-${archived.outcomes.decisions[0]}`),
    ])
    await store().enqueue([delivery('alone-1'), delivery('alone-2')])
    const listed = await store().listOutbox()
    expect(listed.map((message) => message.id)).toEqual(['alone-2', 'alone-1', 'ended-Yes', 'moved-Room 7', `start-${created.id}-live`])
    expect(listed[0]).toMatchObject({ status: 'pending', attempts: 0, lastStatusCode: null, lastError: null, deliveredAt: null, channel: 'webhook', target: 'ci' })
    expect(listed[0]!.createdAt).toMatch(isoTimestamp)
    expect(await store().updateSession('no-such-session', { locked: true }, () => [delivery('never')])).toBeNull()
    expect(await store().getOutbox('never')).toBeNull()
  })

  it('[MS16] saveArchive stores effects only for the first record of a session, not for a replacement', async () => {
    const created = await store().createSession(newSession())
    const record = { sessionId: created.id, doc: { type: 'doc', content: [] }, outcomes: { decisions: [], actions: [] }, participants: [], chat: [], text: '' }
    await store().saveArchive(record, () => [delivery('first-archive')])
    await store().saveArchive(record, () => [delivery('second-archive')])
    expect(await store().getOutbox('first-archive')).not.toBeNull()
    expect(await store().getOutbox('second-archive')).toBeNull()
  })

  it('[MS20] listUnarchived returns ended sessions without an archive record only', async () => {
    const ended = await store().createSession(newSession())
    const archived = await store().createSession(newSession())
    const live = await store().createSession(newSession())
    await store().updateSession(ended.id, { state: 'ended', endedAt: '2026-05-11T10:00:00.000Z' })
    await store().updateSession(archived.id, { state: 'ended', endedAt: '2026-05-11T10:00:00.000Z' })
    await store().updateSession(live.id, { state: 'live' })
    await store().saveArchive({ sessionId: archived.id, doc: { type: 'doc', content: [] }, outcomes: { decisions: [], actions: [] }, participants: [], chat: [], text: '' })
    expect((await store().listUnarchived()).map((session) => session.id)).toEqual([ended.id])
  })

  it('[MS16] a change whose effects cannot be stored is not made either', async () => {
    const created = await store().createSession(newSession())
    await store().enqueue([delivery('taken')])
    await expect(store().updateSession(created.id, { locked: true }, () => [delivery('taken')])).rejects.toThrow()
    expect((await store().getSession(created.id))!.locked).toBe(false)
    await expect(store().updateSchedule(created.id, { title: 'Renamed' }, () => [delivery('taken')])).rejects.toThrow()
    expect((await store().getSession(created.id))!.title).not.toBe('Renamed')
  })

  it('[MS17] claimOutbox leases due deliveries: a second claim skips them until the lease ends; concurrent claims are disjoint', async () => {
    await store().enqueue(Array.from({ length: 12 }, (_, i) => delivery(`c${i}`)))
    const now = Date.now() + 1000
    const [a, b, c] = await Promise.all([store().claimOutbox(5, 30_000, now), store().claimOutbox(5, 30_000, now), store().claimOutbox(5, 30_000, now)])
    const ids = [...a!, ...b!, ...c!].map((message) => message.id)
    expect(ids).toHaveLength(12)
    expect(new Set(ids).size).toBe(12)
    expect(await store().claimOutbox(5, 30_000, now + 29_999)).toEqual([])
    expect(await store().claimOutbox(20, 30_000, now + 30_000)).toHaveLength(12)
  })

  it('[MS18] settleOutbox records delivered, retry later and dead, one attempt each', async () => {
    await store().enqueue([delivery('ok'), delivery('later'), delivery('gone')])
    const now = Date.now() + 1000
    await store().claimOutbox(10, 60_000, now)
    await store().settleOutbox('ok', { delivered: true, statusCode: 204, at: now })
    await store().settleOutbox('later', { delivered: false, statusCode: 503, error: 'unavailable', at: now, retryAt: now + 5000 })
    await store().settleOutbox('gone', { delivered: false, statusCode: null, error: 'x'.repeat(2000), at: now, retryAt: null })
    expect(await store().getOutbox('ok')).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204, lastError: null, nextAttemptAt: null, deliveredAt: new Date(now).toISOString() })
    expect(await store().getOutbox('later')).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 503, lastError: 'unavailable', nextAttemptAt: new Date(now + 5000).toISOString() })
    const dead = await store().getOutbox('gone')
    expect(dead).toMatchObject({ status: 'dead', attempts: 1, lastStatusCode: null })
    expect(dead!.lastError!.length).toBeLessThanOrEqual(500)
    // The retry is due at its time only, lease or not.
    expect(await store().claimOutbox(10, 60_000, now + 4999)).toEqual([])
    expect((await store().claimOutbox(10, 60_000, now + 5000)).map((message) => message.id)).toEqual(['later'])
  })

  it('[MS19] listOutbox pages newest first; resendOutbox makes a settled delivery pending with a fresh window; deliveries outlive their session', async () => {
    const created = await store().createSession(newSession())
    await store().updateSession(created.id, { state: 'live' }, () => [delivery('p1'), delivery('p2'), delivery('p3')])
    expect((await store().listOutbox({ limit: 2 })).map((message) => message.id)).toEqual(['p3', 'p2'])
    expect((await store().listOutbox({ before: 'p2' })).map((message) => message.id)).toEqual(['p1'])
    const now = Date.now() + 1000
    await store().claimOutbox(10, 60_000, now)
    await store().settleOutbox('p1', { delivered: false, statusCode: 500, error: 'boom', at: now, retryAt: null })
    const resent = await store().resendOutbox('p1', now + 10)
    expect(resent).toMatchObject({ status: 'pending', attempts: 1, resentAt: new Date(now + 10).toISOString(), nextAttemptAt: new Date(now + 10).toISOString() })
    expect((await store().claimOutbox(10, 60_000, now + 10)).map((message) => message.id)).toEqual(['p1'])
    expect(await store().resendOutbox('nope', now)).toBeNull()
    await store().deleteSession(created.id)
    expect(await store().getOutbox('p2')).not.toBeNull()
  })
}
