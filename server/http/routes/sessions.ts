/** `/api/sessions`: create, list and read design sessions, and the moderator's actions. */
import type { Request, Response, Router } from 'express'
import { z } from 'zod'
import { createSessionBody, currentBody, etherpadImportQuery, exportFormats, extendBody, listSessionsQuery, type ExportFormat } from '../../../shared/api.ts'
import { archivedSessionSchema, errorBodySchema, etherpadImportSummarySchema, sessionLinksSchema, sessionSchema, sessionViewSchema } from '../../../shared/api-responses.ts'
import type { Archiver } from '../../archive/archiver.ts'
import { renderInWorker } from '../../workers/heavy-work.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import { isSessionId } from '../../../shared/doc-name.ts'
import { AppError } from '../../../shared/errors.ts'
import { moderatorActions, type ModeratorAction, type SessionService } from '../../sessions/session-service.ts'
import { documentedRouter, errorResponses } from '../api-route.ts'
import { bearerSecret } from '../bearer.ts'
import type { CreationLimit } from '../creation-limit.ts'
import type { OrganizerAuth } from '../organizer-auth.ts'
import { parseExportQuery } from '../export-query.ts'
import { renderRecapExport, type RecapExportDeps } from '../../outbox/recap-export.ts'

/** Who may create sessions, and how fast when anyone may. */
export interface CreationPolicy {
  who: 'anyone' | 'organizers'
  /** Applied to everyone but organizers when `who` is `anyone`. */
  limit: CreationLimit
}
import { exportRouteSpec, sessionIdParams } from './history.ts'

/** Largest `POST /api/sessions/etherpad` body: an `.etherpad` file with its revisions. @default 16777216 (16 MiB) */
export const maxEtherpadBodyBytes = 16 * 1024 * 1024

function sessionId(raw: string): string {
  if (!isSessionId(raw)) throw new AppError('session_not_found', `no session with id "${raw.slice(0, 64)}"`)
  return raw
}

/**
 * The sessions router, to be mounted at `/api/sessions`. Creation follows `creation` (organizers
 * are never limited, and their creations are audited); deletion takes the moderator secret or an
 * organizer.
 */
export function sessionsRouter(sessions: SessionService, archiver: Archiver, meta: MetaStore, organizers: OrganizerAuth, creation: CreationPolicy, recap: RecapExportDeps): Router {
  const api = documentedRouter('/api/sessions')
  // Creation follows `creation`: organizers only, or anyone within the per-address and total limits.
  const admitCreation = async (req: Request, res: Response) => {
    const lookup = creation.who === 'organizers' ? { status: 'ok' as const, identity: await organizers.require(req, 'creating a session on this server') } : await organizers.identify(req)
    if (lookup.status !== 'ok') {
      const verdict = creation.limit.take(req.ip ?? 'unknown')
      if (!verdict.ok) {
        res.set('Retry-After', String(verdict.retryAfterSeconds))
        throw new AppError('rate_limited', `${verdict.message}; try again in ${verdict.retryAfterSeconds} s`, { limit: verdict.limit, retryAfterSeconds: verdict.retryAfterSeconds })
      }
    }
    return lookup
  }
  const sessionAnswer = { 200: { description: 'The session as the caller sees it', schema: z.object({ session: sessionViewSchema }) } }

  api.route({
    method: 'post',
    path: '/',
    summary: 'Create a session; the answer holds its three links, whose secrets are shown this once',
    body: createSessionBody,
    responses: {
      201: { description: 'Created', schema: z.object({ session: sessionSchema, links: sessionLinksSchema }) },
      ...errorResponses(errorBodySchema, 400, 401, 403, 413, 422, 429, 503),
    },
  }, async (req, res) => {
    const lookup = await admitCreation(req, res)
    const { session, links } = await sessions.create(req.body)
    if (lookup.status === 'ok') await organizers.audit(lookup.identity, 'session.create', session.id, { title: session.title })
    res.status(201).location(`/api/sessions/${session.id}`).set('Cache-Control', 'no-store').json({ session, links })
  })

  api.route({
    method: 'post',
    path: '/etherpad',
    summary: 'Create a session from an Etherpad export: the body is the `.etherpad`, HTML or text file',
    description:
      'The session\'s fields are query parameters (as `POST /api/sessions` takes them); `format` is `etherpad`, `html` or `text` (guessed from the first character when absent). ' +
      'An `.etherpad` file brings the pad\'s last revision (headings, lists, bold, italic, links), its authors with their names and colours, and its chat. ' +
      `The body may be up to ${maxEtherpadBodyBytes} bytes, of any content type. See docs/etherpad-import.md.`,
    query: etherpadImportQuery,
    responses: {
      201: { description: 'Created', schema: z.object({ session: sessionSchema, links: sessionLinksSchema, imported: etherpadImportSummarySchema }) },
      ...errorResponses(errorBodySchema, 400, 401, 403, 413, 422, 429, 503),
    },
  }, async (req, res) => {
    const lookup = await admitCreation(req, res)
    const file = typeof req.body === 'string' ? req.body : ''
    const { session, links, imported } = await sessions.createFromEtherpad(req.query, file)
    if (lookup.status === 'ok') await organizers.audit(lookup.identity, 'session.create', session.id, { title: session.title, etherpad: imported })
    res.status(201).location(`/api/sessions/${session.id}`).set('Cache-Control', 'no-store').json({ session, links, imported })
  })

  api.route({
    method: 'get',
    path: '/',
    summary: 'List sessions, optionally of one track or state',
    query: listSessionsQuery,
    responses: { 200: { description: 'Sessions', schema: z.object({ sessions: z.array(sessionSchema) }) }, ...errorResponses(errorBodySchema, 400) },
  }, async (req, res) => {
    const query = listSessionsQuery.safeParse(req.query)
    if (!query.success) throw new AppError('bad_request', `invalid query: ${query.error.issues[0]?.message ?? ''}`)
    res.json({ sessions: await sessions.list(query.data) })
  })

  api.route({
    method: 'get',
    path: '/:id',
    summary: 'Read a session, with its phase and the role the presented secret grants',
    auth: 'moderator or attendee secret (optional)',
    params: sessionIdParams,
    responses: { ...sessionAnswer, ...errorResponses(errorBodySchema, 404) },
  }, async (req, res) => {
    res.json({ session: await sessions.view(sessionId(req.params.id), bearerSecret(req)) })
  })

  api.route({
    method: 'delete',
    path: '/:id',
    summary: 'Delete a session and its pad (its moderator, or an organizer)',
    auth: 'moderator secret, or organizer token',
    params: sessionIdParams,
    responses: { 204: { description: 'Deleted' }, ...errorResponses(errorBodySchema, 401, 403, 404) },
  }, async (req, res) => {
    const id = sessionId(req.params.id)
    // An organizer may delete any session; anyone else needs the session's moderator secret.
    const lookup = await organizers.identify(req)
    if (lookup.status === 'ok') {
      await sessions.deleteAsOrganizer(id)
      await organizers.audit(lookup.identity, 'session.delete', id, null)
    } else {
      await sessions.delete(id, bearerSecret(req))
    }
    res.status(204).end()
  })

  api.route(exportRouteSpec, async (req, res) => {
    const format = parseExportQuery(req.query).format
    const session = await sessions.require(sessionId(req.params.id))
    const rendered = format === 'recap' || format === 'eml' ? await renderRecapExport(format, session, archiver, recap) : await renderInWorker(format, await archiver.padSource(session))
    res.attachment(rendered.fileName).type(rendered.contentType).set('Cache-Control', 'no-store').send(rendered.body)
  })

  api.route({
    method: 'get',
    path: '/:id/archive',
    summary: "An ended session's archive record: the frozen pad, outcomes, participants and chat",
    params: sessionIdParams,
    responses: { 200: { description: 'The record', schema: z.object({ archive: archivedSessionSchema }) }, ...errorResponses(errorBodySchema, 404) },
  }, async (req, res) => {
    const id = sessionId(req.params.id)
    const archived = await meta.getArchive(id)
    if (!archived) {
      const session = await sessions.require(id)
      throw new AppError('not_found', session.state === 'ended' ? 'this session has no archive record' : 'this session has not ended yet')
    }
    res.json({ archive: archived })
  })

  api.route({
    method: 'post',
    path: '/:id/:action',
    summary: "A moderator's action: start, extend, move the current item, lock, unlock, show or hide the chat, turn the recap mail off or on, end",
    description: `Actions: ${moderatorActions.map((a) => `\`${a}\``).join(', ')}. \`extend\` takes \`{ minutes }\`, \`current\` takes \`{ itemId }\` or \`{ step }\`; the others take an empty body.`,
    auth: 'moderator secret',
    params: sessionIdParams.extend({ action: z.enum(moderatorActions) }),
    body: z.union([extendBody, currentBody, z.object({}).strict()]),
    responses: { ...sessionAnswer, ...errorResponses(errorBodySchema, 400, 401, 403, 404, 409) },
  }, async (req, res) => {
    const action = req.params.action
    if (!moderatorActions.includes(action as ModeratorAction)) {
      throw new AppError('not_found', `no action "${action.slice(0, 40)}"; actions are ${moderatorActions.join(', ')}`)
    }
    const session = await sessions.act(sessionId(req.params.id), action as ModeratorAction, bearerSecret(req), req.body)
    res.json({ session })
  })

  return api.router
}
