/** The client's calls to the JSON API; errors carry the server's message. */
import type { ArchiveHit, ArchiveSummary, ArchivedSession, CreateSessionBody, CurrentBody, EtherpadFormat, EtherpadImportSummary, Session, SessionLinks, SessionView } from '../shared/api.ts'
import type { ActionOutcome } from '../shared/outcomes.ts'
import type { ErrorBody } from '../shared/errors.ts'
import type { RestoreNotice } from '../shared/restore-notice.ts'

/** A saved revision of a pad (`GET /api/sessions/:id/revisions`). */
export interface RevisionInfo {
  rev: number
  createdAt: string
  reason: string
  authors: { id: string; name: string; color: string }[]
  /** `Y.encodeSnapshot` bytes, base64. */
  snapshot: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * One JSON API call: the answer's body (undefined for 204), or ApiError with the server's code and
 * message. `secret` goes as a Bearer token; the organizer's sign-in cookie goes by itself
 * (same-origin, HttpOnly, SameSite=Strict). A body is JSON unless `contentType` names another type.
 */
export async function request<T>(path: string, init: RequestInit & { secret?: string | null; contentType?: string } = {}): Promise<T> {
  const { secret, contentType, ...rest } = init
  const res = await fetch(path, {
    ...rest,
    headers: {
      accept: 'application/json',
      ...(rest.body ? { 'content-type': contentType ?? 'application/json' } : {}),
      ...(secret ? { authorization: `Bearer ${secret}` } : {}),
    },
  })
  if (res.status === 204) return undefined as T
  // reason: a body that is not JSON (a proxy's error page) leaves the status to speak, below.
  const body = (await res.json().catch(() => null)) as T | ErrorBody | null
  if (!res.ok) {
    const error = (body as ErrorBody | null)?.error
    throw new ApiError(res.status, error?.code ?? 'internal', error?.message ?? `request failed (${res.status})`)
  }
  return body as T
}

export type ModeratorAction = 'start' | 'extend' | 'current' | 'lock' | 'unlock' | 'show-chat' | 'hide-chat' | 'recap-off' | 'recap-on' | 'end'

/** An action item as the actions-by-owner page shows it: its latest state and every session it passed through, oldest first. */
export type OwnedAction = ActionOutcome & { session: { id: string; title: string; track: string }; chain: { id: string; title: string }[] }

export const api = {
  listSessions: () => request<{ sessions: Session[] }>('/api/sessions').then((r) => r.sessions),
  getSession: (id: string, secret: string | null = null) =>
    request<{ session: SessionView }>(`/api/sessions/${encodeURIComponent(id)}`, { secret }).then((r) => r.session),
  createSession: (body: CreateSessionBody) =>
    request<{ session: Session; links: SessionLinks }>('/api/sessions', { method: 'POST', body: JSON.stringify(body) }),
  /** Creates a session from an Etherpad export `file` (`.etherpad`, HTML or text); `fields` as `createSession` takes them. */
  importEtherpad: (fields: Record<string, string>, file: string, format: EtherpadFormat) =>
    request<{ session: Session; links: SessionLinks; imported: EtherpadImportSummary }>(`/api/sessions/etherpad?${new URLSearchParams({ ...fields, format })}`, {
      method: 'POST',
      body: file,
      contentType: format === 'etherpad' ? 'application/json' : format === 'html' ? 'text/html' : 'text/plain',
    }),
  /** One page of the archive index; `next` names the page after it (null at the end). */
  listArchive: (after?: string | null) => request<{ sessions: ArchiveSummary[]; next: string | null }>(`/api/archive${after ? `?after=${encodeURIComponent(after)}` : ''}`),
  searchArchive: (q: string) => request<{ hits: ArchiveHit[] }>(`/api/archive?q=${encodeURIComponent(q)}`).then((r) => r.hits),
  /** Every owner of the archive's action items with how many they have and how many are open; no owner last. */
  archiveActionOwners: () => request<{ owners: { owner: string | null; total: number; open: number }[] }>('/api/archive/actions').then((r) => r.owners),
  /** One page of an owner's action items (null: items without an owner), latest session first; `next` names the page after it. */
  ownerActions: (owner: string | null, after?: string | null) =>
    request<{ actions: OwnedAction[]; next: string | null }>(`/api/archive/actions?${new URLSearchParams({ owner: owner ?? '', ...(after ? { after } : {}) })}`),
  getArchive: (id: string) => request<{ archive: ArchivedSession }>(`/api/sessions/${encodeURIComponent(id)}/archive`).then((r) => r.archive),
  listRevisions: (id: string) => request<{ revisions: RevisionInfo[] }>(`/api/sessions/${encodeURIComponent(id)}/revisions`).then((r) => r.revisions),
  /**
   * Restores revision `rev`; `by` names the moderator in every pad's notice, `undoes` the restore
   * this one undoes. Resolves with the notice: `rev` is the restore's revision, `before` undoes it.
   */
  restore: (id: string, rev: number, secret: string, extra: { by?: string; undoes?: number } = {}) =>
    request<{ notice: RestoreNotice }>(`/api/sessions/${encodeURIComponent(id)}/restore`, { method: 'POST', secret, body: JSON.stringify({ rev, ...extra }) }).then((r) => r.notice),
  act: (id: string, action: ModeratorAction, secret: string, body?: { minutes: number } | CurrentBody) =>
    request<{ session: SessionView }>(`/api/sessions/${encodeURIComponent(id)}/${action}`, {
      method: 'POST',
      secret,
      body: JSON.stringify(body ?? {}),
    }).then((r) => r.session),
}
