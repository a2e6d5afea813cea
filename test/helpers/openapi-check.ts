/**
 * Checks real HTTP answers against the server's own OpenAPI document: `OpenApiChecker.fetch` is
 * `fetch` that, for every JSON answer, finds the operation (method + path template) and the
 * response of its status in the document and validates the body with ajv (JSON Schema 2020-12,
 * as OpenAPI 3.1 uses). An answer whose status or content type the document does not list fails.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { OpenApiDocument } from '../../server/http/openapi.ts'

/** One checked answer. */
export interface CheckedResponse {
  status: number
  contentType: string
  body: unknown
  text: string
}

/** Validates answers against one OpenAPI document; `seen` records what was checked. */
export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true })
  private readonly templates: { path: string; pattern: RegExp }[]
  /** `METHOD template status` of every answer checked, for coverage assertions. */
  readonly seen = new Set<string>()

  constructor(readonly doc: OpenApiDocument) {
    addFormats.default(this.ajv)
    this.templates = Object.keys(doc.paths).map((path) => ({ path, pattern: new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`) }))
  }

  /** The document's path template for a concrete path (literal templates win over `{param}` ones). */
  templateFor(pathname: string): string | null {
    const matches = this.templates.filter((t) => t.pattern.test(pathname))
    matches.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0))
    return matches[0]?.path ?? null
  }

  /** Fetches, then validates the answer against the document; throws naming what does not match. */
  async fetch(url: string, init: RequestInit = {}): Promise<CheckedResponse> {
    const res = await fetch(url, init)
    const method = (init.method ?? 'GET').toLowerCase()
    const pathname = new URL(url).pathname
    const text = await res.text()
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim()
    const template = this.templateFor(pathname)
    const where = `${method.toUpperCase()} ${pathname} → ${res.status}`
    if (!template) throw new Error(`${where}: no path of the OpenAPI document matches`)
    const operation = this.doc.paths[template]?.[method]
    if (!operation) throw new Error(`${where}: the document has no ${method.toUpperCase()} ${template}`)
    const response = operation.responses[String(res.status)]
    if (!response) throw new Error(`${where}: status not in the document (it lists ${Object.keys(operation.responses).join(', ')})`)
    this.seen.add(`${method.toUpperCase()} ${template} ${res.status}`)
    let body: unknown = text
    if (response.content) {
      const media = response.content[contentType]
      if (!media) throw new Error(`${where}: content type ${contentType} not in the document (${Object.keys(response.content).join(', ')})`)
      if (contentType === 'application/json') {
        body = JSON.parse(text)
        const validate = this.ajv.compile(media.schema)
        if (!validate(body)) throw new Error(`${where}: body does not match the document: ${this.ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`)
      }
    } else if (text.length > 0) {
      throw new Error(`${where}: the document says no body, got ${contentType}`)
    }
    return { status: res.status, contentType, body, text }
  }
}
