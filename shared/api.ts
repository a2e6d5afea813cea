/**
 * Bodies and responses of the JSON API under `/api`, as zod schemas with inferred types. The
 * server validates every request body with these; the client uses the types.
 */
import { z } from 'zod'

/** States a session moves through. */
export const sessionStates = ['scheduled', 'live', 'ended'] as const
export type SessionState = (typeof sessionStates)[number]

const trimmed = (max: number) => z.string().trim().max(max)

/** `POST /api/sessions` body. */
export const createSessionBody = z
  .object({
    title: trimmed(200).min(1, 'title is required'),
    track: trimmed(100).default(''),
    room: trimmed(100).default(''),
    moderator: trimmed(100).default(''),
    /** ISO 8601 date-time with offset; absent means "not scheduled yet". */
    scheduledStart: z.iso.datetime({ offset: true }).nullable().default(null),
    /** @default 40 */
    durationMinutes: z.number().int().min(5).max(24 * 60).default(40),
    description: trimmed(2000).default(''),
  })
  .strict()
export type CreateSessionBody = z.input<typeof createSessionBody>

/** A session as the API returns it. */
export interface Session {
  id: string
  title: string
  track: string
  room: string
  moderator: string
  /** ISO 8601, or null when not scheduled. */
  scheduledStart: string | null
  durationMinutes: number
  state: SessionState
  createdAt: string
  updatedAt: string
}

/** `GET /api/sessions` query. */
export const listSessionsQuery = z
  .object({
    track: z.string().max(100).optional(),
    state: z.enum(sessionStates).optional(),
  })
  .strict()
