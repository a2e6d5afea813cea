/** Small HTTP helpers over the real API. */
import type { CreateSessionBody, Session, SessionLinks, SessionView } from '../../shared/api.ts'

export async function createSession(baseUrl: string, body: Partial<CreateSessionBody> = {}): Promise<Session> {
  const res = await fetch(`${baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Test session', ...body }),
  })
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { session: Session }).session
}

/** A new session with its links and the secrets taken from them. */
export interface CreatedSession {
  session: Session
  links: SessionLinks
  moderatorKey: string
  /** The attendee secret of a `key` session; null for an open one. */
  editorKey: string | null
}

export async function createSessionWithKeys(baseUrl: string, body: Partial<CreateSessionBody> = {}): Promise<CreatedSession> {
  const res = await fetch(`${baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Test session', ...body }),
  })
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${await res.text()}`)
  const { session, links } = (await res.json()) as { session: Session; links: SessionLinks }
  const keyOf = (link: string) => /#key=([A-Za-z0-9_-]+)/.exec(link)?.[1] ?? null
  return { session, links, moderatorKey: keyOf(links.moderator)!, editorKey: keyOf(links.attendee) }
}

/** `POST /api/sessions/:id/<action>` with `secret` as Bearer token; returns status and JSON body. */
export async function act(
  baseUrl: string,
  id: string,
  action: string,
  secret: string | null,
  body?: unknown,
): Promise<{ status: number; body: { session?: SessionView; error?: { code: string; message: string } } }> {
  const res = await fetch(`${baseUrl}/api/sessions/${id}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
    body: JSON.stringify(body ?? {}),
  })
  return { status: res.status, body: (await res.json()) as never }
}
