/**
 * The history routes under `/api/sessions`: the revision list, restore, and exports of a given
 * revision (`/export?rev=N`; without `rev` the request falls through to the live/archived export).
 */
import type { Router } from 'express'
import { z } from 'zod'
import type { ExportFormat } from '../../../shared/api.ts'
import { errorBodySchema, revisionSchema } from '../../../shared/api-responses.ts'
import { isSessionId } from '../../../shared/doc-name.ts'
import { AppError } from '../../../shared/errors.ts'
import { renderInWorker } from '../../workers/heavy-work.ts'
import type { Archiver } from '../../archive/archiver.ts'
import type { HistoryService } from '../../history/history-service.ts'
import type { SessionService } from '../../sessions/session-service.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import { restoreBody, restoreNoticeSchema } from '../../../shared/restore-notice.ts'
import { parseBody } from '../../sessions/parse-body.ts'
import { documentedRouter, errorResponses, type ApiRouteSpec } from '../api-route.ts'
import { bearerSecret } from '../bearer.ts'
import { allExportFormats, parseExportQuery } from '../export-query.ts'

/** `:id` of the session routes. */
export const sessionIdParams = z.object({ id: z.string().describe('the session id') })

/**
 * `GET /api/sessions/:id/export`, served by two routers (a revision here, the live or archived
 * pad in `sessions.ts`): both declare this one spec.
 */
export const exportRouteSpec: Omit<ApiRouteSpec, 'path'> & { path: '/:id/export' } = {
  method: 'get',
  path: '/:id/export',
  summary: 'Export a pad as Markdown, HTML, plain text or JSON, or its recap as text or an e-mail (a download)',
  description:
    'The live pad, or the frozen archive of an ended session; with `rev`, that revision of the pad (without the chat). `recap` is the plain-text recap (decisions, action items by owner, participants, archive link) and `eml` the recap mail as sent to the track\'s list (message/rfc822); neither takes `rev`.',
  params: sessionIdParams,
  query: z.object({
    format: z.enum(allExportFormats).default('md'),
    rev: z.coerce.number().int().min(1).optional().describe('a revision number from /revisions'),
  }),
  responses: {
    200: { description: 'The file, as an attachment', contentType: ['text/markdown', 'text/html', 'text/plain', 'application/json', 'message/rfc822'] },
    ...errorResponses(errorBodySchema, 400, 404),
  },
}

function revNumber(raw: unknown): number {
  const rev = typeof raw === 'string' || typeof raw === 'number' ? Number(raw) : Number.NaN
  if (!Number.isInteger(rev) || rev < 1) throw new AppError('bad_request', 'rev must be a revision number (1, 2, ...)')
  return rev
}

/**
 * The history routes, to be mounted at `/api/sessions` (before `sessionsRouter`). A revision's
 * export makes its links absolute against the archiver's `publicUrl` (`PUBLIC_URL`), or leaves them out.
 */
export function historyRouter(sessions: SessionService, history: HistoryService, meta: MetaStore, archiver: Pick<Archiver, 'publicUrl'>): Router {
  const api = documentedRouter('/api/sessions')
  const load = (id: string) => {
    if (!isSessionId(id)) throw new AppError('session_not_found', `no session with id "${id.slice(0, 64)}"`)
    return sessions.require(id)
  }

  api.route({
    method: 'get',
    path: '/:id/revisions',
    summary: 'The saved revisions of a pad, oldest first',
    params: sessionIdParams,
    responses: { 200: { description: 'Revisions', schema: z.object({ revisions: z.array(revisionSchema) }) }, ...errorResponses(errorBodySchema, 404) },
  }, async (req, res) => {
    res.json({ revisions: await history.list(await load(req.params.id)) })
  })

  api.route({
    method: 'post',
    path: '/:id/restore',
    summary: 'Restore the pad to a revision (moderator), saved as a new revision',
    auth: 'moderator secret',
    params: sessionIdParams,
    body: restoreBody,
    responses: { 200: { description: 'The new revision, and the notice every open pad shows (its `before` undoes the restore)', schema: z.object({ rev: z.number().int(), notice: restoreNoticeSchema }) }, ...errorResponses(errorBodySchema, 400, 401, 403, 404, 409) },
  }, async (req, res) => {
    const session = await load(req.params.id)
    const body = parseBody(restoreBody, req.body)
    const rev = revNumber(body.rev)
    const notice = await history.restore(session, rev, bearerSecret(req), body.by ?? '', body.undoes ?? null)
    // `rev` is the restore's own revision; `notice` is what every pad shows (its `before` undoes it).
    res.json({ rev: notice.rev, notice })
  })

  api.route(exportRouteSpec, async (req, res, next) => {
    // Repeated or unknown query keys are refused here, before either export route reads them.
    const query = parseExportQuery(req.query)
    if (query.rev === undefined) {
      next()
      return
    }
    const format = query.format
    if (format === 'recap' || format === 'eml') throw new AppError('bad_request', `the ${format} export is made from the session's outcomes and has no revisions; leave out rev`)
    const session = await load(req.params.id)
    const rev = revNumber(query.rev)
    const { padUpdate, snapshot } = await history.revisionSource(session, rev)
    // A revision is the pad at that moment: the chat is not part of it. Rebuilding and rendering
    // it happen in a worker (issue 15: no request keeps the event loop).
    const rendered = await renderInWorker(format as ExportFormat, { session, padUpdate, snapshot, participants: await meta.listParticipants(session.id), chat: [], publicUrl: archiver.publicUrl, keepEmptySections: true })
    res.attachment(rendered.fileName.replace(/(\.[a-z]+)$/, `-rev${rev}$1`)).type(rendered.contentType).set('Cache-Control', 'no-store').send(rendered.body)
  })

  return api.router
}
