/**
 * What the outbox holds: one row per delivery to make (a webhook POST to one endpoint, or one
 * recap mail to one list), written by the MetaStore in the same transaction as the change that
 * caused it (issue 20), then sent, retried and settled by the `OutboxDispatcher`. The row's id is
 * the delivery id a receiver sees (`id` in a webhook body, `Message-ID` of a mail): a retry sends
 * the same id, so receivers drop duplicates by it.
 */

/** How a delivery travels. */
export const outboxChannels = ['webhook', 'mail'] as const
export type OutboxChannel = (typeof outboxChannels)[number]

/** `pending`: to be sent (now or at `nextAttemptAt`); `delivered`; `dead`: retries gave up. */
export const outboxStatuses = ['pending', 'delivered', 'dead'] as const
export type OutboxStatus = (typeof outboxStatuses)[number]

/** A delivery as its cause writes it. */
export interface NewOutboxMessage {
  /** Unique, URL-safe; the receiver's deduplication key. */
  id: string
  channel: OutboxChannel
  /** The endpoint's name (webhook) or the list's address (mail). */
  target: string
  /** `session.started`, `session.ended`, `session.updated`, `schedule.imported`, `recap.mail`. */
  event: string
  /** What is sent, frozen at write time: the webhook's JSON body, or the mail as JSON (`RecapMail`). */
  body: string
}

/** A stored delivery with its progress. Times are ISO strings. */
export interface OutboxMessage extends NewOutboxMessage {
  status: OutboxStatus
  /** Attempts made so far. */
  attempts: number
  createdAt: string
  /** When a resend restarted the retry window; null if never resent. */
  resentAt: string | null
  /** When the next attempt is due (pending only). */
  nextAttemptAt: string | null
  lastAttemptAt: string | null
  /** The last attempt's HTTP status (webhook) or SMTP reply code (mail); null when none came. */
  lastStatusCode: number | null
  /** Why the last attempt failed, for people; null after a success. */
  lastError: string | null
  deliveredAt: string | null
}

/** How an attempt ended, for `MetaStore.settleOutbox`. */
export type OutboxOutcome =
  | { delivered: true; statusCode: number | null; at: number }
  | { delivered: false; statusCode: number | null; error: string; at: number; /** ms since the epoch; null: give up (dead). */ retryAt: number | null }

/** Computes the deliveries a change causes from the row it wrote (called inside its transaction). */
export type OutboxEffects<T> = (changed: T) => NewOutboxMessage[]
