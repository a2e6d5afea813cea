/**
 * The app of the separate metrics listener (`METRICS_PORT`), loaded only when one is configured:
 * `/metrics` only, token-guarded when a token is set (see metrics-access.ts).
 */
import express, { type Express } from 'express'
import type { Registry } from 'prom-client'
import { canReadMetrics, type MetricsAccess } from './metrics-access.ts'

/** The app of the separate metrics listener (`METRICS_PORT`): `/metrics` only, token-guarded when one is set. */
export function createMetricsApp(registry: Registry, token: string | null): Express {
  const app = express()
  app.disable('x-powered-by')
  const access: MetricsAccess = token ? { kind: 'token', token } : { kind: 'open' }
  app.get('/metrics', async (req, res) => {
    if (!canReadMetrics(req, access)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').type('text/plain').send('metrics need "Authorization: Bearer <METRICS_TOKEN>"\n')
      return
    }
    res.type(registry.contentType).send(await registry.metrics())
  })
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found\n')
  })
  return app
}
