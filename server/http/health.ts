/**
 * `GET /healthz`: the store and the bus, for load balancers and `summitpad check`. Answered by the
 * express app's documented route and, before the app is loaded, by the main port's handler
 * (lazy-app.ts): both build the answer here.
 */
import type { HealthFacts } from './app-deps.ts'

export interface HealthAnswer {
  /** 200 when the store and the bus are up, else 503. */
  status: number
  body: { status: 'ok' | 'degraded' } & HealthFacts
}

export async function healthAnswer(health: () => Promise<HealthFacts>): Promise<HealthAnswer> {
  const facts = await health()
  const up = facts.store.status === 'up' && facts.bus.status === 'up'
  // A failed pad is one pad's problem: the instance still serves every other (no 503).
  const ok = up && (facts.failedPads?.length ?? 0) === 0
  return { status: up ? 200 : 503, body: { status: ok ? 'ok' : 'degraded', ...facts } }
}
