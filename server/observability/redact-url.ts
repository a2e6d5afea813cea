/** Connection URLs (Redis, PostgreSQL) as logs and error messages may show them. */

/**
 * `url` with its password replaced: `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
 * A URL that does not parse is not shown at all, since where its password is cannot be known.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparsable URL)'
  }
}
