/**
 * What the express app is built from (`createApp` in app.ts, and the API's routers it loads on the
 * first request under /api, api-router.ts): the services, stores and settings the routes use.
 */
import type { Router } from 'express'
import type { Registry } from 'prom-client'
import type { Archiver } from '../archive/archiver.ts'
import type { OrganizerTokens } from '../auth/organizers.ts'
import type { HistoryService } from '../history/history-service.ts'
import type { Logger } from '../observability/log.ts'
import type { RecapExportDeps } from '../outbox/recap-export.ts'
import type { ImportOptions } from '../sessions/schedule-import.ts'
import type { SessionService } from '../sessions/session-service.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import type { TrustFn } from './client-address.ts'
import type { MetricsAccess } from './metrics-access.ts'
import type { OrganizerAuth } from './organizer-auth.ts'
import type { CreationPolicy } from './routes/sessions.ts'

export interface AppDeps {
  /** Called when the web app is first asked for (see ServerHooks.onFirstUse); health checks and scrapes do not count. */
  onFirstUse?: () => void
  sessions: SessionService
  archiver: Archiver
  history: HistoryService
  meta: MetaStore
  docs: DocStore
  /** Prometheus registry served at `/metrics`. */
  metrics: Registry
  logger: Logger
  /** Directory of the built client; when it has no index.html, pages answer 503 with a hint. */
  staticDir: string
  /**
   * Health facts reported by `/healthz`: the store and the bus each as `{ kind, status }`, where
   * a `down` status makes the answer 503 (a load balancer then sends clients elsewhere).
   */
  health: () => Promise<HealthFacts>
  /**
   * Which peers are trusted proxies (`TRUST_PROXY`, compiled): `req.ip`, which every per-address
   * HTTP limit uses, is then the client's address from `X-Forwarded-For`. @default none
   */
  trustProxy?: TrustFn
  /** Organizer authority: who is one, their sign-in, the audit log. */
  organizers: OrganizerAuth
  organizerTokens: OrganizerTokens
  /** Who may create sessions, and the limits for everyone but organizers. */
  creation: CreationPolicy
  /** The schedule import's rules that depend on configuration (the auto-end grace). */
  importOptions: ImportOptions
  /** The event's time zone now (the last import's, else EVENT_TIME_ZONE). */
  eventTimeZone: () => Promise<string>
  /** Who may read `/metrics` on this app. */
  metricsAccess: MetricsAccess
  /**
   * Sign-in with OpenID Connect, when on: its routes (mounted at `/auth/oidc`) and what the
   * sign-in page shows.
   */
  oidc: { router: Router; providerName: string; signInUrl: string } | null
  /** The version shown in the OpenAPI document. @default '0.0.0' */
  version?: string
  /** Wakes the outbox dispatcher after a resend (issue 20). @default nothing */
  outboxWritten?: () => void
  /** The recap export's addressing (issue 20). @default nothing configured */
  recap?: RecapExportDeps
}

export interface HealthFacts {
  store: { kind: string; status: 'up' | 'down' }
  bus: { kind: string; status: 'up' | 'down' }
  /** Pads that stopped taking writes (a stored update failed to apply): the answer says `degraded` (still 200). */
  failedPads?: { docName: string; reason: string }[]
  [fact: string]: unknown
}
