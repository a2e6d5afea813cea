/**
 * Issue 15 part 2: archive search stays bounded on pads full of matches, on both stores. FTS5
 * `snippet()` took 82 s for one 400 KB pad of "plan plan …"; the stores now rank and limit first
 * and build the snippet from a bounded window around the first match.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { snippetEnd, snippetStart } from '../../../shared/api.ts'
import { maxSnippetChars } from '../../../server/archive/snippet.ts'
import type { MetaStore } from '../../../server/storage/meta-store.ts'
import { searchCandidates } from '../../../server/storage/pg/pg-meta-store.ts'
import { openPgStorage } from '../../../server/storage/pg/pg-storage.ts'
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts'
import { planText } from '../../helpers/attacks.ts'

const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup()
})

const stores: [string, () => Promise<MetaStore>][] = [
  [
    'SqliteMetaStore (search in a worker)',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-search-'))
      const storage = openSqliteStorage(dir)
      cleanups.push(async () => {
        await storage.close()
        fs.rmSync(dir, { recursive: true, force: true })
      })
      return storage.meta
    },
  ],
  [
    'PgMetaStore',
    async () => {
      const schema = `t_${randomBytes(6).toString('hex')}`
      const storage = await openPgStorage(`${baseUrl}?schema=${schema}`)
      cleanups.push(async () => {
        await storage.close()
        const db = new pg.Client({ connectionString: baseUrl })
        await db.connect()
        await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await db.end()
      })
      return storage.meta
    },
  ],
]

describe.each(stores)('%s archive search', (_name, open) => {
  it('returns short marked snippets for pads of 400 KB full of matches, and finds a match deep in a pad', async () => {
    const store = await open()
    const archive = async (title: string, text: string) => {
      const id = `search-${randomBytes(4).toString('hex')}`
      await store.createSession({ id, title, track: '', room: '', moderator: '', scheduledStart: null, durationMinutes: 40, access: 'open', moderatorKeyHash: 'm', editorKeyHash: 'e' })
      await store.saveArchive({ sessionId: id, doc: { type: 'doc' }, outcomes: { decisions: [], actions: [] }, participants: [], chat: [], text })
      return id
    }
    for (let i = 0; i < 3; i++) await archive(`Plan ${i}`, planText(400_000))
    const deep = await archive('Deep', `${'filler words here '.repeat(20_000)}the quixotic rollout plan ends here`)

    const hits = await store.searchArchive('plan')
    expect(hits).toHaveLength(4)
    for (const hit of hits) {
      expect(hit.snippet).toContain(`${snippetStart}plan${snippetEnd}`)
      expect(hit.snippet.replaceAll(snippetStart, '').replaceAll(snippetEnd, '').length).toBeLessThanOrEqual(maxSnippetChars + 2)
    }
    const [found] = await store.searchArchive('quixotic roll')
    expect(found?.session.id).toBe(deep)
    expect(found?.snippet).toContain(`${snippetStart}quixotic${snippetEnd} ${snippetStart}rollout${snippetEnd}`)
    expect(found?.snippet.startsWith('…')).toBe(true)
  }, 60_000)
})

describe('PgMetaStore archive search of a common word (issue 21)', () => {
  it('ranks the title matches and the latest archived matches only, best first among them', async () => {
    const open = stores.find(([name]) => name === 'PgMetaStore')![1]
    const store = await open()
    const archive = async (title: string, text: string) => {
      const id = `common-${randomBytes(4).toString('hex')}`
      await store.createSession({ id, title, track: '', room: '', moderator: '', scheduledStart: null, durationMinutes: 40, access: 'open', moderatorKeyHash: 'm', editorKeyHash: 'e' })
      await store.saveArchive({ sessionId: id, doc: { type: 'doc' }, outcomes: { decisions: [], actions: [] }, participants: [], chat: [], text })
      return id
    }
    // The oldest pads say the word most: the best by ts_rank, but neither has it in its title
    // and `searchCandidates` newer pads match, so the first is not ranked at all.
    const oldest = await archive('Old notes', 'upgrade upgrade upgrade upgrade upgrade upgrade upgrade upgrade')
    const oldTitled = await archive('Upgrade retrospective', 'upgrade upgrade upgrade upgrade upgrade upgrade upgrade')
    await new Promise((resolve) => setTimeout(resolve, 5))
    const newer: string[] = []
    for (let i = 0; i < searchCandidates; i++) newer.push(await archive(`Notes ${i}`, `we talked about the upgrade once, item ${i}`))
    const latestMost = await archive('Latest notes', 'upgrade upgrade upgrade upgrade')

    const hits = (await store.searchArchive('upgrade', 10)).map((hit) => hit.session.id)
    expect(hits).toHaveLength(10)
    expect(hits.slice(0, 2)).toEqual([oldTitled, latestMost])
    expect(hits).not.toContain(oldest)
  }, 60_000)
})
