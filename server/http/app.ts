/**
 * The express app: JSON API under `/api`, `/healthz`, and the built client with a fallback to
 * its `index.html` for the client-side routes (`/`, `/s/<id>`). Every error leaves as
 * `{ error: { code, message } }` with the status of its code.
 */
import express, { type ErrorRequestHandler, type Express } from 'express'
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { healthSchema } from '../../shared/api-responses.ts'
import { AppError, httpStatus, type ErrorBody } from '../../shared/errors.ts'
import type { Logger } from '../observability/log.ts'
import type { SessionService } from '../sessions/session-service.ts'
import type { Archiver } from '../archive/archiver.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import type { Registry } from 'prom-client'
import type { HistoryService } from '../history/history-service.ts'
import { documentedRouter } from './api-route.ts'
import { apiDocsRouter } from './routes/api-docs.ts'
import { archiveRouter } from './routes/archive.ts'
import { historyRouter } from './routes/history.ts'
import { eventRouter, joinRouter } from './routes/event.ts'
import { scheduleRouter } from './routes/schedule.ts'
import { maxEtherpadBodyBytes, sessionsRouter } from './routes/sessions.ts'
import { followUpsRouter } from './routes/follow-ups.ts'
import { meRouter } from './routes/me.ts'
import { CreationLimit } from './creation-limit.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { TrustFn } from './client-address.ts'
import type { OrganizerTokens } from '../auth/organizers.ts'
import type { ImportOptions } from '../sessions/schedule-import.ts'
import { canReadMetrics, type MetricsAccess } from './metrics-access.ts'
import type { OrganizerAuth } from './organizer-auth.ts'
import { auditRouter, organizerRouter } from './routes/organizer.ts'
import { deliveriesRouter } from './routes/deliveries.ts'
import type { RecapExportDeps } from '../outbox/recap-export.ts'
import type { CreationPolicy } from './routes/sessions.ts'

export interface AppDeps {
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
  oidc: { router: express.Router; providerName: string; signInUrl: string } | null
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

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Largest JSON body the API accepts. */
const maxJsonBytes = 256 * 1024
/** Largest `POST /api/sessions` body (it may carry an agenda file). */
const maxCreateBytes = 1536 * 1024
/** Largest `POST /api/schedule/import` body. */
const maxScheduleBytes = 5 * 1024 * 1024

export function createApp(deps: AppDeps): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', deps.trustProxy ?? false)
  app.set('etag', false)

  app.use((_req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      // Scripts only from this origin; inline styles are allowed because the editor's
      // decorations (cursors, authorship tints) set style attributes; images include the
      // projector's QR code (a data: URL).
      'Content-Security-Policy': contentSecurityPolicy,
    })
    next()
  })

  const ops = documentedRouter('')
  ops.route({
    method: 'get',
    path: '/metrics',
    tag: 'operations',
    summary: 'Prometheus metrics (text exposition format)',
    responses: { 200: { description: 'Metrics', contentType: 'text/plain' } },
  }, async (req, res, next) => {
    // Refused requests fall through to the not-found answer: the route is not advertised.
    if (!canReadMetrics(req, deps.metricsAccess)) {
      next()
      return
    }
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics())
  })
  if (deps.oidc) app.use('/auth/oidc', deps.oidc.router)

  ops.route({
    method: 'get',
    path: '/healthz',
    tag: 'operations',
    summary: 'Health: the store and the bus, for load balancers and `summitpad check`',
    responses: { 200: { description: 'Everything up', schema: healthSchema }, 503: { description: 'The store or the bus is down', schema: healthSchema } },
  }, async (_req, res) => {
    const facts = await deps.health()
    const up = facts.store.status === 'up' && facts.bus.status === 'up'
    // A failed pad is one pad's problem: the instance still serves every other (no 503).
    const ok = up && (facts.failedPads?.length ?? 0) === 0
    res.status(up ? 200 : 503).set('Cache-Control', 'no-store').json({ status: ok ? 'ok' : 'degraded', ...facts })
  })

  app.use(ops.router)
  app.use(joinRouter(deps.sessions))

  const api = express.Router()
  // A new session may carry a prepared agenda (up to 512 KiB of Markdown, escaped in JSON).
  api.post('/sessions', express.json({ limit: maxCreateBytes }))
  // An Etherpad export, taken as it is (JSON, HTML or text, any content type) and read in a worker.
  api.post('/sessions/etherpad', express.text({ type: () => true, limit: maxEtherpadBodyBytes }))
  // A whole summit's schedule: its content up to 2 Mi characters of CSV or iCalendar
  // (`maxScheduleChars`), which escaped in JSON may take up to 5 MiB of body.
  api.post('/schedule/import', express.json({ limit: maxScheduleBytes }))
  api.use(express.json({ limit: maxJsonBytes }))
  const time = documentedRouter('/api')
  time.route({
    method: 'get',
    path: '/time',
    tag: 'operations',
    summary: "The server's clock (ms since the epoch), for countdowns",
    responses: { 200: { description: 'Now', schema: z.object({ now: z.number() }) } },
  }, (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ now: Date.now() })
  })
  api.use(time.router)
  api.use(eventRouter(deps.eventTimeZone))
  api.use(apiDocsRouter(deps.version ?? '0.0.0'))
  api.use('/sessions', historyRouter(deps.sessions, deps.history, deps.meta, deps.archiver))
  api.use('/sessions', followUpsRouter(deps.sessions, deps.organizers))
  api.use('/sessions', sessionsRouter(deps.sessions, deps.archiver, deps.meta, deps.organizers, deps.creation, deps.recap ?? { notify: { webhooks: [], mail: null }, publicUrl: null }))
  api.use('/archive', archiveRouter(deps.meta, deps.archiver, deps.organizers))
  api.use('/schedule', scheduleRouter(deps.meta, deps.docs, deps.logger.child({ component: 'schedule' }), deps.organizers, { ...deps.importOptions, followUps: { link: (id, earlierId) => deps.sessions.followUps.link(id, earlierId) } }))
  api.use('/organizer/deliveries', deliveriesRouter(deps.organizers, deps.meta, deps.outboxWritten ?? (() => {})))
  api.use(
    '/organizer',
    organizerRouter({
      auth: deps.organizers,
      tokens: deps.organizerTokens,
      meta: deps.meta,
      oidc: deps.oidc ? { providerName: deps.oidc.providerName, signInUrl: deps.oidc.signInUrl } : null,
      sessionCreation: deps.creation.who,
    }),
  )
  api.use('/audit', auditRouter(deps.organizers, deps.meta))
  // Transfer codes have 40 bits; ten tries a minute per address (and 600 in all) keep guessing hopeless.
  api.use('/me', meRouter(deps.sessions, new CreationLimit({ perMinute: 10, burst: 10, totalPerMinute: 600 })))
  api.use((req) => {
    throw new AppError('not_found', `no API route ${req.method} ${req.path}`)
  })
  app.use('/api', api)

  const indexFile = path.join(deps.staticDir, 'index.html')
  app.use(express.static(deps.staticDir, { index: false, maxAge: '1h', setHeaders: noCacheHtml }))
  app.get(['/', '/board', '/archive', '/archive/actions', '/organizer', '/organizer/import', '/organizer/audit', '/organizer/deliveries', '/s/:id', '/s/:id/projector', '/s/:id/archive', '/s/:id/history'], (_req, res) => {
    if (!fs.existsSync(indexFile)) {
      res.status(503).type('text/plain').send('The client is not built: run `npm run build` (then `npm start`).')
      return
    }
    res.set('Cache-Control', 'no-cache').sendFile(indexFile)
  })
  // Any other page a browser asks for gets the client's not-found page, with a 404 status.
  app.use((req, res, next) => {
    if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html' && fs.existsSync(indexFile)) {
      res.status(404).set('Cache-Control', 'no-cache').sendFile(indexFile)
      return
    }
    next(new AppError('not_found', `no page at ${req.path}`))
  })
  app.use(errorHandler(deps.logger))
  return app
}

function noCacheHtml(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache')
}

/** Retry-After of a 503 `server_busy` / `work_timeout` answer, seconds. */
const retryAfterSeconds = 5

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const body = toErrorBody(error)
    const status = httpStatus[body.error.code]
    if (status >= 500) logger.error({ err: error, method: req.method, path: req.path }, 'request failed')
    if (res.headersSent) return
    // Heavy work refused for now (issue 15 part 2): tell clients when to try again.
    if (body.error.code === 'server_busy' || body.error.code === 'work_timeout') res.set('Retry-After', String(retryAfterSeconds))
    res.status(status).json(body)
  }
}

/** Maps any thrown value to the error envelope: AppErrors keep their code, body-parser errors get theirs. */
function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof AppError) {
    return { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } }
  }
  const parserError = error as { type?: string; status?: number }
  if (parserError.type === 'entity.too.large') {
    const limit = (error as { limit?: number }).limit ?? maxJsonBytes
    return { error: { code: 'payload_too_large', message: `request body larger than ${limit} bytes` } }
  }
  if (parserError.type === 'entity.parse.failed') {
    return { error: { code: 'bad_request', message: 'request body is not valid JSON' } }
  }
  if (parserError.status && parserError.status >= 400 && parserError.status < 500) {
    return { error: { code: 'bad_request', message: (error as Error).message } }
  }
  return { error: { code: 'internal', message: 'internal server error' } }
}
