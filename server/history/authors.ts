/**
 * Who is who in a pad's Y.Doc. Authorship follows Y.PermanentUserData: the doc's `users` map
 * holds, per person id, the Yjs client ids they used (`ids`) and the delete sets of what they
 * removed (`ds`). The `authors` map holds each person id's display name and colour. Pure reads.
 */
import * as Y from 'yjs'

/** The name of the Y.Map where clients record their display name and colour by person id. */
export const authorsMapName = 'authors'
/** Y.PermanentUserData's default map name. */
export const usersMapName = 'users'

export interface Author {
  id: string
  name: string
  color: string
}

/** Client id → person id, from the doc's PermanentUserData map. */
export function clientOwners(ydoc: Y.Doc): Map<number, string> {
  const owners = new Map<number, string>()
  ydoc.getMap<Y.Map<unknown>>(usersMapName).forEach((user, personId) => {
    const ids = user instanceof Y.Map ? user.get('ids') : null
    if (ids instanceof Y.Array) for (const client of ids.toArray()) if (typeof client === 'number') owners.set(client, personId)
  })
  return owners
}

/** The display name and colour of each person id in `ids` (unknown ids get a neutral entry). */
export function describeAuthors(ydoc: Y.Doc, ids: Iterable<string>): Author[] {
  const authors = ydoc.getMap<unknown>(authorsMapName)
  return [...ids].map((id) => {
    const entry = authors.get(id) as { name?: unknown; color?: unknown } | undefined
    const name = typeof entry?.name === 'string' ? entry.name.slice(0, 60) : 'Someone'
    const color = typeof entry?.color === 'string' && /^#[0-9a-f]{6}$/i.test(entry.color) ? entry.color : '#607d8b'
    return { id, name, color }
  })
}

/**
 * The people who inserted pad content (items of `fragment`, at any depth) between two state
 * vectors (`before` may be empty). Changes outside the fragment, such as authorship bookkeeping,
 * make nobody an author.
 */
export function authorsBetween(ydoc: Y.Doc, fragment: Y.XmlFragment, before: Map<number, number>): string[] {
  const owners = clientOwners(ydoc)
  const people = new Set<string>()
  // reason: AbstractType is generic over its event type, which this walk never looks at.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const visit = (type: Y.AbstractType<any>, pending: Y.AbstractType<any>[]) => {
    // reason: Yjs exposes a type's item list only through the internal `_start` field.
    let item = (type as unknown as { _start: Y.Item | null })._start
    while (item) {
      if (item.id.clock + item.length > (before.get(item.id.client) ?? 0)) {
        const person = owners.get(item.id.client)
        if (person) people.add(person)
      }
      if (item.content instanceof Y.ContentType) pending.push(item.content.type)
      item = item.right
    }
  }
  // A stack, not recursion: a pad stored before nesting was bounded may be 20,000 levels deep.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reason: as above
  const pending: Y.AbstractType<any>[] = [fragment]
  while (pending.length > 0) visit(pending.pop()!, pending)
  return [...people]
}
