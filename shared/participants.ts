/**
 * Who took part in a session (issue 19 bug 1). A person is one participant, keyed by the stable
 * identity id their browser publishes in its awareness `user.id` (the id authorship records), and
 * listed under the last name they used. The name a browser suggests before its person picks one
 * ("Guest 214") is published with `user.placeholder: true` and is never recorded.
 */

/** One person seen present in a pad: `person` is the key a participant is stored under. */
export interface PresentPerson {
  person: string
  name: string
}

/** The longest participant name kept, in UTF-16 code units. */
export const maxParticipantNameLength = 60

const identityIdPattern = /^[A-Za-z0-9-]{1,64}$/

/**
 * The person an awareness `user` field stands for, or null when it names nobody to record: no
 * usable name, or a placeholder the person has not chosen. A `user` without a valid id (a stock
 * y-websocket client) is keyed by its name, so a rename there counts as a second person.
 */
export function presentPerson(user: unknown): PresentPerson | null {
  if (typeof user !== 'object' || user === null) return null
  const { id, name, placeholder } = user as Record<string, unknown>
  if (placeholder === true || typeof name !== 'string') return null
  const trimmed = name.trim().slice(0, maxParticipantNameLength)
  if (!trimmed) return null
  const person = typeof id === 'string' && identityIdPattern.test(id) ? `id:${id}` : `name:${trimmed}`
  return { person, name: trimmed }
}

/** The key given to participants recorded before people were keyed by identity (by name alone). */
export const legacyPersonPrefix = 'legacy:'

/** The form of the name a browser suggests on a first visit (`Guest ` and three digits). */
export const placeholderNamePattern = /^Guest [1-9][0-9]{2}$/

/**
 * Participants recorded before issue 19 (each name a person showed, placeholders included), with
 * the placeholder names left out: a person who picked a name was listed twice, once as "Guest
 * NNN". A list of placeholders only is kept as it is (nobody there picked another name).
 */
export function withoutPlaceholders(names: string[]): string[] {
  const chosen = names.filter((name) => !placeholderNamePattern.test(name))
  return chosen.length > 0 ? chosen : names
}
