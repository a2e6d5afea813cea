/** The client's calls to the organizer API: sign-in status, token sign-in, sign-out, the audit log. */
import type { AuditEntry, OrganizerIdentity, OrganizerStatus } from '../shared/organizer.ts'
import { request as call } from './api.ts'

export const organizerApi = {
  /** Who is signed in (null: nobody), and whether sign-in with a provider is on. */
  status: () => call<OrganizerStatus>('/api/organizer/me'),
  /** Signs in with an organizer token; the answer sets the sign-in cookie. Throws ApiError (403: not a token). */
  signIn: (token: string) => call<{ organizer: OrganizerIdentity }>('/api/organizer/session', { method: 'POST', body: JSON.stringify({ token }) }).then((r) => r.organizer),
  signOut: () => call<void>('/api/organizer/session', { method: 'DELETE' }),
  /** Audit entries, newest first; `before` pages to older ones. */
  audit: (before?: number) => call<{ entries: AuditEntry[] }>(`/api/audit?limit=100${before ? `&before=${before}` : ''}`).then((r) => r.entries),
}
