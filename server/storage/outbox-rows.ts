/**
 * The `outbox` table as both SQL MetaStores read it (issue 20). Times that are compared in SQL
 * (due, lease) are integers, ms since the epoch; PostgreSQL's bigints arrive as strings.
 */
import type { OutboxChannel, OutboxMessage, OutboxStatus } from '../outbox/outbox-message.ts'

export interface OutboxRow {
  id: string
  channel: OutboxChannel
  target: string
  event: string
  body: string
  status: OutboxStatus
  attempts: number | string
  created_at: number | string
  resent_at: number | string | null
  next_attempt_at: number | string
  last_attempt_at: number | string | null
  last_status_code: number | null
  last_error: string | null
  delivered_at: number | string | null
}

const iso = (ms: number | string | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString())

export function toOutboxMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    channel: row.channel,
    target: row.target,
    event: row.event,
    body: row.body,
    status: row.status,
    attempts: Number(row.attempts),
    createdAt: iso(row.created_at)!,
    resentAt: iso(row.resent_at),
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    lastAttemptAt: iso(row.last_attempt_at),
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    deliveredAt: iso(row.delivered_at),
  }
}

/** Longest error text kept per attempt (a receiver's message can be anything). */
export const maxOutboxErrorChars = 500
