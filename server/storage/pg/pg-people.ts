/**
 * The "My summit" rows of the PostgreSQL MetaStore (issue 19): which sessions a person took part
 * in or listened to, the keys that prove a person id, and the one-time codes that carry an
 * identity to another device. The store delegates to these (as to pg-archive-actions.ts).
 */
import type pg from 'pg'
import type { IdentityTransfer, PersonSession, SessionPerson } from '../meta-store.ts'

export async function recordPeople(pool: pg.Pool, id: string, people: SessionPerson[]): Promise<void> {
  if (people.length === 0) return
  const now = new Date().toISOString()
  // Deduplicated first: one INSERT ... ON CONFLICT may not touch a row twice.
  const byId = new Map(people.map((person) => [person.personId, person.name]))
  await pool.query(
    `INSERT INTO person_sessions (person_id, session_id, kind, name, added_at)
     SELECT p, $2, 'took-part', n, $3 FROM unnest($1::text[], $4::text[]) AS t(p, n)
     ON CONFLICT (person_id, session_id, kind) DO UPDATE SET name = excluded.name`,
    [[...byId.keys()], id, now, [...byId.values()]],
  )
}

export async function addListened(pool: pg.Pool, personId: string, sessionId: string): Promise<void> {
  await pool.query(
    `INSERT INTO person_sessions (person_id, session_id, kind, name, added_at) VALUES ($1, $2, 'listened', '', $3) ON CONFLICT DO NOTHING`,
    [personId, sessionId, new Date().toISOString()],
  )
}

export async function removeListened(pool: pg.Pool, personId: string, sessionId: string): Promise<boolean> {
  const { rowCount } = await pool.query(`DELETE FROM person_sessions WHERE person_id = $1 AND session_id = $2 AND kind = 'listened'`, [personId, sessionId])
  return (rowCount ?? 0) > 0
}

export async function listPersonSessions(pool: pg.Pool, personId: string): Promise<PersonSession[]> {
  const { rows } = await pool.query<{ session_id: string; kind: PersonSession['kind']; name: string }>(
    'SELECT session_id, kind, name FROM person_sessions WHERE person_id = $1 ORDER BY added_at, session_id, kind',
    [personId],
  )
  return rows.map((row) => ({ sessionId: row.session_id, kind: row.kind, name: row.name }))
}

export async function addPersonKey(pool: pg.Pool, personId: string, keyHash: string): Promise<void> {
  await pool.query('INSERT INTO person_keys (person_id, key_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [personId, keyHash, new Date().toISOString()])
}

export async function personKeyState(pool: pg.Pool, personId: string, keyHash: string): Promise<'match' | 'mismatch' | 'unknown'> {
  const { rows } = await pool.query<{ key_hash: string }>('SELECT key_hash FROM person_keys WHERE person_id = $1', [personId])
  if (rows.length === 0) return 'unknown'
  return rows.some((row) => row.key_hash === keyHash) ? 'match' : 'mismatch'
}

export async function createTransfer(pool: pg.Pool, codeHash: string, transfer: IdentityTransfer, expiresAt: string): Promise<void> {
  // Expired transfers are swept here, so the table only holds live ones.
  await pool.query('DELETE FROM identity_transfers WHERE expires_at <= $1', [new Date().toISOString()])
  await pool.query('INSERT INTO identity_transfers (code_hash, person_id, name, color, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    codeHash,
    transfer.personId,
    transfer.name,
    transfer.color,
    expiresAt,
  ])
}

export async function takeTransfer(pool: pg.Pool, codeHash: string): Promise<IdentityTransfer | null> {
  // One DELETE ... RETURNING: of two instances taking the same code at once, one gets the row.
  const { rows } = await pool.query<{ person_id: string; name: string; color: string; expires_at: string }>(
    'DELETE FROM identity_transfers WHERE code_hash = $1 RETURNING person_id, name, color, expires_at',
    [codeHash],
  )
  const row = rows[0]
  if (!row || row.expires_at <= new Date().toISOString()) return null
  return { personId: row.person_id, name: row.name, color: row.color }
}

export async function countTransfers(pool: pg.Pool, personId: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM identity_transfers WHERE person_id = $1 AND expires_at > $2', [personId, new Date().toISOString()])
  return Number(rows[0]?.n ?? 0)
}
