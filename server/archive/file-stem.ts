/** The file names of exports, apart from the exporters (`exports.ts`), which load the editor's model. */
import type { Session } from '../../shared/api.ts'

/** A file name from the session title: lowercase words joined by dashes, or the session id. */
export function fileStem(session: Session): string {
  const slug = session.title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  return slug || session.id
}
