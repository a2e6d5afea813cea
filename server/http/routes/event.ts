/**
 * The event as a whole (issue 19): `GET /api/event` (its time zone, which every page shows times
 * in) and `GET /j/:code`, the short way into a live session read off the projector.
 */
import type { Router } from 'express'
import { z } from 'zod'
import { errorBodySchema } from '../../../shared/api-responses.ts'
import { AppError } from '../../../shared/errors.ts'
import type { SessionService } from '../../sessions/session-service.ts'
import { documentedRouter, errorResponses } from '../api-route.ts'

/** `GET /api/event` answer. */
export const eventSchema = z
  .object({
    timeZone: z.string().describe('IANA time zone of the event: set by the last schedule import, else EVENT_TIME_ZONE'),
  })
  .meta({ id: 'Event' })

/** The event router, mounted at `/api`. Anyone may read it. */
export function eventRouter(eventTimeZone: () => Promise<string>): Router {
  const api = documentedRouter('/api')
  api.route({
    method: 'get',
    path: '/event',
    tag: 'event',
    summary: 'The event: its time zone (IANA), in which pages show times and schedules without an offset are read',
    responses: { 200: { description: 'The event', schema: eventSchema } },
  }, async (_req, res) => {
    res.set('Cache-Control', 'no-cache').json({ timeZone: await eventTimeZone() })
  })
  return api.router
}

const joinParams = z.object({ code: z.string().max(16) })

/**
 * The join router, mounted at `/`: `GET /j/:code` (any case) redirects (302) to the live session's
 * attendee page; a code no live session holds (it ended, or never was) is a 404: a short page
 * saying so for browsers, the JSON error for others.
 */
export function joinRouter(sessions: SessionService): Router {
  const api = documentedRouter('')
  api.route({
    method: 'get',
    path: '/j/:code',
    tag: 'sessions',
    summary: 'Join a live session by the short code its projector shows (any case): redirects to its attendee page',
    params: joinParams,
    responses: {
      302: { description: 'To `/s/<id>`, the attendee page' },
      404: { description: 'No live session has the code (it ended, or was mistyped)', contentType: ['text/html', 'application/json'], schema: errorBodySchema },
    },
  }, async (req, res) => {
    const code = String(req.params.code).slice(0, 16)
    const session = await sessions.findByJoinCode(code)
    if (session) {
      res.status(302).set('Cache-Control', 'no-store').location(`/s/${session.id}`).end()
      return
    }
    const message = `No live session has the join code "${code}". The session may have ended (codes stop working then), or a character was misread: codes use the letters and digits on the projector, without 0, O, 1, I or L.`
    if (req.accepts(['json', 'html']) === 'html') {
      res.status(404).set('Cache-Control', 'no-store').type('html').send(notFoundPage(message))
      return
    }
    throw new AppError('not_found', message)
  })
  return api.router
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

function notFoundPage(message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Join code not found · summitpad</title>
<style>body{font:1.125rem/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}main{max-width:36rem;margin:3rem auto;padding:0 1rem}a{color:#0b4fa8}</style></head>
<body><main><h1>Join code not found</h1><p>${escapeHtml(message)}</p><p><a href="/">See the schedule</a></p></main></body>
</html>`
}
