/**
 * Issue 21: a decade's archive is read a page at a time. The zip of everything walks the archive
 * index in pages (200 sessions each) and still holds every session once, in index order; the
 * index API pages with a cursor and refuses one it did not give out.
 */
import { strFromU8, unzipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import { writeArchiveZip } from '../../server/archive/archive-zip.ts'
import type { MetaStore } from '../../server/storage/meta-store.ts'
import { openSqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts'
import { closeHeavyWork } from '../../server/workers/heavy-work.ts'
import type { ArchiveSummary } from '../../shared/api.ts'
import { startServerProcess } from '../helpers/start-server.ts'

afterAll(() => closeHeavyWork())

async function archiveMany(meta: MetaStore, count: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const id = `paged-${String(i).padStart(4, '0')}`
    await meta.createSession({ id, title: `Session ${String(i).padStart(4, '0')}`, track: i % 2 ? 'nova' : 'neutron', room: '', moderator: '', scheduledStart: null, durationMinutes: 40, access: 'open', moderatorKeyHash: 'm', editorKeyHash: 'e' })
    const doc = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: `notes of ${id}` }] }] }
    await meta.saveArchive({ sessionId: id, doc, outcomes: { decisions: [], actions: [] }, participants: [], chat: [], text: `notes of ${id}` })
    ids.push(id)
  }
  return ids
}

describe('the archive in pages', () => {
  it('zips every session once, over more than one page of the index', async () => {
    const storage = openSqliteStorage(':memory:')
    try {
      const ids = await archiveMany(storage.meta, 205)
      const chunks: Uint8Array[] = []
      await writeArchiveZip(storage.meta, async (chunk) => {
        chunks.push(chunk)
      })
      const files = unzipSync(Buffer.concat(chunks))
      const sessions = Object.keys(files).filter((name) => name.startsWith('sessions/'))
      expect(sessions).toHaveLength(205)
      for (const id of ids) expect(sessions.filter((name) => name.endsWith(`-${id}.md`)), id).toHaveLength(1)
      const index = strFromU8(files['index.md']!)
      expect(index).toContain('205 archived sessions.')
      // Index order: the neutron track first, each track's sessions by title.
      const listed = [...index.matchAll(/-(paged-\d{4})\.md/g)].map((match) => match[1])
      expect(listed).toEqual([...ids.filter((_, i) => i % 2 === 0), ...ids.filter((_, i) => i % 2 === 1)])
    } finally {
      await storage.close()
    }
  }, 60_000)

  it('GET /api/archive/actions lists owners with counts, pages an owner\'s items with a cursor, and refuses bad input', async () => {
    const server = await startServerProcess()
    try {
      const storage = openSqliteStorage(server.dataDir)
      for (let i = 0; i < 4; i++) {
        const id = `owned-${i}`
        await storage.meta.createSession({ id, title: `Owned ${i}`, track: 'Ops', room: '', moderator: '', scheduledStart: null, durationMinutes: 40, access: 'open', moderatorKeyHash: 'm', editorKeyHash: 'e' })
        await storage.meta.updateSession(id, { state: 'ended', endedAt: `2026-0${i + 1}-01T10:00:00.000Z` })
        const actions = [
          { text: `@kim item ${i}a`, owner: 'kim', due: null, done: i === 0, source: 'task' as const },
          { text: `@kim item ${i}b`, owner: 'kim', due: null, done: false, source: 'task' as const },
          { text: `unowned ${i}`, owner: null, due: null, done: false, source: 'task' as const },
        ]
        await storage.meta.saveArchive({ sessionId: id, doc: { type: 'doc' }, outcomes: { decisions: [], actions }, participants: [], chat: [], text: id })
      }
      await storage.close()

      const owners = (await (await fetch(`${server.url}/api/archive/actions`)).json()) as { owners: { owner: string | null; total: number; open: number }[] }
      expect(owners.owners).toEqual([
        { owner: 'kim', total: 8, open: 7 },
        { owner: null, total: 4, open: 4 },
      ])
      const seen: string[] = []
      let after: string | null = null
      for (let pages = 0; pages < 10; pages++) {
        const res = await fetch(`${server.url}/api/archive/actions?owner=%40kim&limit=3${after ? `&after=${encodeURIComponent(after)}` : ''}`)
        expect(res.status).toBe(200)
        const body = (await res.json()) as { owner: string; actions: { text: string; chain: { id: string }[] }[]; next: string | null }
        expect(body.owner).toBe('kim')
        expect(body.actions.length).toBeLessThanOrEqual(3)
        seen.push(...body.actions.map((action) => action.text))
        after = body.next
        if (!after) break
      }
      // Latest session first, each session's items in their order.
      expect(seen).toEqual(['3a', '3b', '2a', '2b', '1a', '1b', '0a', '0b'].map((item) => `@kim item ${item}`))
      const unowned = (await (await fetch(`${server.url}/api/archive/actions?owner=`)).json()) as { owner: null; actions: unknown[] }
      expect(unowned).toMatchObject({ owner: null, next: null })
      expect(unowned.actions).toHaveLength(4)
      for (const bad of ['limit=5', 'owner=kim&limit=0', 'owner=kim&limit=201', 'owner=kim&after=nonsense', 'owner=kim&bogus=1', `owner=${'x'.repeat(201)}`]) {
        expect((await fetch(`${server.url}/api/archive/actions?${bad}`)).status, bad).toBe(400)
      }
    } finally {
      await server.dispose()
    }
  }, 60_000)

  it('GET /api/archive pages with a cursor and refuses a cursor it did not give out', async () => {
    const server = await startServerProcess()
    try {
      const storage = openSqliteStorage(server.dataDir)
      const ids = await archiveMany(storage.meta, 5)
      await storage.close()
      const seen: string[] = []
      let after: string | null = null
      for (let pages = 0; pages < 10; pages++) {
        const res = await fetch(`${server.url}/api/archive?limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`)
        expect(res.status).toBe(200)
        const body = (await res.json()) as { sessions: ArchiveSummary[]; next: string | null }
        expect(body.sessions.length).toBeLessThanOrEqual(2)
        seen.push(...body.sessions.map((summary) => summary.session.id))
        after = body.next
        if (!after) break
      }
      expect(seen.sort()).toEqual(ids.sort())
      const whole = (await (await fetch(`${server.url}/api/archive`)).json()) as { sessions: ArchiveSummary[]; next: string | null }
      expect(whole.sessions).toHaveLength(5)
      expect(whole.next).toBeNull()
      for (const bad of ['limit=0', 'limit=5000', 'after=nonsense', `after=${Buffer.from('[1,2]').toString('base64url')}`]) {
        expect((await fetch(`${server.url}/api/archive?${bad}`)).status, bad).toBe(400)
      }
    } finally {
      await server.dispose()
    }
  }, 60_000)
})
