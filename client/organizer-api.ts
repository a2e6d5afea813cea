/** The client's calls to the organizer API: sign-in status, token sign-in, sign-out, the audit log, deliveries. */
import type { AuditEntry, OrganizerIdentity, OrganizerStatus } from '../shared/organizer.ts'
import { request as call } from './api.ts'
import type { Delivery } from '../shared/api-responses.ts'

export const organizerApi = {
  /** Who is signed in (null: nobody), and whether sign-in with a provider is on. */
  status: () => call<OrganizerStatus>('/api/organizer/me'),
  /** Signs in with an organizer token; the answer sets the sign-in cookie. Throws ApiError (403: not a token). */
  signIn: (token: string) => call<{ organizer: OrganizerIdentity }>('/api/organizer/session', { method: 'POST', body: JSON.stringify({ token }) }).then((r) => r.organizer),
  signOut: () => call<void>('/api/organizer/session', { method: 'DELETE' }),
  /** Audit entries, newest first; `before` pages to older ones. */
  audit: (before?: number) => call<{ entries: AuditEntry[] }>(`/api/audit?limit=100${before ? `&before=${before}` : ''}`).then((r) => r.entries),
  /** Webhook and recap-mail deliveries, newest first; `before` (a delivery id) pages to older ones. */
  deliveries: (before?: string) =>
    call<{ deliveries: Delivery[] }>(`/api/organizer/deliveries?limit=100${before ? `&before=${encodeURIComponent(before)}` : ''}`).then((r) => r.deliveries),
  /** Sends a delivered or dead delivery again. Throws ApiError (409: still pending). */
  resendDelivery: (id: string) => call<{ delivery: Delivery }>(`/api/organizer/deliveries/${encodeURIComponent(id)}/resend`, { method: 'POST' }).then((r) => r.delivery),
}
