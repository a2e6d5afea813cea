/**
 * `/api/me` (issue 20 part 4): a person's summit, the sessions they listened to, the summit
 * report, and carrying their identity to another device. Every route but redeeming a code takes
 * the person's browser credential, `Authorization: Bearer <identity id>.<person key>` (see
 * `me/my-summit-service.ts`).
 */
import type { Request, Router } from 'express'
import { z } from 'zod'
import { errorBodySchema, mySummitSchema } from '../../../shared/api-responses.ts'
import { isSessionId } from '../../../shared/doc-name.ts'
import { AppError } from '../../../shared/errors.ts'
import { reportFormats } from '../../../shared/my-summit.ts'
import { isTimeZone } from '../../../shared/time-zone.ts'
import { parsePersonCredential } from '../../me/my-summit-service.ts'
import type { SessionService } from '../../sessions/session-service.ts'
import { reportInWorker } from '../../workers/heavy-work.ts'
import { documentedRouter, errorResponses } from '../api-route.ts'
import type { CreationLimit } from '../creation-limit.ts'

const personAuth = 'person credential: Bearer <identity id>.<person key>'
const nameField = z.string().trim().max(60)
const summitQuery = z
  .object({
    name: nameField.optional().describe('your current name; action items owned by it (or its first word) are yours'),
    timeZone: z.string().max(64).optional().describe('IANA time zone the days are in @default UTC'),
  })
  .strict()
const reportQuery = summitQuery.extend({ format: z.enum(reportFormats).default('md').describe('`md` or `html`') }).strict()
const listenedParams = z.object({ id: z.string().describe('the session id') })
/** `POST /api/me/transfer` body: how the identity shows on the other device. */
export const transferBody = z.object({ name: nameField.min(1), color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'color must be #rrggbb') }).strict()
/** `POST /api/me/transfer/redeem` body. */
export const redeemBody = z.object({ code: z.string().max(32) }).strict()

function credentialOf(req: Request) {
  const header = req.get('authorization')
  if (header === undefined) return null
  const match = /^Bearer\s+(\S{1,260})\s*$/i.exec(header)
  const credential = match ? parsePersonCredential(match[1]!) : null
  if (!credential) throw new AppError('unauthorized', 'the Authorization header must be "Bearer <identity id>.<person key>"')
  return credential
}

function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query)
  if (!parsed.success) throw new AppError('bad_request', `invalid query: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; ')}`)
  const value = parsed.data as { timeZone?: string }
  if (value.timeZone !== undefined && !isTimeZone(value.timeZone)) throw new AppError('bad_request', `unknown time zone "${value.timeZone}"`)
  return parsed.data
}

/** The `/api/me` router; `redeemLimit` bounds how fast one address may try transfer codes. */
export function meRouter(sessions: SessionService, redeemLimit: CreationLimit): Router {
  const api = documentedRouter('/api/me')
  // Read per request: the router is built before (and without) the services in some tests.
  const mySummit = () => sessions.mySummit

  api.route({
    method: 'get',
    path: '/',
    summary: 'Your summit: the sessions you took part in or listened to, by track and day, with decisions and your own action items',
    auth: personAuth,
    query: summitQuery,
    responses: { 200: { description: 'The summit', schema: z.object({ summit: mySummitSchema }) }, ...errorResponses(errorBodySchema, 400, 401, 403) },
  }, async (req, res) => {
    const personId = await mySummit().authenticate(credentialOf(req))
    const query = parseQuery(summitQuery, req.query)
    res.set('Cache-Control', 'no-store').json({ summit: await mySummit().summit(personId, query.name ?? '', query.timeZone ?? 'UTC') })
  })

  api.route({
    method: 'get',
    path: '/report',
    summary: 'Your summit report, ready to post: Markdown or a standalone HTML page',
    auth: personAuth,
    query: reportQuery,
    responses: { 200: { description: 'my-summit.md or my-summit.html', contentType: ['text/markdown', 'text/html'] }, ...errorResponses(errorBodySchema, 400, 401, 403, 503) },
  }, async (req, res) => {
    const personId = await mySummit().authenticate(credentialOf(req))
    const query = parseQuery(reportQuery, req.query)
    const summit = await mySummit().summit(personId, query.name ?? '', query.timeZone ?? 'UTC')
    const origin = `${req.protocol}://${req.get('host') ?? 'localhost'}`
    const body = await reportInWorker({ format: query.format, source: { summit, author: query.name ?? '', origin } })
    res
      .attachment(`my-summit.${query.format}`)
      .type(query.format === 'md' ? 'text/markdown; charset=utf-8' : 'text/html; charset=utf-8')
      .set('Cache-Control', 'no-store')
      .send(body)
  })

  api.route({
    method: 'put',
    path: '/listened/:id',
    summary: 'Add a session you listened to (without writing in it) to your summit',
    auth: personAuth,
    params: listenedParams,
    responses: { 204: { description: 'Added (or already there)' }, ...errorResponses(errorBodySchema, 401, 403, 404, 409) },
  }, async (req, res) => {
    const personId = await mySummit().authenticate(credentialOf(req))
    const id = req.params.id
    if (!isSessionId(id)) throw new AppError('session_not_found', `no session with id "${id.slice(0, 64)}"`)
    await mySummit().addListened(personId, id)
    res.status(204).end()
  })

  api.route({
    method: 'delete',
    path: '/listened/:id',
    summary: 'Remove a session you added as listened',
    auth: personAuth,
    params: listenedParams,
    responses: { 204: { description: 'Removed' }, ...errorResponses(errorBodySchema, 401, 403, 404) },
  }, async (req, res) => {
    const personId = await mySummit().authenticate(credentialOf(req))
    await mySummit().removeListened(personId, req.params.id.slice(0, 64))
    res.status(204).end()
  })

  api.route({
    method: 'post',
    path: '/transfer',
    summary: 'A one-time code (and link) that carries your identity to another device; shown once, works once, expires',
    auth: personAuth,
    body: transferBody,
    responses: {
      201: { description: 'The code, the link that carries it, and when it expires', schema: z.object({ code: z.string(), link: z.string(), expiresAt: z.string() }) },
      ...errorResponses(errorBodySchema, 400, 401, 403, 429),
    },
  }, async (req, res) => {
    const personId = await mySummit().authenticate(credentialOf(req))
    const body = transferBody.safeParse(req.body)
    if (!body.success) throw new AppError('invalid_body', `invalid body: ${body.error.issues[0]?.message ?? ''}; expected { name, color }`)
    const { code, expiresAt } = await mySummit().createTransfer(personId, body.data)
    res.status(201).set('Cache-Control', 'no-store').json({ code, link: `/me/claim#code=${code}`, expiresAt })
  })

  api.route({
    method: 'post',
    path: '/transfer/redeem',
    summary: 'Redeem a transfer code on the new device: the identity it carries and a person key for this browser',
    body: redeemBody,
    responses: {
      200: {
        description: 'The identity and this browser’s person key',
        schema: z.object({ identity: z.object({ id: z.string(), name: z.string(), color: z.string() }), personKey: z.string() }),
      },
      ...errorResponses(errorBodySchema, 400, 404, 429),
    },
  }, async (req, res) => {
    const verdict = redeemLimit.take(req.ip ?? 'unknown')
    if (!verdict.ok) {
      res.set('Retry-After', String(verdict.retryAfterSeconds))
      throw new AppError('rate_limited', `too many codes tried; try again in ${verdict.retryAfterSeconds} s`)
    }
    const body = redeemBody.safeParse(req.body)
    if (!body.success) throw new AppError('invalid_body', 'expected { code }: the 8-letter code shown on your other device')
    res.set('Cache-Control', 'no-store').json(await mySummit().redeem(body.data.code))
  })

  return api.router
}
