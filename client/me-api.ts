/**
 * The client's calls for follow-up sessions and "My summit" (issue 20): `/api/sessions/:id/follows`
 * and `/api/me`. The person credential is this browser's identity id and person key.
 */
import type { Session } from '../shared/api.ts'
import type { ErrorBody } from '../shared/errors.ts'
import type { MySummit, ReportFormat } from '../shared/my-summit.ts'
import { ApiError, request } from './api.ts'
import { personCredential } from './sync/person-key.ts'
import { shownZone } from './time-display.ts'

/** api.ts's request; `person` sends this browser's person credential as the bearer. */
function call<T>(path: string, init: RequestInit & { secret?: string | null; person?: boolean } = {}): Promise<T> {
  const { person, secret, ...rest } = init
  return request<T>(path, { ...rest, secret: person ? personCredential() : secret })
}

/** The error api.ts's request throws, for a response read here as something else than JSON. */
async function failure(res: Response): Promise<ApiError> {
  // reason: a body that is not JSON (a proxy's error page) leaves the status to speak.
  const error = ((await res.json().catch(() => null)) as ErrorBody | null)?.error
  return new ApiError(res.status, error?.code ?? 'internal', error?.message ?? `request failed (${res.status})`)
}

const sessionPath = (id: string) => `/api/sessions/${encodeURIComponent(id)}/follows`

export const followsApi = {
  neighbours: (id: string) => call<{ before: Session | null; after: Session[] }>(sessionPath(id)),
  link: (id: string, earlierId: string, secret: string) => call<{ follows: string; carried: number }>(sessionPath(id), { method: 'PUT', secret, body: JSON.stringify({ earlierId }) }),
  unlink: (id: string, secret: string) => call<void>(sessionPath(id), { method: 'DELETE', secret }),
}

/** Days and times come in the zone every page shows (the event's, or the viewer's once chosen: issue 19). */
const summitQuery = (name: string, extra: Record<string, string> = {}) =>
  new URLSearchParams({ name: name.slice(0, 60), timeZone: shownZone(), ...extra }).toString()

export const meApi = {
  summit: (name: string) => call<{ summit: MySummit }>(`/api/me?${summitQuery(name)}`, { person: true }).then((r) => r.summit),
  /** The report as text, for a download made in the page (the credential cannot ride in a link). */
  report: async (name: string, format: ReportFormat): Promise<Blob> => {
    const res = await fetch(`/api/me/report?${summitQuery(name, { format })}`, { headers: { authorization: `Bearer ${personCredential()}` } })
    if (!res.ok) throw await failure(res)
    return res.blob()
  },
  addListened: (id: string) => call<void>(`/api/me/listened/${encodeURIComponent(id)}`, { method: 'PUT', person: true }),
  removeListened: (id: string) => call<void>(`/api/me/listened/${encodeURIComponent(id)}`, { method: 'DELETE', person: true }),
  transfer: (name: string, color: string) => call<{ code: string; link: string; expiresAt: string }>('/api/me/transfer', { method: 'POST', person: true, body: JSON.stringify({ name, color }) }),
  redeem: (code: string) => call<{ identity: { id: string; name: string; color: string }; personKey: string }>('/api/me/transfer/redeem', { method: 'POST', body: JSON.stringify({ code }) }),
}
