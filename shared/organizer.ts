/**
 * Organizers and their audit log, as the API returns them: who signed in (`GET
 * /api/organizer/me`) and what organizers did (`GET /api/audit`).
 */
import { z } from 'zod'

/** Who did something as an organizer; what the audit log records as "who". */
export interface OrganizerIdentity {
  /** How they proved it: an organizer token, or a sign-in with the OpenID Connect provider. */
  kind: 'token' | 'oidc'
  /** Stable id: the token's label (or `token-<hash prefix>`), or the OIDC subject. */
  id: string
  /** What people read: the token's label, or the OIDC name or e-mail. */
  name: string
}

/** One organizer action, as recorded. */
export interface AuditEntry {
  /** Increasing with time; `before` in `GET /api/audit` pages on it. */
  id: number
  /** ISO 8601 of the action. */
  at: string
  actor: OrganizerIdentity
  /** What was done, e.g. `schedule.import`, `session.delete`, `archive.export`, `organizer.sign-in`. */
  action: string
  /** What it was done to (a session id, an event name), or null. */
  target: string | null
  /** Facts of the action (counts, the format); never a secret. */
  details: Record<string, unknown> | null
}

/** `GET /api/audit` query: newest first, `limit` entries (default 100) with ids below `before`. */
export const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict()

/** `POST /api/organizer/session` body: sign in with an organizer token. */
export const organizerSignInBody = z.object({ token: z.string().min(1).max(200) }).strict()

/** An OrganizerIdentity as the API returns it (for the OpenAPI document). */
export const organizerIdentitySchema = z.object({ kind: z.enum(['token', 'oidc']), id: z.string(), name: z.string() })

/** An AuditEntry as the API returns it (for the OpenAPI document). */
export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: organizerIdentitySchema,
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
})

/** The OrganizerStatus as the API returns it (for the OpenAPI document). */
export const organizerStatusSchema = z.object({
  organizer: organizerIdentitySchema.nullable(),
  oidc: z.object({ providerName: z.string(), signInUrl: z.string() }).nullable(),
  sessionCreation: z.enum(['anyone', 'organizers']),
})

/** `GET /api/organizer/me` answer: who is signed in (null: nobody) and how one can sign in. */
export interface OrganizerStatus {
  organizer: OrganizerIdentity | null
  /** Sign-in with OpenID Connect is on: the button's provider name and the URL to start it. */
  oidc: { providerName: string; signInUrl: string } | null
  /** Who may create sessions. */
  sessionCreation: 'anyone' | 'organizers'
}
