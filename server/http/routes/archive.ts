/**
 * `/api/archive`: every ended session with its outcomes, full-text search over archived pads,
 * the action items by owner (the owners, then one owner's items in pages), and the whole archive as one zip (organizers only: it holds
 * every session's chat and participants at once).
 */
import { once } from 'node:events'
import type { Router } from 'express'
import { z } from 'zod'
import { archiveHitSchema, archiveSummarySchema, errorBodySchema, outcomesSchema, sessionSchema } from '../../../shared/api-responses.ts'
import { AppError } from '../../../shared/errors.ts'
import type { Archiver } from '../../archive/archiver.ts'
import { actionOwners, defaultActionPage, maxActionPage, ownerActions } from '../../archive/action-chains.ts'
import { decodeIndexCursor, defaultIndexPage, encodeIndexCursor, maxIndexPage } from '../../archive/index-cursor.ts'
import type { MetaStore } from '../../storage/meta-store.ts'
import type { OrganizerAuth } from '../organizer-auth.ts'
import { documentedRouter, errorResponses } from '../api-route.ts'

const searchQuery = z
  .object({
    q: z.string().max(500).optional().describe('words to search for; absent: list the archived sessions, a page at a time'),
    limit: z.coerce.number().int().min(1).max(maxIndexPage).optional().describe(`sessions per page of the list (default ${defaultIndexPage}, at most ${maxIndexPage})`),
    after: z.string().max(2000).optional().describe('the `next` cursor of the page before'),
  })
  .strict()

const actionsQuery = z
  .object({
    owner: z.string().max(200).optional().describe('an owner (with or without the @); empty: the items without an owner; absent: list the owners'),
    limit: z.coerce.number().int().min(1).max(maxActionPage).optional().describe(`items per page (default ${defaultActionPage}, at most ${maxActionPage})`),
    after: z.string().max(2000).optional().describe('the `next` cursor of the page before'),
  })
  .strict()

const ownedActionSchema = outcomesSchema.shape.actions.element.extend({
  session: sessionSchema.pick({ id: true, title: true, track: true }),
  chain: z.array(sessionSchema.pick({ id: true, title: true })).describe('every session the item was seen in, oldest first (follow-ups carry open items on)'),
})

/** The archive router, to be mounted at `/api/archive`; the zip is for organizers. */
export function archiveRouter(meta: MetaStore, archiver: Archiver, organizers: OrganizerAuth): Router {
  const api = documentedRouter('/api/archive')

  api.route({
    method: 'get',
    path: '/',
    summary: 'Every archived (ended) session with its outcomes, or a full-text search over them',
    query: searchQuery,
    responses: {
      200: {
        description: 'Without `q`: one page `{ sessions, next }` by track, date and title (`next`: the cursor of the following page, or null at the end); with it: `{ query, hits }`, best first',
        schema: z.union([z.object({ sessions: z.array(archiveSummarySchema), next: z.string().nullable() }), z.object({ query: z.string(), hits: z.array(archiveHitSchema) })]),
      },
      ...errorResponses(errorBodySchema, 400),
    },
  }, async (req, res) => {
    const query = searchQuery.safeParse(req.query)
    if (!query.success) throw new AppError('bad_request', `the query parameters are q (at most 500 characters), limit (1 to ${maxIndexPage}) and after (a cursor)`)
    const q = query.data.q?.trim()
    if (q) {
      res.json({ query: q, hits: await meta.searchArchive(q) })
      return
    }
    const page = await meta.listArchivePage(query.data.after ? decodeIndexCursor(query.data.after) : null, query.data.limit ?? defaultIndexPage)
    res.json({ sessions: page.sessions, next: page.next ? encodeIndexCursor(page.next) : null })
  })

  api.route({
    method: 'get',
    path: '/actions',
    summary: 'The action items of the archive by owner: without `owner`, every owner with counts; with it, that owner\'s items a page at a time, each with its latest state and the sessions it passed through',
    query: actionsQuery,
    responses: {
      200: {
        description:
          'Without `owner`: `{ owners }`, by name, no owner last (`total`: items, each counted once at the last session it was seen in; `open`: those not done). With it: `{ owner, actions, next }`, latest session first (`next`: the cursor of the following page, or null at the end)',
        schema: z.union([
          z.object({ owners: z.array(z.object({ owner: z.string().nullable(), total: z.number().int(), open: z.number().int() })) }),
          z.object({ owner: z.string().nullable(), actions: z.array(ownedActionSchema), next: z.string().nullable() }),
        ]),
      },
      ...errorResponses(errorBodySchema, 400),
    },
  }, async (req, res) => {
    const query = actionsQuery.safeParse(req.query)
    if (!query.success) throw new AppError('bad_request', `the query parameters are owner (at most 200 characters; empty: items without an owner), limit (1 to ${maxActionPage}) and after (a cursor)`)
    const { owner, limit, after } = query.data
    if (owner === undefined) {
      if (after !== undefined || limit !== undefined) throw new AppError('bad_request', 'limit and after page one owner\'s items: name the owner')
      res.json({ owners: await actionOwners(meta, archiver) })
      return
    }
    const name = owner.replace(/^@/, '') || null
    const page = await ownerActions(meta, archiver, name, after ?? null, limit ?? defaultActionPage)
    res.json({ owner: name, ...page })
  })

  api.route({
    method: 'get',
    path: '/export.zip',
    summary: 'The whole archive as one zip (organizers): every archived session as Markdown, by track, with an index; streamed',
    auth: 'organizer token (or the organizer sign-in cookie)',
    responses: { 200: { description: 'summit-archive.zip', contentType: 'application/zip' }, ...errorResponses(errorBodySchema, 401, 403) },
  }, async (req, res) => {
    const organizer = await organizers.require(req, 'the archive zip')
    await organizers.audit(organizer, 'archive.export', null, {})
    // Streamed: headers go out with the first entry; a failure after that can only cut the
    // response short (the zip then lacks its central directory and no client accepts it).
    const write = async (chunk: Uint8Array) => {
      if (!res.headersSent) res.attachment('summit-archive.zip').type('application/zip').set('Cache-Control', 'no-store')
      if (!res.write(chunk)) await once(res, 'drain')
    }
    // Loaded with the first zip: fflate and the exporters are not held by a server that makes none.
    const { writeArchiveZip } = await import('../../archive/archive-zip.ts')
    try {
      await writeArchiveZip(meta, write, archiver.publicUrl)
    } catch (error) {
      if (!res.headersSent) throw error
      res.destroy()
      return
    }
    res.end()
  })

  return api.router
}
