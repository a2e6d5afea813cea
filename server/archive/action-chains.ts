/**
 * Action items across follow-up sessions (issue 20 part 3), for `/api/archive/actions`. An item
 * carried into a follow-up links back to the earlier session's item (`shared/follow-up.ts`);
 * following those links turns the items of every archived session into chains, each shown once
 * with its latest state (done in a follow-up means done) and where it was seen, oldest first.
 * Follow-ups that have not ended yet count too: ticking a carried item done in a running
 * follow-up shows at once. At most {@link maxOpenFollowUps} of those pads are read per request.
 */
import type { Session } from '../../shared/api.ts'
import { maxFollowChain } from '../../shared/follow-up.ts'
import type { ActionOutcome } from '../../shared/outcomes.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import { snapshotInWorker } from '../workers/heavy-work.ts'
import type { Archiver } from './archiver.ts'

/** Most follow-ups not ended yet whose pads one request reads. @default 50 */
export const maxOpenFollowUps = 50

/** One action item with the session it was last seen in and every session it passed through. */
export interface ChainedAction extends ActionOutcome {
  /** The session the item was last seen in (its latest state is from there). */
  session: { id: string; title: string; track: string }
  /** Every session the item was seen in, oldest first (one entry when never carried). */
  chain: { id: string; title: string }[]
}

interface Seen {
  key: string
  action: ActionOutcome
  session: Session
}

const keyOf = (sessionId: string, index: number) => `${sessionId}#${index}`
// Later sessions sort later; a session not ended yet is the latest of all.
const whenOf = (session: Session) => session.endedAt ?? '9999'

/** Every action chain of the archive, grouped by the latest owner (no owner last). */
export async function actionsByOwner(meta: MetaStore, archiver: Archiver): Promise<{ owner: string | null; actions: ChainedAction[] }[]> {
  const seen = new Map<string, Seen>()
  const ordered: Seen[] = []
  const add = (entry: Seen) => {
    seen.set(entry.key, entry)
    ordered.push(entry)
  }
  const archives = await meta.listArchives()
  const archived = new Set(archives.map((summary) => summary.session.id))
  for (const summary of archives) {
    summary.outcomes.actions.forEach((action, index) => add({ key: keyOf(summary.session.id, index), action, session: summary.session }))
  }
  // Follow-ups of archived sessions that have not ended: their carried items only.
  const open = (await meta.listFollowLinks()).filter((link) => archived.has(link.earlierId) && !archived.has(link.sessionId)).slice(0, maxOpenFollowUps)
  for (const link of open) {
    const session = await meta.getSession(link.sessionId)
    if (!session || session.state === 'ended') continue
    const { outcomes } = await snapshotInWorker(await archiver.padSource(session, { live: true }))
    outcomes.actions.forEach((action, index) => {
      if (action.from) add({ key: `live:${keyOf(session.id, index)}`, action, session })
    })
  }

  // Each item's successor: the item in a later session that links back to it (the latest wins
  // when two follow-ups carried the same item).
  const next = new Map<string, Seen>()
  for (const entry of ordered) {
    const from = entry.action.from
    if (!from) continue
    const fromKey = keyOf(from.sessionId, from.index)
    if (!seen.has(fromKey)) continue
    const taken = next.get(fromKey)
    if (!taken || whenOf(entry.session) >= whenOf(taken.session)) next.set(fromKey, entry)
  }
  const successors = new Set([...next.values()].map((entry) => entry.key))
  const visited = new Set<string>()
  const chains: Seen[][] = []
  const walk = (start: Seen) => {
    const chain = [start]
    visited.add(start.key)
    for (let current = next.get(start.key); current && !visited.has(current.key) && chain.length < maxFollowChain; current = next.get(current.key)) {
      chain.push(current)
      visited.add(current.key)
    }
    chains.push(chain)
  }
  for (const entry of ordered) if (!successors.has(entry.key)) walk(entry)
  // Anything left is in a loop of links (hand-made) or a branch not taken: shown on its own.
  for (const entry of ordered) if (!visited.has(entry.key)) walk(entry)

  const byOwner = new Map<string, ChainedAction[]>()
  for (const chain of chains) {
    const latest = chain.at(-1)!
    const { id, title, track } = latest.session
    const item: ChainedAction = { ...latest.action, session: { id, title, track }, chain: chain.map((entry) => ({ id: entry.session.id, title: entry.session.title })) }
    const owner = latest.action.owner ?? ''
    // Appended in place: copying the list for each action was quadratic in one owner's actions.
    const owned = byOwner.get(owner)
    if (owned) owned.push(item)
    else byOwner.set(owner, [item])
  }
  return [...byOwner]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
    .map(([owner, actions]) => ({ owner: owner || null, actions }))
}
