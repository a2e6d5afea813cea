/**
 * Routes of the HTTP API declared once: `documentedRouter(mountPath)` gives an express Router and
 * a `route(spec, handler)` that both mounts the handler and records the spec (method, path,
 * summary, the zod schemas of the request and of each response) for the OpenAPI document
 * (`openapi.ts`). Adding a route to the API is one `route({...}, handler)` call in its router.
 *
 *   const api = documentedRouter('/api/things')
 *   api.route({ method: 'get', path: '/:id', summary: 'Read a thing', params: z.object({ id: z.string() }),
 *     responses: { 200: { description: 'The thing', schema: thingSchema } } }, async (req, res) => { ... })
 *   return api.router   // app.ts mounts it at the same path: api.use('/things', ...)
 *
 * The request schemas are the ones the route validates with (directly or through its service);
 * the document is generated from them, never written by hand. A test walks the app's router stack
 * and fails on any mounted route missing from the document.
 */
import { Router, type RequestHandler } from 'express'
import type { RouteParameters } from 'express-serve-static-core'
import type { z } from 'zod'

/** HTTP methods the API uses. */
export type ApiMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** One response of a route: JSON described by `schema`, or another `contentType` (files). */
export interface ApiResponse {
  description: string
  /** The JSON body; absent for empty bodies and non-JSON content. */
  schema?: z.ZodType
  /** @default 'application/json' when `schema` is given */
  contentType?: string | string[]
}

/** What the document says about one route. */
export interface ApiRouteSpec {
  method: ApiMethod
  /** Express path relative to the router's mount path (`/`, `/:id`, `/:id/export`). */
  path: string
  summary: string
  /** Longer Markdown text for the API page. */
  description?: string
  /** Groups routes on the API page. @default the mount path's last segment */
  tag?: string
  /** `Authorization: Bearer <secret>`: which secret, if any, the route reads. */
  auth?: string
  params?: z.ZodObject
  query?: z.ZodObject
  body?: z.ZodType
  responses: Record<number, ApiResponse>
}

/** A spec with its full path (`/api/sessions/:id`). */
export interface RegisteredRoute extends ApiRouteSpec {
  fullPath: string
}

const registered = new Map<string, RegisteredRoute>()

/** Every route declared so far, in declaration order (routers declare theirs when created). */
export function registeredRoutes(): RegisteredRoute[] {
  return [...registered.values()]
}

/** A Router whose routes are recorded for the OpenAPI document. */
export interface DocumentedRouter {
  readonly router: Router
  /** Mounts `handlers` for `spec.method` and `spec.path`, and records the spec. */
  route<Path extends string>(spec: ApiRouteSpec & { path: Path }, ...handlers: RequestHandler<RouteParameters<Path>>[]): void
}

/**
 * A router to be mounted at `mountPath` (the full path, e.g. `/api/sessions`). Declaring the same
 * method and path again (a second app in one process) replaces the earlier record.
 */
export function documentedRouter(mountPath: string): DocumentedRouter {
  const router = Router()
  const tag = mountPath.split('/').filter(Boolean).at(-1) ?? 'api'
  return {
    router,
    route(spec, ...handlers) {
      const fullPath = joinPath(mountPath, spec.path)
      registered.set(`${spec.method} ${fullPath}`, { tag, ...spec, fullPath })
      // reason: express's own overloads infer the same RouteParameters from the literal path.
      router[spec.method](spec.path, ...(handlers as RequestHandler[]))
    },
  }
}

/** `/api/sessions` + `/` → `/api/sessions`; + `/:id` → `/api/sessions/:id`. */
export function joinPath(mountPath: string, path: string): string {
  const joined = `${mountPath.replace(/\/$/, '')}${path === '/' ? '' : path}`
  return joined === '' ? '/' : joined
}

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request (`bad_request`, `invalid_body`)',
  401: 'Missing or wrong secret (`unauthorized`)',
  403: 'The secret does not allow this (`forbidden`)',
  404: 'No such session or resource (`session_not_found`, `not_found`)',
  409: 'Not possible in the current state (`conflict`)',
  413: 'Request body too large (`payload_too_large`)',
}

/**
 * Error responses for a spec's `responses`: each status with the `{ error: { code, message } }`
 * envelope. `schema` is `errorBodySchema` (passed in to keep this module free of shared/ imports).
 */
export function errorResponses(schema: z.ZodType, ...statuses: number[]): Record<number, ApiResponse> {
  return Object.fromEntries(statuses.map((status) => [status, { description: errorDescriptions[status] ?? 'Error', schema }]))
}
