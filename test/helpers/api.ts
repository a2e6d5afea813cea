/**
 * Small HTTP helpers over the real API. Every answer they get is checked against the server's own
 * OpenAPI document (`/api/openapi.json`, fetched once per server), so each integration test that
 * uses them also proves the document describes what the server really sends.
 */
import type { CreateSessionBody, Session, SessionLinks, SessionView } from '../../shared/api.ts'
import type { OpenApiDocument } from '../../server/http/openapi.ts'
import { OpenApiChecker } from './openapi-check.ts'

const checkers = new Map<string, Promise<OpenApiChecker>>()

/** `fetch` checked against the OpenAPI document of the server at `baseUrl`. */
export async function checkedFetch(baseUrl: string, url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; text: string }> {
  let checker = checkers.get(baseUrl)
  if (!checker) {
    checker = fetch(`${baseUrl}/api/openapi.json`).then(async (res) => new OpenApiChecker((await res.json()) as OpenApiDocument))
    checkers.set(baseUrl, checker)
  }
  return (await checker).fetch(url, init)
}

export async function createSession(baseUrl: string, body: Partial<CreateSessionBody> = {}): Promise<Session> {
  const res = await checkedFetch(baseUrl, `${baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Test session', ...body }),
  })
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${res.text}`)
  return (res.body as { session: Session }).session
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
  const res = await checkedFetch(baseUrl, `${baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Test session', ...body }),
  })
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${res.text}`)
  const { session, links } = res.body as { session: Session; links: SessionLinks }
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
  const res = await checkedFetch(baseUrl, `${baseUrl}/api/sessions/${id}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
    body: JSON.stringify(body ?? {}),
  })
  return { status: res.status, body: res.body as never }
}
