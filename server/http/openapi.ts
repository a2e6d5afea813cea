/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the routes declared with
 * `documentedRouter` (`api-route.ts`) and the zod schemas they validate with (`z.toJSONSchema`,
 * JSON Schema 2020-12, which OpenAPI 3.1 uses as is), and the API page rendered from it: plain
 * HTML made on the server, no script and no CDN. Request schemas are described as the client may
 * send them (`io: 'input'`: defaults make fields optional), responses as the server sends them.
 */
import { z } from 'zod'
import { errorBodySchema } from '../../shared/api-responses.ts'
import type { ApiResponse, RegisteredRoute } from './api-route.ts'

/** A JSON Schema object as emitted by zod. */
export type JsonSchema = Record<string, unknown>

/** The parts of the OpenAPI document this module writes (and tests read). */
export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description: string }
  paths: Record<string, Record<string, OpenApiOperation>>
}

/** One operation of the document. */
export interface OpenApiOperation {
  summary: string
  description?: string
  tags: string[]
  operationId: string
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema; description?: string }[]
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> }
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>
  security?: { bearer: [] }[]
}

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as JsonSchema
  delete json.$schema
  return json
}

/** `/api/sessions/:id` → `/api/sessions/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

function responseContent(response: ApiResponse): Record<string, { schema: JsonSchema }> | undefined {
  if (!response.schema && !response.contentType) return undefined
  const types = response.contentType ? [response.contentType].flat() : ['application/json']
  // A file without a schema: any JSON, or a string of its media type.
  const schemaFor = (type: string): JsonSchema => (response.schema ? toSchema(response.schema, 'output') : type === 'application/json' ? {} : { type: 'string', contentMediaType: type })
  return Object.fromEntries(types.map((type) => [type, { schema: schemaFor(type) }]))
}

/** The document for `routes` (see `registeredRoutes()`), served at `/api/openapi.json`. */
export function buildOpenApiDocument(routes: RegisteredRoute[], version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {}
  for (const route of routes) {
    const parameters: NonNullable<OpenApiOperation['parameters']> = []
    const pathNames = [...route.fullPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!)
    for (const name of pathNames) {
      const field = route.params?.shape[name] as z.ZodType | undefined
      parameters.push({ name, in: 'path', required: true, schema: field ? toSchema(field, 'input') : { type: 'string' } })
    }
    if (route.query) {
      const query = toSchema(route.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] }
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        const { description, ...rest } = schema as { description?: string }
        parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema: rest, ...(description ? { description } : {}) })
      }
    }
    const operation: OpenApiOperation = {
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag ?? 'api'],
      operationId: `${route.method}${route.fullPath.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } } : {}),
      // Any route may fail unexpectedly: the envelope with code `internal`, never a stack.
      responses: Object.fromEntries(
        Object.entries({ ...route.responses, 500: route.responses[500] ?? { description: 'Unexpected failure (`internal`)', schema: errorBodySchema } }).map(([status, response]) => {
          const content = responseContent(response)
          return [status, { description: response.description, ...(content ? { content } : {}) }]
        }),
      ),
      ...(route.auth ? { security: [{ bearer: [] as [] }] } : {}),
    }
    if (route.auth) operation.description = [operation.description, `Authorization: \`Bearer <${route.auth}>\`.`].filter(Boolean).join('\n\n')
    const path = openApiPath(route.fullPath)
    paths[path] = { ...paths[path], [route.method]: operation }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'summitpad API',
      version,
      description:
        'JSON API of summitpad. Errors are `{ "error": { "code", "message" } }` with the status of their code. ' +
        'Secrets (moderator, attendee) travel as `Authorization: Bearer <secret>`. The live pads themselves sync over ' +
        'WebSocket at `/sync/<session id>` (the y-websocket protocol), which this document does not describe.',
    },
    paths,
    ...{ components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } },
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
/** Inline code spans of the descriptions (`x`) as <code>; everything else escaped. */
const prose = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>')
const pretty = (schema: unknown) => `<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`

/** The readable API page (`/api/docs`) for `doc`: one section per tag, one entry per operation. */
export function renderApiPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, { path: string; method: string; op: OpenApiOperation }[]>()
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags[0] ?? 'api'
      byTag.set(tag, [...(byTag.get(tag) ?? []), { path, method, op }])
    }
  }
  const sections = [...byTag].map(([tag, ops]) => {
    const entries = ops.map(({ path, method, op }) => {
      const params = (op.parameters ?? []).map((p) => `<li><code>${escapeHtml(p.name)}</code> (${p.in}${p.required ? ', required' : ''}): <code>${escapeHtml(JSON.stringify(p.schema))}</code></li>`).join('')
      const body = op.requestBody ? `<details><summary>Request body (JSON)</summary>${pretty(op.requestBody.content['application/json']?.schema)}</details>` : ''
      const responses = Object.entries(op.responses)
        .map(([status, r]) => {
          const content = r.content ? Object.entries(r.content) : []
          const json = content.find(([type]) => type === 'application/json')
          const types = content.map(([type]) => `<code>${escapeHtml(type)}</code>`).join(', ')
          return `<li><strong>${status}</strong> ${prose(r.description)}${types ? ` (${types})` : ''}${json ? `<details><summary>Schema</summary>${pretty(json[1].schema)}</details>` : ''}</li>`
        })
        .join('')
      return `<section class="op" id="${escapeHtml(op.operationId)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${prose(op.summary)}</p>${op.description ? `<p>${prose(op.description).replace(/\n\n/g, '</p><p>')}</p>` : ''}
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ''}${body}<h4>Responses</h4><ul>${responses}</ul></section>`
    })
    return `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>\n${entries.join('\n')}`
  })
  const toc = [...byTag.keys()].map((tag) => `<a href="#tag-${escapeHtml(tag)}">${escapeHtml(tag)}</a>`).join(' · ')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}pre{background:#f4f4f4;padding:.75rem;overflow:auto}
.op{border-top:1px solid #ddd;padding:.5rem 0}.method{display:inline-block;min-width:4.5em;font-size:.8em;padding:.1em .4em;border-radius:3px;color:#fff;background:#444;text-align:center}
.get{background:#1565c0}.post{background:#2e7d32}.delete{background:#c62828}.put,.patch{background:#6a1b9a}h3{font-size:1.05rem;margin:.5rem 0}
</style></head><body>
<h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${prose(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json"><code>/api/openapi.json</code></a> (OpenAPI 3.1). Sections: ${toc}</p>
${sections.join('\n')}
</body></html>
`
}
