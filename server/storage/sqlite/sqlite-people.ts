/**
 * The "My summit" rows of the SQLite MetaStore (issue 19): which sessions a person took part in or
 * listened to, the keys that prove a person id, and the one-time codes that carry an identity to
 * another device. The store delegates to these (as to sqlite-archive-actions.ts).
 */
import type Database from 'better-sqlite3'
import type { IdentityTransfer, PersonSession, SessionPerson } from '../meta-store.ts'

export function recordPeople(db: Database.Database, id: string, people: SessionPerson[]): void {
  const now = new Date().toISOString()
  const insert = db.prepare(
    `INSERT INTO person_sessions (person_id, session_id, kind, name, added_at) VALUES (?, ?, 'took-part', ?, ?)
     ON CONFLICT (person_id, session_id, kind) DO UPDATE SET name = excluded.name`,
  )
  db.transaction(() => {
    for (const person of people) insert.run(person.personId, id, person.name, now)
  })()
}

export function addListened(db: Database.Database, personId: string, sessionId: string): void {
  db
    .prepare(`INSERT OR IGNORE INTO person_sessions (person_id, session_id, kind, name, added_at) VALUES (?, ?, 'listened', '', ?)`)
    .run(personId, sessionId, new Date().toISOString())
}

export function removeListened(db: Database.Database, personId: string, sessionId: string): boolean {
  return db.prepare(`DELETE FROM person_sessions WHERE person_id = ? AND session_id = ? AND kind = 'listened'`).run(personId, sessionId).changes > 0
}

export function listPersonSessions(db: Database.Database, personId: string): PersonSession[] {
  const rows = db
    .prepare('SELECT session_id, kind, name FROM person_sessions WHERE person_id = ? ORDER BY added_at, session_id, kind')
    .all(personId) as { session_id: string; kind: PersonSession['kind']; name: string }[]
  return rows.map((row) => ({ sessionId: row.session_id, kind: row.kind, name: row.name }))
}

export function addPersonKey(db: Database.Database, personId: string, keyHash: string): void {
  db.prepare('INSERT OR IGNORE INTO person_keys (person_id, key_hash, created_at) VALUES (?, ?, ?)').run(personId, keyHash, new Date().toISOString())
}

export function personKeyState(db: Database.Database, personId: string, keyHash: string): 'match' | 'mismatch' | 'unknown' {
  const rows = db.prepare('SELECT key_hash FROM person_keys WHERE person_id = ?').all(personId) as { key_hash: string }[]
  if (rows.length === 0) return 'unknown'
  return rows.some((row) => row.key_hash === keyHash) ? 'match' : 'mismatch'
}

export function createTransfer(db: Database.Database, codeHash: string, transfer: IdentityTransfer, expiresAt: string): void {
  db.transaction(() => {
    // Expired transfers are swept here, so the table only holds live ones.
    db.prepare('DELETE FROM identity_transfers WHERE expires_at <= ?').run(new Date().toISOString())
    db
      .prepare('INSERT INTO identity_transfers (code_hash, person_id, name, color, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(codeHash, transfer.personId, transfer.name, transfer.color, expiresAt)
  })()
}

export function takeTransfer(db: Database.Database, codeHash: string): IdentityTransfer | null {
  const row = db.prepare('DELETE FROM identity_transfers WHERE code_hash = ? RETURNING person_id, name, color, expires_at').get(codeHash) as
    | { person_id: string; name: string; color: string; expires_at: string }
    | undefined
  if (!row || row.expires_at <= new Date().toISOString()) return null
  return { personId: row.person_id, name: row.name, color: row.color }
}

export function countTransfers(db: Database.Database, personId: string): number {
  const row = db.prepare('SELECT count(*) AS n FROM identity_transfers WHERE person_id = ? AND expires_at > ?').get(personId, new Date().toISOString()) as { n: number }
  return row.n
}
