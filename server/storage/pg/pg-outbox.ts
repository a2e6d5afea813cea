/**
 * The outbox rows of the PostgreSQL MetaStore (MS16-MS20): deliveries are inserted in the caller's
 * transaction with the change they report, claimed under a lease, settled, listed and resent.
 */
import type pg from 'pg'
import type { NewOutboxMessage, OutboxMessage, OutboxOutcome } from '../../outbox/outbox-message.ts'
import { maxOutboxErrorChars, toOutboxMessage, type OutboxRow } from '../outbox-rows.ts'

/** Stores deliveries on `client` (inside the caller's transaction). */
export async function insertOutbox(client: pg.PoolClient, messages: NewOutboxMessage[]): Promise<void> {
  if (messages.length === 0) return
  const now = Date.now()
  await client.query(
    `INSERT INTO outbox (id, channel, target, event, body, status, attempts, created_at, next_attempt_at)
     SELECT m.id, m.channel, m.target, m.event, m.body, 'pending', 0, $6, $6
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS m(id, channel, target, event, body)`,
    [messages.map((m) => m.id), messages.map((m) => m.channel), messages.map((m) => m.target), messages.map((m) => m.event), messages.map((m) => m.body), now],
  )
}

/**
 * MS17 with several instances: `FOR UPDATE SKIP LOCKED` makes concurrent claims pass over each
 * other's rows instead of waiting or taking them, and the lease keeps a claimed row from being
 * claimed again after this transaction commits, until it is settled or the lease runs out (an
 * instance that died mid-send: another one sends it then).
 */
export async function claimOutbox(pool: pg.Pool, limit: number, leaseMs: number, now: number): Promise<OutboxMessage[]> {
  const { rows } = await pool.query<OutboxRow>(
    `UPDATE outbox SET lease_until = $2
     WHERE seq IN (SELECT seq FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1
                   ORDER BY next_attempt_at, seq LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now, now + leaseMs, limit],
  )
  return rows.map(toOutboxMessage).sort((a, b) => Date.parse(a.nextAttemptAt!) - Date.parse(b.nextAttemptAt!))
}

export async function settleOutbox(pool: pg.Pool, id: string, outcome: OutboxOutcome): Promise<void> {
  const status = outcome.delivered ? 'delivered' : outcome.retryAt === null ? 'dead' : 'pending'
  await pool.query(
    `UPDATE outbox SET status = $2, attempts = attempts + 1, last_attempt_at = $3, last_status_code = $4,
       last_error = $5, delivered_at = $6, next_attempt_at = $7, lease_until = 0
     WHERE id = $1`,
    [
      id,
      status,
      outcome.at,
      outcome.statusCode,
      outcome.delivered ? null : outcome.error.slice(0, maxOutboxErrorChars),
      outcome.delivered ? outcome.at : null,
      !outcome.delivered && outcome.retryAt !== null ? outcome.retryAt : outcome.at,
    ],
  )
}

export async function listOutbox(pool: pg.Pool, options: { limit?: number; before?: string } = {}): Promise<OutboxMessage[]> {
  const { rows } = await pool.query<OutboxRow>(
    `SELECT * FROM outbox WHERE ($1::text IS NULL OR seq < (SELECT seq FROM outbox WHERE id = $1))
     ORDER BY seq DESC LIMIT $2`,
    [options.before ?? null, options.limit ?? 100],
  )
  return rows.map(toOutboxMessage)
}

export async function getOutbox(pool: pg.Pool, id: string): Promise<OutboxMessage | null> {
  const { rows } = await pool.query<OutboxRow>('SELECT * FROM outbox WHERE id = $1', [id])
  return rows[0] ? toOutboxMessage(rows[0]) : null
}

export async function resendOutbox(pool: pg.Pool, id: string, now: number): Promise<OutboxMessage | null> {
  await pool.query(`UPDATE outbox SET status = 'pending', resent_at = $2, next_attempt_at = $2, lease_until = 0 WHERE id = $1 AND status <> 'pending'`, [id, now])
  return getOutbox(pool, id)
}
