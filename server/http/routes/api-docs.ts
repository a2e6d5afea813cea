/**
 * `/api/openapi.json` (the OpenAPI 3.1 document of every declared route) and `/api/docs` (the
 * same as a readable page). Both are built on first request, when every router has declared its
 * routes, and kept.
 */
import type { Router } from 'express'
import { z } from 'zod'
import { registeredRoutes } from '../api-route.ts'
import { documentedRouter } from '../api-route.ts'
import { buildOpenApiDocument, renderApiPage, type OpenApiDocument } from '../openapi.ts'

/** The docs router, to be mounted at `/api`; `version` is the package's. */
export function apiDocsRouter(version: string): Router {
  const api = documentedRouter('/api')
  let doc: OpenApiDocument | null = null
  let page: string | null = null
  const document = () => (doc ??= buildOpenApiDocument(registeredRoutes(), version))

  api.route({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document (OpenAPI 3.1)',
    responses: { 200: { description: 'The OpenAPI document', schema: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }) } },
  }, (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(document())
  })

  api.route({
    method: 'get',
    path: '/docs',
    summary: 'The API page: this document for people',
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  }, (_req, res) => {
    page ??= renderApiPage(document())
    res.set('Cache-Control', 'no-cache').type('html').send(page)
  })

  return api.router
}
