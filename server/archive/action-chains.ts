/**
 * Action items across follow-up sessions (issue 20 part 3), for `/api/archive/actions`. An item
 * carried into a follow-up links back to the earlier session's item (`shared/follow-up.ts`);
 * following those links turns the items of every archived session into chains, each shown once
 * with its latest state (done in a follow-up means done) and where it was seen, oldest first.
 *
 * Issue 21: at a decade's size (10,000 sessions, 55,000 items) building every chain per request
 * took 1.4 s and answered 15 MB. The page now asks for the owners with their counts first, then
 * one owner's items a page at a time; both come from the store's action rows (MS25), written at
 * archive time: only the chains' last items are listed (an item no other carries on), and only
 * a page's chains are walked back.
 *
 * Follow-ups that have not ended yet count too: ticking a carried item done in a running
 * follow-up shows at once. At most {@link maxOpenFollowUps} of those pads are read per request;
 * their carried items take the place of the items they carry on, and come first on their
 * owner's first page (they are the latest).
 */
import type { Session } from '../../shared/api.ts'
import { AppError } from '../../shared/errors.ts'
import { maxFollowChain, type CarriedFrom } from '../../shared/follow-up.ts'
import type { ActionOutcome } from '../../shared/outcomes.ts'
import type { ActionCursor, ArchivedAction, MetaStore } from '../storage/meta-store.ts'
import { snapshotInWorker } from '../workers/heavy-work.ts'
import type { Archiver } from './archiver.ts'

/** Most follow-ups not ended yet whose pads one request reads. @default 50 */
export const maxOpenFollowUps = 50
/** An owner's items per page when the request names no `limit`. @default 50 */
export const defaultActionPage = 50
/** Most items per page. @default 200 */
export const maxActionPage = 200

/** One action item with the session it was last seen in and every session it passed through. */
export interface ChainedAction extends ActionOutcome {
  /** The session the item was last seen in (its latest state is from there). */
  session: { id: string; title: string; track: string }
  /** Every session the item was seen in, oldest first (one entry when never carried). */
  chain: { id: string; title: string }[]
}

/** An owner of the archive's items: how many chains end with them, and how many are open. */
export interface ActionOwner {
  owner: string | null
  total: number
  open: number
}

/** A carried item in the pad of a follow-up that has not ended. */
interface LiveItem {
  action: ActionOutcome & { from: CarriedFrom }
  session: Session
}

const keyOf = (key: CarriedFrom) => `${key.sessionId}#${key.index}`

/** Every owner with the count of their items (chains' last items) and of the open ones; no owner last. */
export async function actionOwners(meta: MetaStore, archiver: Archiver): Promise<ActionOwner[]> {
  const counts = new Map((await meta.listActionOwners()).map((entry) => [entry.owner, { ...entry }]))
  const count = (owner: string | null, done: boolean, by: number) => {
    const entry = counts.get(owner) ?? { owner, total: 0, open: 0 }
    entry.total += by
    if (!done) entry.open += by
    counts.set(owner, entry)
  }
  const live = await liveItems(meta, archiver)
  // A live item takes the place of the archived item it carries on.
  for (const carried of await meta.getArchivedActions(live.map((item) => item.action.from))) count(carried.owner, carried.done, -1)
  for (const item of live) count(item.action.owner, item.action.done, 1)
  return [...counts.values()]
    .filter((entry) => entry.total > 0)
    .sort((a, b) => (a.owner === null ? (b.owner === null ? 0 : 1) : b.owner === null ? -1 : a.owner.localeCompare(b.owner)))
}

/**
 * One page of `owner`'s items (null: items without an owner), latest session first, each with
 * its chain; `next` is the cursor of the following page, or null. A page may hold fewer than
 * `limit` items when some of it was carried on in a running follow-up.
 */
export async function ownerActions(meta: MetaStore, archiver: Archiver, owner: string | null, after: string | null, limit: number): Promise<{ actions: ChainedAction[]; next: string | null }> {
  const live = await liveItems(meta, archiver)
  const carriedLive = new Set(live.map((item) => keyOf(item.action.from)))
  const page = await meta.listOwnerActions(owner, after === null ? null : decodeActionCursor(after), limit)
  const tips: { action: ActionOutcome; session: { id: string; title: string; track: string }; from: CarriedFrom | null }[] = []
  if (after === null) {
    for (const item of live) {
      if (item.action.owner !== owner) continue
      const { id, title, track } = item.session
      tips.push({ action: item.action, session: { id, title, track }, from: item.action.from })
    }
  }
  for (const item of page.actions) {
    if (carriedLive.has(keyOf(item))) continue
    tips.push({ action: outcomeOf(item), session: item.session, from: item.from })
  }
  const chains = await chainsOf(meta, tips)
  return {
    actions: tips.map((tip, i) => ({ ...tip.action, session: tip.session, chain: chains[i]! })),
    next: page.next ? encodeActionCursor(page.next) : null,
  }
}

/** The sessions each tip's item passed through, oldest first, the tip's own last; walked back one step for all tips at a time. */
async function chainsOf(meta: MetaStore, tips: { session: { id: string; title: string }; from: CarriedFrom | null }[]): Promise<{ id: string; title: string }[][]> {
  const chains = tips.map((tip) => [{ id: tip.session.id, title: tip.session.title }])
  const seen = tips.map(() => new Set<string>())
  let frontier = tips.flatMap((tip, i) => (tip.from ? [{ i, from: tip.from }] : []))
  for (let step = 1; step < maxFollowChain && frontier.length > 0; step++) {
    const found = new Map((await meta.getArchivedActions(frontier.map((entry) => entry.from))).map((item) => [keyOf(item), item]))
    const next: typeof frontier = []
    for (const { i, from } of frontier) {
      const item = found.get(keyOf(from))
      // A link to nothing (the session was deleted) or back into the chain (hand-made) ends it.
      if (!item || seen[i]!.has(keyOf(item))) continue
      seen[i]!.add(keyOf(item))
      chains[i]!.unshift({ id: item.session.id, title: item.session.title })
      if (item.from) next.push({ i, from: item.from })
    }
    frontier = next
  }
  return chains
}

/** Carried items of follow-ups of archived sessions that have not ended (at most {@link maxOpenFollowUps} pads). */
async function liveItems(meta: MetaStore, archiver: Archiver): Promise<LiveItem[]> {
  // Sessions not ended: an ended follow-up has its rows in the archive (or will, once archived).
  const notEnded = new Map([...(await meta.listSessions({ state: 'live' })), ...(await meta.listSessions({ state: 'scheduled' }))].map((session) => [session.id, session]))
  const open: Session[] = []
  for (const link of await meta.listFollowLinks()) {
    if (open.length >= maxOpenFollowUps) break
    const session = notEnded.get(link.sessionId)
    if (session) open.push(session)
  }
  const items: LiveItem[] = []
  for (const session of open) {
    const { outcomes } = await snapshotInWorker(await archiver.padSource(session, { live: true }))
    for (const action of outcomes.actions) if (action.from) items.push({ action: { ...action, from: action.from }, session })
  }
  return items
}

function outcomeOf(item: ArchivedAction): ActionOutcome {
  return { text: item.text, owner: item.owner, due: item.due, done: item.done, source: item.source, ...(item.from ? { from: item.from } : {}) }
}

/** The cursor as an opaque URL-safe string. */
export function encodeActionCursor(cursor: ActionCursor): string {
  return Buffer.from(JSON.stringify([cursor.endedAt, cursor.sessionId, cursor.index])).toString('base64url')
}

/** The cursor a string names; a malformed one is a `bad_request`. */
export function decodeActionCursor(value: string): ActionCursor {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(parsed) && parsed.length === 3 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string' && Number.isInteger(parsed[2])) {
      return { endedAt: parsed[0], sessionId: parsed[1], index: parsed[2] as number }
    }
  } catch {
    // reported below
  }
  throw new AppError('bad_request', 'the actions cursor is not one this server gave out')
}
