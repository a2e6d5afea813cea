/** The client's calls to the JSON API; errors carry the server's message. */
import type { CreateSessionBody, Session } from '../shared/api.ts'
import type { ErrorBody } from '../shared/errors.ts'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}) },
  })
  const body = (await res.json().catch(() => null)) as T | ErrorBody | null
  if (!res.ok) {
    const error = (body as ErrorBody | null)?.error
    throw new ApiError(res.status, error?.code ?? 'internal', error?.message ?? `request failed (${res.status})`)
  }
  return body as T
}

export const api = {
  listSessions: () => request<{ sessions: Session[] }>('/api/sessions').then((r) => r.sessions),
  getSession: (id: string) => request<{ session: Session }>(`/api/sessions/${encodeURIComponent(id)}`).then((r) => r.session),
  createSession: (body: CreateSessionBody) =>
    request<{ session: Session }>('/api/sessions', { method: 'POST', body: JSON.stringify(body) }).then((r) => r.session),
}
