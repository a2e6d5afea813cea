/**
 * The express app: JSON API under `/api`, `/healthz`, and the built client with a fallback to
 * its `index.html` for the client-side routes (`/`, `/s/<id>`). Every error leaves as
 * `{ error: { code, message } }` with the status of its code. The main port builds it on its
 * first request that is not a health check (lazy-app.ts).
 */
import express, { type ErrorRequestHandler, type Express } from 'express'
import fs from 'node:fs'
import path from 'node:path'
import { healthSchema } from '../../shared/api-responses.ts'
import { AppError, httpStatus, type ErrorBody } from '../../shared/errors.ts'
import type { Logger } from '../observability/log.ts'
import { documentedRouter } from './api-route.ts'
import type { AppDeps } from './app-deps.ts'
import { maxJsonBytes } from './body-limits.ts'
import { joinRouter } from './routes/event.ts'
import { lazyRouter } from './lazy-router.ts'
import { healthAnswer } from './health.ts'
import { canReadMetrics } from './metrics-access.ts'
import { securityHeaders } from './security-headers.ts'

export type { AppDeps, HealthFacts } from './app-deps.ts'

export function createApp(deps: AppDeps): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', deps.trustProxy ?? false)
  app.set('etag', false)

  app.use((_req, res, next) => {
    res.set(securityHeaders)
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
    const { status, body } = await healthAnswer(deps.health)
    res.status(status).set('Cache-Control', 'no-store').json(body)
  })

  app.use(ops.router)
  app.use(joinRouter(deps.sessions))

  // The API's routers (and the schemas, services and packages only they use) load on the first
  // request under /api: an idle server, which answers only health checks, never holds them
  // (issue 21, item 4). Every request under /api waits for the same load.
  app.use('/api', lazyRouter(async () => (await import('./api-router.ts')).apiRouter(deps)))

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
