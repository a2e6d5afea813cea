/** Small HTTP helpers over the real API. */
import type { CreateSessionBody, Session } from '../../shared/api.ts'

export async function createSession(baseUrl: string, body: Partial<CreateSessionBody> = {}): Promise<Session> {
  const res = await fetch(`${baseUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Test session', ...body }),
  })
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { session: Session }).session
}
