/**
 * The MetaStore contract: the rules [MS1]… from the doc comment in `server/storage/meta-store.ts`,
 * each test named by its rule ID. Every MetaStore implementation registers this suite with a
 * factory for a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MetaStore, NewSession } from '../../../server/storage/meta-store.ts'
import { snippetEnd, snippetStart } from '../../../shared/api.ts'
import { AppError } from '../../../shared/errors.ts'
import { registerOutboxRules } from './meta-store-outbox.contract.ts'

export interface MetaStoreFixture {
  store: MetaStore
  /** Closes everything the fixture opened and removes its data. */
  cleanup(): Promise<void>
}

let counter = 0
/** A NewSession with a unique id; `overrides` replace any field. */
function newSession(overrides: Partial<NewSession> = {}): NewSession {
  counter++
  const defaults: NewSession = {
    id: `s${counter}-${Math.random().toString(36).slice(2, 8)}`,
    title: `Session ${counter}`,
    track: 'nova',
    room: 'Room 101',
    moderator: 'Ada',
    scheduledStart: null,
    durationMinutes: 40,
    access: 'open',
    moderatorKeyHash: `moderator-hash-${counter}`,
    editorKeyHash: `editor-hash-${counter}`,
  }
  return { ...defaults, ...overrides }
}

/** The fields of `input` a Session shows (capability hashes never appear in one [MS4]). */
function sessionFields({ moderatorKeyHash: _m, editorKeyHash: _e, ...fields }: NewSession) {
  return fields
}

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

export function registerMetaStoreContract(name: string, factory: () => Promise<MetaStoreFixture>): void {
  describe(`MetaStore contract: ${name}`, () => {
    let fixture: MetaStoreFixture
    let store: MetaStore
    beforeEach(async () => {
      fixture = await factory()
      store = fixture.store
    })
    afterEach(async () => {
      await fixture.cleanup()
    })

    it('[MS1] createSession stores a new session and returns it as stored', async () => {
      const input = newSession({ scheduledStart: '2025-10-21T14:00:00.000Z', durationMinutes: 55, access: 'key' })
      const created = await store.createSession(input)
      expect(created).toMatchObject({ ...sessionFields(input), state: 'scheduled', locked: false })
      expect(created.createdAt).toMatch(isoTimestamp)
      expect(created.updatedAt).toBe(created.createdAt)
      expect(await store.getSession(input.id)).toEqual(created)
    })

    it('[MS1] createSession with a taken id throws AppError conflict and keeps the first session', async () => {
      const first = await store.createSession(newSession({ id: 'taken-id', title: 'First' }))
      const attempt = store.createSession(newSession({ id: 'taken-id', title: 'Second' }))
      await expect(attempt).rejects.toBeInstanceOf(AppError)
      await expect(attempt).rejects.toMatchObject({ code: 'conflict' })
      expect(await store.getSession('taken-id')).toEqual(first)
    })

    it('[MS2] getSession returns the stored session, or null for an unknown id', async () => {
      const created = await store.createSession(newSession({ track: '', room: '', moderator: '' }))
      expect(await store.getSession(created.id)).toEqual(created)
      expect(await store.getSession('no-such-session')).toBeNull()
    })

    it('[MS3] listSessions orders by scheduled start, unscheduled last, then by title', async () => {
      const specs: [string, string | null][] = [
        ['Zeta late', '2025-10-22T09:00:00.000Z'],
        ['Unscheduled B', null],
        ['Beta early', '2025-10-21T09:00:00.000Z'],
        ['Alpha early', '2025-10-21T09:00:00.000Z'],
        ['Unscheduled A', null],
        ['Gamma middle', '2025-10-21T13:30:00.000Z'],
      ]
      for (const [title, scheduledStart] of specs) await store.createSession(newSession({ title, scheduledStart }))
      const titles = (await store.listSessions()).map((session) => session.title)
      expect(titles).toEqual(['Alpha early', 'Beta early', 'Gamma middle', 'Zeta late', 'Unscheduled A', 'Unscheduled B'])
    })

    it('[MS3] listSessions filters by track and by state', async () => {
      await store.createSession(newSession({ title: 'Nova one', track: 'nova' }))
      await store.createSession(newSession({ title: 'Nova two', track: 'nova' }))
      const swift = await store.createSession(newSession({ title: 'Swift one', track: 'swift' }))
      expect((await store.listSessions({ track: 'nova' })).map((s) => s.title)).toEqual(['Nova one', 'Nova two'])
      expect((await store.listSessions({ track: 'swift' })).map((s) => s.title)).toEqual(['Swift one'])
      expect(await store.listSessions({ track: 'none' })).toEqual([])
      expect(await store.listSessions({ state: 'live' })).toEqual([])
      expect(await store.listSessions({ state: 'scheduled', track: 'swift' })).toHaveLength(1)
      await store.updateSession(swift.id, { state: 'live' })
      expect((await store.listSessions({ state: 'live' })).map((s) => s.title)).toEqual(['Swift one'])
      expect(await store.listSessions({ state: 'scheduled', track: 'swift' })).toEqual([])
      expect(await store.listSessions({})).toHaveLength(3)
    })

    it('[MS4] getCapabilities returns the access mode and key hashes given at creation, and no Session shows them', async () => {
      const input = newSession({ access: 'key', moderatorKeyHash: 'm-hash', editorKeyHash: 'e-hash' })
      await store.createSession(input)
      expect(await store.getCapabilities(input.id)).toEqual({ access: 'key', moderatorKeyHash: 'm-hash', editorKeyHash: 'e-hash' })
      expect(await store.getCapabilities('no-such-session')).toBeNull()
      const shown = JSON.stringify([await store.getSession(input.id), await store.listSessions()])
      expect(shown).not.toContain('m-hash')
      expect(shown).not.toContain('e-hash')
    })

    it('[MS5] updateSession changes only the given live fields and bumps updatedAt', async () => {
      const created = await store.createSession(newSession())
      // A later clock tick than createdAt, so the bump is visible.
      await new Promise((resolve) => setTimeout(resolve, 5))
      const patch = { state: 'live', startedAt: '2025-10-21T14:00:00.000Z', endsAt: '2025-10-21T14:40:00.000Z', locked: true } as const
      const updated = await store.updateSession(created.id, patch)
      expect(updated).toEqual({ ...created, ...patch, updatedAt: updated!.updatedAt })
      expect(updated!.updatedAt > created.updatedAt).toBe(true)
      expect(await store.getSession(created.id)).toEqual(updated)

      const again = await store.updateSession(created.id, { currentItem: 'item-2' })
      expect(again).toMatchObject({ ...patch, currentItem: 'item-2', endedAt: null })
    })

    it('[MS5] updateSession of an unknown id returns null', async () => {
      expect(await store.updateSession('no-such-session', { locked: true })).toBeNull()
    })

    it('[MS5] a new session has projectorChat off; updateSession turns it on and off', async () => {
      const created = await store.createSession(newSession())
      expect(created.projectorChat).toBe(false)
      expect(await store.updateSession(created.id, { projectorChat: true })).toMatchObject({ projectorChat: true, locked: false })
      expect((await store.getSession(created.id))!.projectorChat).toBe(true)
      expect(await store.updateSession(created.id, { projectorChat: false })).toMatchObject({ projectorChat: false })
    })

    it('[MS6] saveArchive stores the record with its chat, getArchive returns it, a second save replaces it', async () => {
      const created = await store.createSession(newSession({ title: 'Archived session' }))
      const doc = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'final words' }] }] }
      const outcomes = { decisions: ['Ship it'], actions: [] }
      const chat = [
        { id: 'm1', authorId: 'a-1', name: 'Ada', color: '#1565c0', text: 'see https://example.org', time: 1_760_000_000_000 },
        { id: 'm2', authorId: 'a-2', name: 'Grace', color: '#c62828', text: '<b>not markup</b>', time: 1_760_000_060_000 },
      ]
      await store.saveArchive({ sessionId: created.id, doc, outcomes, participants: ['Ada', 'Grace'], chat, text: 'final words' })
      const archived = await store.getArchive(created.id)
      expect(archived).toMatchObject({ session: { id: created.id, title: 'Archived session' }, doc, outcomes, participants: ['Ada', 'Grace'], chat })
      expect(archived!.archivedAt).toMatch(isoTimestamp)
      const summary = (await store.listArchives()).find((entry) => entry.session.id === created.id)
      expect(summary).toMatchObject({ outcomes, participants: ['Ada', 'Grace'] })
      expect(summary).not.toHaveProperty('chat')
      expect(await store.getArchive('no-such-session')).toBeNull()
      expect(JSON.parse((await store.getArchiveDocJson(created.id))!)).toEqual(doc)
      expect(await store.getArchiveDocJson('no-such-session')).toBeNull()

      const replaced = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'last words' }] }] }
      await store.saveArchive({ sessionId: created.id, doc: replaced, outcomes, participants: [], chat: [], text: 'last words' })
      expect((await store.getArchive(created.id))!.chat).toEqual([])
      expect(JSON.parse((await store.getArchiveDocJson(created.id))!)).toEqual(replaced)
    })

    it('[MS6] listArchivePage lists every record once, in index order, a page at a time', async () => {
      const emptyOutcomes = { decisions: [], actions: [] }
      const ids: string[] = []
      // Two tracks, starts out of creation order, two sessions at one start told apart by title.
      const plan: [string, string | null, string][] = [
        ['neutron', '2025-05-02T10:00:00.000Z', 'B'],
        ['nova', '2025-05-01T09:00:00.000Z', 'Z'],
        ['neutron', '2025-05-01T10:00:00.000Z', 'A'],
        ['nova', '2025-05-01T09:00:00.000Z', 'M'],
        ['neutron', '2025-05-02T10:00:00.000Z', 'A'],
      ]
      for (const [track, scheduledStart, title] of plan) {
        const created = await store.createSession(newSession({ track, scheduledStart, title }))
        await store.saveArchive({ sessionId: created.id, doc: { type: 'doc' }, outcomes: emptyOutcomes, participants: ['Ada'], chat: [], text: title })
        ids.push(created.id)
      }
      await store.createSession(newSession({ track: 'neutron', title: 'not archived' }))
      const expected = [ids[2], ids[4], ids[0], ids[3], ids[1]]
      const whole = await store.listArchivePage(null, 10)
      expect(whole.sessions.map((summary) => summary.session.id)).toEqual(expected)
      expect(whole.next).toBeNull()
      expect(whole.sessions[0]).toMatchObject({ outcomes: emptyOutcomes, participants: ['Ada'] })
      expect(whole.sessions[0]).not.toHaveProperty('doc')

      const seen: string[] = []
      let after = null
      for (let pages = 0; pages < 10; pages++) {
        const page: Awaited<ReturnType<MetaStore['listArchivePage']>> = await store.listArchivePage(after, 2)
        expect(page.sessions.length).toBeLessThanOrEqual(2)
        seen.push(...page.sessions.map((summary) => summary.session.id))
        after = page.next
        if (!after) break
      }
      expect(seen).toEqual(expected)
      expect((await store.listArchives()).map((summary) => summary.session.id)).toEqual(expected)
    })

    it('[MS6] [MS7] a replaced archive is found by its new text only, a deleted one not at all, others untouched', async () => {
      const emptyOutcomes = { decisions: [], actions: [] }
      const first = await store.createSession(newSession({ title: 'One' }))
      const second = await store.createSession(newSession({ title: 'Two' }))
      await store.saveArchive({ sessionId: first.id, doc: { type: 'doc' }, outcomes: emptyOutcomes, participants: [], chat: [], text: 'quokkas everywhere' })
      await store.saveArchive({ sessionId: second.id, doc: { type: 'doc' }, outcomes: emptyOutcomes, participants: [], chat: [], text: 'quokkas and wombats' })
      await store.saveArchive({ sessionId: first.id, doc: { type: 'doc' }, outcomes: emptyOutcomes, participants: [], chat: [], text: 'wombats now' })
      expect((await store.searchArchive('quokkas')).map((hit) => hit.session.id)).toEqual([second.id])
      expect((await store.searchArchive('wombats')).map((hit) => hit.session.id).sort()).toEqual([first.id, second.id].sort())
      await store.deleteSession(second.id)
      expect((await store.searchArchive('wombats')).map((hit) => hit.session.id)).toEqual([first.id])
      expect(await store.searchArchive('quokkas')).toEqual([])
    })

    it('[MS7] searchArchive finds every word (last one as a prefix), best first, with a marked snippet, never a live session', async () => {
      const emptyOutcomes = { decisions: [], actions: [] }
      const archive = async (title: string, text: string) => {
        const created = await store.createSession(newSession({ title }))
        await store.saveArchive({ sessionId: created.id, doc: { type: 'doc' }, outcomes: emptyOutcomes, participants: [], chat: [], text })
        return created
      }
      const inTitle = await archive('Zanzibarite migration', 'We talked about storage and the plan.')
      const inBody = await archive('Storage review', 'The zanzibarite migration needs a plan for rollback.')
      await archive('Unrelated', 'Nothing to see here at all.')
      await store.createSession(newSession({ title: 'Live zanzibarite session' }))

      const hits = await store.searchArchive('zanzibarite')
      expect(hits.map((hit) => hit.session.id)).toEqual([inTitle.id, inBody.id])
      expect(hits[1]!.snippet).toContain(`${snippetStart}zanzibarite${snippetEnd}`)
      expect((await store.searchArchive('zanzib')).map((hit) => hit.session.id).sort()).toEqual([inTitle.id, inBody.id].sort())
      expect((await store.searchArchive('rollback zanzib')).map((hit) => hit.session.id)).toEqual([inBody.id])
      expect(await store.searchArchive('rollback quixotry')).toEqual([])
      for (const hostile of ['"', "'", 'a & b', 'x | y', '!z', '(', ')', ':*', 'NEAR(a b)', '*', '', '   ', 'zan:*&!|', '\\', 'ünïcödé', '日本語']) {
        await expect(store.searchArchive(hostile), hostile).resolves.toBeInstanceOf(Array)
      }
    })

    it('[MS8] addParticipants records each person once, in the order first seen, under their last name', async () => {
      const created = await store.createSession(newSession())
      const person = (id: string, name: string) => ({ person: `id:${id}`, name })
      await store.addParticipants(created.id, [person('a', 'Ada'), person('g', 'Grace')])
      await store.addParticipants(created.id, [person('g', 'Grace'), person('l', 'Linus'), person('a', 'Ada')])
      expect(await store.listParticipants(created.id)).toEqual(['Ada', 'Grace', 'Linus'])
      // Renamed: same place, new name; two people of one name are two participants.
      await store.addParticipants(created.id, [person('a', 'Ada L.'), person('x', 'Grace'), person('a', 'Ada Lovelace')])
      expect(await store.listParticipants(created.id)).toEqual(['Ada Lovelace', 'Grace', 'Linus', 'Grace'])
    })

    it('[MS9] deleteSession removes the session, its participants and its archive', async () => {
      const created = await store.createSession(newSession())
      await store.addParticipants(created.id, [{ person: 'id:a', name: 'Ada' }])
      await store.saveArchive({ sessionId: created.id, doc: { type: 'doc' }, outcomes: { decisions: [], actions: [] }, participants: ['Ada'], chat: [], text: 'gone soon' })
      expect(await store.deleteSession(created.id)).toBe(true)
      expect(await store.getSession(created.id)).toBeNull()
      expect(await store.getArchive(created.id)).toBeNull()
      expect(await store.listParticipants(created.id)).toEqual([])
      expect(await store.searchArchive('gone')).toEqual([])
      expect(await store.deleteSession(created.id)).toBe(false)
    })

    it('[MS10] updateSchedule changes only the schedule fields given, bumps updatedAt, and returns null for an unknown id', async () => {
      const created = await store.createSession(newSession({ title: 'Before', room: 'Room 1', scheduledStart: '2026-11-24T14:00:00.000Z' }))
      await new Promise((resolve) => setTimeout(resolve, 5))
      const updated = await store.updateSchedule(created.id, { room: 'Hall B', scheduledStart: '2026-11-24T15:00:00.000Z', durationMinutes: 55 })
      expect(updated).toMatchObject({ title: 'Before', room: 'Hall B', scheduledStart: '2026-11-24T15:00:00.000Z', durationMinutes: 55, state: 'scheduled' })
      expect(updated!.updatedAt > created.updatedAt).toBe(true)
      expect(await store.getSession(created.id)).toEqual(updated)
      expect(await store.updateSchedule('no-such-session', { room: 'x' })).toBeNull()
    })

    it('[MS11] findImported matches on the event and key given at creation only, and a taken pair is a conflict', async () => {
      const imported = await store.createSession(newSession({ importRef: { event: 'summit', key: 'nova-roadmap' } }))
      const other = await store.createSession(newSession({ importRef: { event: 'other', key: 'nova-roadmap' } }))
      const plain = await store.createSession(newSession({ id: 'summit-nova-plain' }))
      expect((await store.findImported('summit', 'nova-roadmap'))?.id).toBe(imported.id)
      expect((await store.findImported('other', 'nova-roadmap'))?.id).toBe(other.id)
      expect(await store.findImported('summit', 'nova-plain')).toBeNull()
      expect(await store.findImported('summit', plain.id)).toBeNull()
      expect(await store.findImported('', '')).toBeNull()
      await expect(store.createSession(newSession({ importRef: { event: 'summit', key: 'nova-roadmap' } }))).rejects.toMatchObject({ code: 'conflict' })
    })

    it('[MS12] appendAudit records entries with increasing ids; listAudit gives them newest first, limited and paged', async () => {
      const actor = { kind: 'token' as const, id: 'ada', name: 'Ada' }
      const first = await store.appendAudit({ actor, action: 'schedule.import', target: 'Summit', details: { created: 3 } })
      const second = await store.appendAudit({ actor: { kind: 'oidc', id: 'sub-1', name: 'Grace' }, action: 'session.delete', target: 'abc', details: null })
      const third = await store.appendAudit({ actor, action: 'archive.export', target: null, details: null })
      expect(first.at).toMatch(isoTimestamp)
      expect(second.id).toBeGreaterThan(first.id)
      expect(third.id).toBeGreaterThan(second.id)
      const all = await store.listAudit()
      expect(all).toEqual([third, second, first])
      expect(all[2]).toMatchObject({ actor, action: 'schedule.import', target: 'Summit', details: { created: 3 } })
      expect(await store.listAudit({ limit: 1 })).toEqual([third])
      expect(await store.listAudit({ before: third.id, limit: 5 })).toEqual([second, first])
    })

    it('[MS13] a sign-in is found by its token hash until it expires, and deleteSignIn ends it', async () => {
      const identity = { kind: 'token' as const, id: 'ada', name: 'Ada' }
      const later = new Date(Date.now() + 60_000).toISOString()
      await store.createSignIn('a'.repeat(64), identity, later)
      await store.createSignIn('b'.repeat(64), identity, new Date(Date.now() - 1000).toISOString())
      expect(await store.getSignIn('a'.repeat(64))).toEqual(identity)
      expect(await store.getSignIn('b'.repeat(64))).toBeNull()
      expect(await store.getSignIn('c'.repeat(64))).toBeNull()
      await store.deleteSignIn('a'.repeat(64))
      expect(await store.getSignIn('a'.repeat(64))).toBeNull()
      await store.deleteSignIn('a'.repeat(64))
    })

    it('[MS14] a join code is held by one session at a time, found by exact code, and gone once set to null', async () => {
      const first = await store.createSession(newSession())
      const second = await store.createSession(newSession())
      expect(first.joinCode).toBeNull()
      const live = await store.updateSession(first.id, { state: 'live', joinCode: 'K7MP' })
      expect(live!.joinCode).toBe('K7MP')
      expect((await store.findByJoinCode('K7MP'))!.id).toBe(first.id)
      expect(await store.findByJoinCode('k7mp')).toBeNull()
      await expect(store.updateSession(second.id, { joinCode: 'K7MP' })).rejects.toMatchObject({ code: 'conflict' })
      expect((await store.getSession(second.id))!.joinCode).toBeNull()
      await store.updateSession(first.id, { state: 'ended', joinCode: null })
      expect(await store.findByJoinCode('K7MP')).toBeNull()
      // Freed, the code may go to another session.
      expect((await store.updateSession(second.id, { joinCode: 'K7MP' }))!.joinCode).toBe('K7MP')
    })

    it('[MS15] the event time zone is null until set, then the last value set; a session keeps its own zone', async () => {
      expect(await store.getEventTimeZone()).toBeNull()
      await store.setEventTimeZone('Asia/Hong_Kong')
      await store.setEventTimeZone('Europe/Berlin')
      expect(await store.getEventTimeZone()).toBe('Europe/Berlin')
      const zoned = await store.createSession(newSession({ timeZone: 'Asia/Hong_Kong' }))
      expect(zoned.timeZone).toBe('Asia/Hong_Kong')
      expect((await store.createSession(newSession())).timeZone).toBeNull()
      expect((await store.updateSchedule(zoned.id, { timeZone: 'America/Los_Angeles' }))!.timeZone).toBe('America/Los_Angeles')
    })

    registerOutboxRules({ store: () => store, newSession })

    it('[MS21] setFollows links a session to the one it continues; the links are listed both ways and go with a deleted session', async () => {
      const earlier = await store.createSession(newSession({ scheduledStart: '2026-11-24T09:00:00.000Z' }))
      const late = await store.createSession(newSession({ scheduledStart: '2026-11-25T09:00:00.000Z' }))
      const soon = await store.createSession(newSession({ scheduledStart: '2026-11-24T14:00:00.000Z' }))
      const other = await store.createSession(newSession())
      expect(await store.getFollows(late.id)).toBeNull()
      await store.setFollows(late.id, earlier.id)
      await store.setFollows(soon.id, other.id)
      await store.setFollows(soon.id, earlier.id)
      expect(await store.getFollows(late.id)).toBe(earlier.id)
      expect(await store.getFollows(soon.id)).toBe(earlier.id)
      expect(await store.listFollowUps(earlier.id)).toEqual([soon.id, late.id])
      expect(await store.listFollowUps(other.id)).toEqual([])
      const links = await store.listFollowLinks()
      expect(links).toContainEqual({ sessionId: late.id, earlierId: earlier.id })
      expect(links).toContainEqual({ sessionId: soon.id, earlierId: earlier.id })
      await store.setFollows(late.id, null)
      expect(await store.getFollows(late.id)).toBeNull()
      expect(await store.deleteSession(earlier.id)).toBe(true)
      expect(await store.getFollows(soon.id)).toBeNull()
      expect(await store.listFollowUps(earlier.id)).toEqual([])
    })

    it('[MS22] a person has the sessions they took part in and the ones they listened to, once per kind', async () => {
      const person = `u-${Math.random().toString(36).slice(2)}`
      const first = await store.createSession(newSession())
      const second = await store.createSession(newSession())
      await store.recordPeople(first.id, [{ personId: person, name: 'Ada' }, { personId: `${person}-b`, name: 'Grace' }])
      await store.recordPeople(first.id, [{ personId: person, name: 'Ada L.' }])
      await store.addListened(person, second.id)
      await store.addListened(person, second.id)
      await store.addListened(person, first.id)
      const sessions = await store.listPersonSessions(person)
      expect(sessions).toHaveLength(3)
      expect(sessions).toContainEqual({ sessionId: first.id, kind: 'took-part', name: 'Ada L.' })
      expect(sessions).toContainEqual({ sessionId: second.id, kind: 'listened', name: '' })
      expect(sessions).toContainEqual({ sessionId: first.id, kind: 'listened', name: '' })
      expect(await store.removeListened(person, second.id)).toBe(true)
      expect(await store.removeListened(person, second.id)).toBe(false)
      expect(await store.listPersonSessions(person)).not.toContainEqual(expect.objectContaining({ sessionId: second.id }))
      await store.deleteSession(first.id)
      expect(await store.listPersonSessions(person)).toEqual([])
      expect(await store.listPersonSessions(`${person}-b`)).toEqual([])
    })

    it('[MS23] personKeyState tells a stored key from another and from a person without keys', async () => {
      const person = `u-${Math.random().toString(36).slice(2)}`
      expect(await store.personKeyState(person, 'k1')).toBe('unknown')
      await store.addPersonKey(person, 'k1')
      await store.addPersonKey(person, 'k1')
      await store.addPersonKey(person, 'k2')
      expect(await store.personKeyState(person, 'k1')).toBe('match')
      expect(await store.personKeyState(person, 'k2')).toBe('match')
      expect(await store.personKeyState(person, 'k3')).toBe('mismatch')
    })

    it('[MS24] a transfer is taken once, never after it expired, and counted while it lasts', async () => {
      const person = `u-${Math.random().toString(36).slice(2)}`
      const transfer = { personId: person, name: 'Ada', color: '#1565c0' }
      const hash = (c: string) => `${person}-${c}`.padEnd(64, c)
      await store.createTransfer(hash('a'), transfer, new Date(Date.now() + 60_000).toISOString())
      await store.createTransfer(hash('b'), transfer, new Date(Date.now() + 60_000).toISOString())
      await store.createTransfer(hash('c'), transfer, new Date(Date.now() - 1000).toISOString())
      expect(await store.countTransfers(person)).toBe(2)
      expect(await store.takeTransfer(hash('a'))).toEqual(transfer)
      expect(await store.takeTransfer(hash('a'))).toBeNull()
      expect(await store.takeTransfer(hash('c'))).toBeNull()
      expect(await store.takeTransfer(hash('d'))).toBeNull()
      expect(await store.countTransfers(person)).toBe(1)
    })

    it('[MS25] saveArchive keeps action rows: owners counted by their last item, pages latest first, rows replaced and deleted with the record', async () => {
      const action = (text: string, owner: string | null, done = false, from?: { sessionId: string; index: number }) => ({ text, owner, due: null, done, source: 'task' as const, ...(from ? { from } : {}) })
      const archived = async (title: string, endedAt: string, actions: ReturnType<typeof action>[]) => {
        const created = await store.createSession(newSession({ title, track: 'Ops' }))
        await store.updateSession(created.id, { state: 'ended', endedAt })
        await store.saveArchive({ sessionId: created.id, doc: { type: 'doc' }, outcomes: { decisions: [], actions }, participants: [], chat: [], text: title })
        return created.id
      }
      const owner = `zoe${Math.random().toString(36).slice(2, 8)}`
      const first = await archived('First', '2026-01-01T10:00:00.000Z', [action(`@${owner} writes the plan`, owner), action('nobody owns this', null, true), action(`@${owner} books rooms`, owner, true)])
      // The follow-up carries the plan on (now done); the rooms item stays where it was.
      const second = await archived('Second', '2026-02-01T10:00:00.000Z', [action(`@${owner} writes the plan`, owner, true, { sessionId: first, index: 0 }), action(`@${owner} reviews`, owner)])
      const third = await archived('Third', '2026-02-01T10:00:00.000Z', [action(`@${owner} ships`, owner)])

      const counts = async () => (await store.listActionOwners()).find((entry) => entry.owner === owner)
      expect(await counts()).toEqual({ owner, total: 4, open: 2 })
      const owners = await store.listActionOwners()
      expect(owners.at(-1)?.owner).toBeNull()

      // Latest session first (same end: session id descending), items in their order; two at a time.
      const seen: string[] = []
      let after = null
      for (let pages = 0; pages < 5; pages++) {
        const page = await store.listOwnerActions(owner, after, 2)
        expect(page.actions.length).toBeLessThanOrEqual(2)
        seen.push(...page.actions.map((item) => `${item.session.title}:${item.index}`))
        after = page.next
        if (!after) break
      }
      const sameEnd = [second, third].sort().reverse()
      expect(seen).toEqual([...sameEnd.flatMap((id) => (id === second ? ['Second:0', 'Second:1'] : ['Third:0'])), 'First:2'])
      const [plan] = (await store.listOwnerActions(owner, null, 10)).actions.filter((item) => item.sessionId === second && item.index === 0)
      expect(plan).toMatchObject({ text: `@${owner} writes the plan`, owner, done: true, source: 'task', from: { sessionId: first, index: 0 }, session: { id: second, title: 'Second', track: 'Ops' }, endedAt: '2026-02-01T10:00:00.000Z' })
      expect((await store.listOwnerActions(null, null, 50)).actions.map((item) => item.text)).toContain('nobody owns this')
      const fetched = await store.getArchivedActions([{ sessionId: first, index: 0 }, { sessionId: first, index: 9 }, { sessionId: 'no-such-session', index: 0 }])
      expect(fetched.map((item) => [item.sessionId, item.index, item.done])).toEqual([[first, 0, false]])

      // Replaced without the carried item: the first session's plan is a last item again.
      await store.saveArchive({ sessionId: second, doc: { type: 'doc' }, outcomes: { decisions: [], actions: [action(`@${owner} reviews`, owner)] }, participants: [], chat: [], text: 'Second' })
      expect(await counts()).toEqual({ owner, total: 4, open: 3 })
      await store.deleteSession(third)
      expect(await counts()).toEqual({ owner, total: 3, open: 2 })
      expect(await store.getArchivedActions([{ sessionId: third, index: 0 }])).toEqual([])
    })
  })
}
