/**
 * `/api/organizer/deliveries` (issue 20): the outbox as organizers see it (the last deliveries
 * with status, response code and next retry) and resending one. Organizers only (401/403);
 * a resend is recorded in the audit log as `delivery.resend`.
 */
import type { Router } from 'express'
import { z } from 'zod'
import { deliverySchema, errorBodySchema, type Delivery } from '../../../shared/api-responses.ts'
import { AppError } from '../../../shared/errors.ts'
import type { OutboxMessage } from '../../outbox/outbox-message.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import { documentedRouter, errorResponses } from '../api-route.ts'
import type { OrganizerAuth } from '../organizer-auth.ts'

const deliveriesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.string().max(100).optional().describe('a delivery id: the page after it'),
  })
  .strict()

const deliveryParams = z.object({ id: z.string().min(1).max(100) })

/** A stored delivery without its body. */
export function toDelivery({ body: _body, ...delivery }: OutboxMessage): Delivery {
  return delivery
}

/** The router to mount at `/api/organizer/deliveries`; `written` wakes the dispatcher. */
export function deliveriesRouter(auth: OrganizerAuth, meta: MetaStore, written: () => void): Router {
  const api = documentedRouter('/api/organizer/deliveries')
  api.route({
    method: 'get',
    path: '/',
    tag: 'deliveries',
    summary: 'Webhook and recap-mail deliveries, newest first, with status, response code and next retry (organizers)',
    auth: 'organizer token (or the organizer sign-in cookie)',
    query: deliveriesQuery,
    responses: { 200: { description: 'Deliveries', schema: z.object({ deliveries: z.array(deliverySchema) }) }, ...errorResponses(errorBodySchema, 400, 401, 403) },
  }, async (req, res) => {
    await auth.require(req, 'reading the deliveries')
    const query = deliveriesQuery.safeParse(req.query)
    if (!query.success) throw new AppError('bad_request', 'the query parameters are limit (1-500) and before (a delivery id), each at most once')
    const deliveries = await meta.listOutbox(query.data)
    res.set('Cache-Control', 'no-store').json({ deliveries: deliveries.map(toDelivery) })
  })

  api.route({
    method: 'post',
    path: '/:id/resend',
    tag: 'deliveries',
    summary: 'Send a delivered or dead delivery again, now, with a fresh retry window (organizers)',
    description: 'The same body and id as before (receivers drop duplicates by id). 409 while it is still pending.',
    auth: 'organizer token (or the organizer sign-in cookie)',
    params: deliveryParams,
    responses: { 200: { description: 'The delivery, pending again', schema: z.object({ delivery: deliverySchema }) }, ...errorResponses(errorBodySchema, 401, 403, 404, 409) },
  }, async (req, res) => {
    const organizer = await auth.require(req, 'resending a delivery')
    const id = req.params.id.slice(0, 100)
    const before = await meta.getOutbox(id)
    if (!before) throw new AppError('not_found', `no delivery "${id}"`)
    if (before.status === 'pending') throw new AppError('conflict', 'this delivery is still pending: it is retried on its own')
    const delivery = (await meta.resendOutbox(id, Date.now()))!
    await auth.audit(organizer, 'delivery.resend', id, { channel: delivery.channel, target: delivery.target, event: delivery.event, was: before.status })
    written()
    res.set('Cache-Control', 'no-store').json({ delivery: toDelivery(delivery) })
  })
  return api.router
}
