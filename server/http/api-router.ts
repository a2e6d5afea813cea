/**
 * The JSON API under `/api`: its body parsers and every router of it, ending with the API's
 * not-found answer. app.ts loads this module on the first request under /api (issue 21, item 4:
 * an idle server holds none of the routes, their schemas, nor the packages only they use).
 */
import express, { type Router } from 'express'
import { z } from 'zod'
import { AppError } from '../../shared/errors.ts'
import { documentedRouter } from './api-route.ts'
import type { AppDeps } from './app-deps.ts'
import { maxCreateBytes, maxJsonBytes, maxScheduleBytes } from './body-limits.ts'
import { CreationLimit } from './creation-limit.ts'
import { apiDocsRouter } from './routes/api-docs.ts'
import { archiveRouter } from './routes/archive.ts'
import { deliveriesRouter } from './routes/deliveries.ts'
import { eventRouter } from './routes/event.ts'
import { followUpsRouter } from './routes/follow-ups.ts'
import { historyRouter } from './routes/history.ts'
import { meRouter } from './routes/me.ts'
import { auditRouter, organizerRouter } from './routes/organizer.ts'
import { scheduleRouter } from './routes/schedule.ts'
import { maxEtherpadBodyBytes, sessionsRouter } from './routes/sessions.ts'

/** The router app.ts mounts at `/api`. */
export function apiRouter(deps: AppDeps): Router {
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
  return api
}
