/**
 * A schedule import that fails half-way takes back the sessions it created, all of each: row, pad,
 * control doc and chat (the import path once deleted only the first two, leaving a chat written
 * in the meantime behind). Real SQLite in a temp dir, the real schedule worker.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import * as Y from 'yjs'
import { formatDocName } from '../../shared/doc-name.ts'
import { importSchedule } from '../../server/sessions/schedule-import.ts'
import type { DocStore } from '../../server/storage/doc-store.ts'
import { openSqliteStorage } from '../../server/storage/sqlite/sqlite-storage.ts'
import { closeHeavyWork } from '../../server/workers/heavy-work.ts'
import { summitCsv, summitSessions } from '../helpers/schedule-fixture.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summitpad-import-rollback-'))
const storage = openSqliteStorage(dir)
afterAll(async () => {
  await closeHeavyWork()
  await storage.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

it('a failed import deletes the chat of each session it created, with the rest of the session', async () => {
  const errors: (string | undefined)[] = []
  const logger = { debug() {}, info() {}, warn() {}, error: (_obj: object, msg?: string) => errors.push(msg), child: () => logger }
  const created: string[] = []
  // The third session's pad cannot be stored; by then someone has chatted in the first session.
  const docs: DocStore = Object.create(storage.docs) as DocStore
  docs.append = async (docName, update) => {
    if (!docName.includes('/') && !created.includes(docName)) created.push(docName)
    if (created.length === 3) {
      const chat = new Y.Doc()
      chat.getArray('messages').push(['hello'])
      await storage.docs.append(formatDocName({ sessionId: created[0]!, kind: 'chat' }), Y.encodeStateAsUpdate(chat))
      throw new Error('disk full')
    }
    return storage.docs.append(docName, update)
  }
  const csv = summitCsv(summitSessions().slice(0, 5))
  await expect(importSchedule(storage.meta, docs, logger, { event: 'Summit', format: 'csv', content: csv }, { autoEndAfterMinutes: 0 })).rejects.toThrow('disk full')
  expect(errors).toEqual(['schedule import failed; created sessions removed'])
  expect(created).toHaveLength(3)
  expect(await storage.docs.load(formatDocName({ sessionId: created[0]!, kind: 'chat' }))).toBeNull()
  for (const id of created) {
    expect(await storage.meta.getSession(id)).toBeNull()
    for (const kind of ['pad', 'control', 'chat'] as const) expect(await storage.docs.load(formatDocName({ sessionId: id, kind }))).toBeNull()
  }
})
