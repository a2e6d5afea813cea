/**
 * The main port's request handler, with the express app (http/app.ts) built on first use (issue
 * 21, item 4: express and the app it builds hold about 8 MiB of an idle server's memory).
 * Health checks and metrics scrapes, which load balancers and Prometheus send all day to servers
 * nobody else uses, are answered here without it, as the app answers them (http/health.ts, the
 * metrics access rule, the app's headers); the first other request loads the app, every request
 * meanwhile waits for that one load, and all go through the app from then on. A health check
 * whose facts fail, and a metrics request the access rule refuses, go through the app too, whose
 * error and not-found handlers answer them.
 */
import type http from 'node:http'
import type { AppDeps } from './app-deps.ts'
import { healthAnswer } from './health.ts'
import { canReadMetrics } from './metrics-access.ts'
import { securityHeaders } from './security-headers.ts'
import { loadHeld } from '../startup-heap.ts'

export function lazyApp(deps: AppDeps): http.RequestListener {
  let app: http.RequestListener | null = null
  let loading: Promise<http.RequestListener> | null = null
  const throughApp = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (app) {
      app(req, res)
      return
    }
    deps.onFirstUse?.()
    loading ??= loadHeld(() => import('./app.ts')).then(
      ({ createApp }) => (app = createApp(deps)),
      (error: unknown) => {
        loading = null
        throw error
      },
    )
    loading.then(
      (loaded) => loaded(req, res),
      (error: unknown) => {
        deps.logger.error({ err: error }, 'loading the web app failed')
        res.statusCode = 500
        res.setHeader('Content-Type', 'application/json; charset=utf-8')
        res.end(JSON.stringify({ error: { code: 'internal', message: 'the server could not load its web app; try again' } }))
      },
    )
  }
  const answer = (res: http.ServerResponse, req: http.IncomingMessage, status: number, contentType: string, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...securityHeaders, ...extra, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) })
    res.end(req.method === 'HEAD' ? undefined : body)
  }
  return (req, res) => {
    if (app) {
      app(req, res)
      return
    }
    const path = readPath(req)
    if (path === '/healthz') {
      healthAnswer(deps.health).then(
        ({ status, body }) => answer(res, req, status, 'application/json; charset=utf-8', JSON.stringify(body), { 'Cache-Control': 'no-store' }),
        () => throughApp(req, res),
      )
      return
    }
    if (path === '/metrics' && canReadMetrics(req, deps.metricsAccess)) {
      deps.metrics.metrics().then(
        (text) => answer(res, req, 200, deps.metrics.contentType, text),
        () => throughApp(req, res),
      )
      return
    }
    throughApp(req, res)
  }
}

/** The path of a GET or HEAD request (without its query), else null. */
function readPath(req: http.IncomingMessage): string | null {
  if (req.method !== 'GET' && req.method !== 'HEAD') return null
  const url = req.url ?? ''
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}
