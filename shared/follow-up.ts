/**
 * Follow-up sessions (issue 20 part 3): a session may continue an earlier one, and its pad then
 * starts with the earlier session's open action items, each ending in a link back to the item in
 * the earlier session's archive. That link is the carried item's identity: its href names the
 * earlier session and the item's index among that session's archived actions, so outcome
 * extraction can follow an action from session to session without any other bookkeeping.
 */
import { isSessionId } from './doc-name.ts'

/** Longest chain of follow-ups walked when looking for cycles or building an action's history. @default 100 */
export const maxFollowChain = 100

/** Most action items carried into one follow-up pad; more are left in the earlier archive. @default 200 */
export const maxCarriedActions = 200

const carryHrefPattern = /^\/s\/([a-z0-9][a-z0-9-]{0,63})\/archive#action-(\d{1,6})$/

/** Where a carried action came from: the earlier session and the item's index in its archived actions. */
export interface CarriedFrom {
  sessionId: string
  index: number
}

/** The href of the link back to action `index` of `sessionId`'s archive. */
export function carryHref(from: CarriedFrom): string {
  return `/s/${from.sessionId}/archive#action-${from.index}`
}

/** The origin an href names when it is a carry link, else null. */
export function parseCarryHref(href: unknown): CarriedFrom | null {
  if (typeof href !== 'string') return null
  const match = carryHrefPattern.exec(href)
  if (!match || !isSessionId(match[1]!)) return null
  return { sessionId: match[1]!, index: Number(match[2]) }
}

/** The text of the link back, after the carried item's own text. */
export function carryLinkText(earlierTitle: string): string {
  return `(from ${earlierTitle.slice(0, 120)})`
}
