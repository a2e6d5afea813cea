/**
 * Follow-up sessions (issue 20 part 3). A session may continue an earlier one; the link is kept
 * in the MetaStore [MS21]. A follow-up's pad gets the earlier session's open action items in its
 * "Action items" section, each ending in a link back to the item in the earlier archive
 * (`shared/follow-up.ts`), as soon as both hold: the earlier session is archived (ended) and the
 * follow-up has not started yet. So linking seeds at once when the earlier session has ended,
 * and otherwise the earlier session's end does it. Carrying is idempotent: an item whose link
 * back is already in the pad is never added again, so re-linking or re-importing never
 * duplicates.
 */
import * as Y from 'yjs'
import type { Session } from '../../shared/api.ts'
import { formatDocName } from '../../shared/doc-name.ts'
import { AppError } from '../../shared/errors.ts'
import { carryHref, carryLinkText, maxCarriedActions, maxFollowChain, parseCarryHref } from '../../shared/follow-up.ts'
import { padFragmentName } from '../../shared/schema.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import type { Logger } from '../observability/log.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'

/** Most follow-ups `neighbours` lists for one session. @default 100 */
export const maxListedFollowUps = 100

/** One open action to carry: its index among the earlier session's archived actions, and its text. */
export interface CarriedAction {
  index: number
  text: string
}

/** The sessions around one: the one it continues and the ones continuing it. */
export interface FollowNeighbours {
  before: Session | null
  after: Session[]
}

export class FollowUps {
  constructor(
    private readonly meta: MetaStore,
    private readonly rooms: RoomRegistry,
    private readonly logger: Logger,
  ) {}

  /**
   * Records that `id` continues `earlierId` and carries the earlier open actions when the earlier
   * session has ended. Returns how many items were added to the pad now. Throws
   * `session_not_found` for either id, `bad_request` for a session following itself, `conflict`
   * when `id` has started or ended (its pad is in use or frozen) or the link would close a loop.
   */
  async link(id: string, earlierId: string): Promise<{ carried: number }> {
    const session = await this.meta.getSession(id)
    if (!session) throw new AppError('session_not_found', `no session with id "${id}"`)
    const earlier = await this.meta.getSession(earlierId)
    if (!earlier) throw new AppError('session_not_found', `no earlier session with id "${earlierId}"`)
    if (id === earlierId) throw new AppError('bad_request', 'a session cannot follow itself')
    if (session.state !== 'scheduled') {
      throw new AppError('conflict', `the session is ${session.state}: link a follow-up before it starts, while its pad can still be seeded`)
    }
    await this.refuseLoop(id, earlierId)
    await this.meta.setFollows(id, earlierId)
    return { carried: await this.seed(session, earlier) }
  }

  /** Removes the link of `id` (the carried items stay in its pad). Throws `session_not_found`. */
  async unlink(id: string): Promise<void> {
    if (!(await this.meta.getSession(id))) throw new AppError('session_not_found', `no session with id "${id}"`)
    await this.meta.setFollows(id, null)
  }

  /** The session `id` continues and the ones continuing it. */
  async neighbours(id: string): Promise<FollowNeighbours> {
    const earlierId = await this.meta.getFollows(id)
    const before = earlierId ? await this.meta.getSession(earlierId) : null
    const after: Session[] = []
    for (const laterId of (await this.meta.listFollowUps(id)).slice(0, maxListedFollowUps)) {
      const later = await this.meta.getSession(laterId)
      if (later) after.push(later)
    }
    return { before, after }
  }

  /**
   * Called once `earlier` is archived: seeds every follow-up of it that has not started. A
   * failure is logged per follow-up; the others are still seeded.
   */
  async earlierArchived(earlier: Session): Promise<void> {
    for (const laterId of await this.meta.listFollowUps(earlier.id)) {
      try {
        const later = await this.meta.getSession(laterId)
        if (later) await this.seed(later, earlier)
      } catch (error) {
        this.logger.error({ err: error, sessionId: laterId, earlierId: earlier.id }, 'carrying open actions into a follow-up failed')
      }
    }
  }

  /** Carries `earlier`'s open actions into `later`'s pad when `earlier` is archived and `later` has not started. */
  private async seed(later: Session, earlier: Session): Promise<number> {
    if (later.state !== 'scheduled') return 0
    const archive = await this.meta.getArchive(earlier.id)
    if (!archive) return 0
    const open = archive.outcomes.actions
      .map((action, index) => ({ action, index }))
      .filter(({ action }) => !action.done)
      .slice(0, maxCarriedActions)
      .map(({ action, index }) => ({ index, text: action.text }))
    if (open.length === 0) return 0
    let carried = 0
    await this.rooms.change(formatDocName({ sessionId: later.id, kind: 'pad' }), (ydoc) => {
      carried = carryActions(ydoc, earlier, open)
    })
    if (carried > 0) this.logger.info({ sessionId: later.id, earlierId: earlier.id, carried }, 'carried open actions into a follow-up')
    return carried
  }

  /** Throws `conflict` when `earlierId` already continues `id` (directly or through others). */
  private async refuseLoop(id: string, earlierId: string): Promise<void> {
    let current: string | null = earlierId
    for (let step = 0; current !== null && step < maxFollowChain; step++) {
      current = await this.meta.getFollows(current)
      if (current === id) throw new AppError('conflict', `"${earlierId}" already continues "${id}": the link would make a loop`)
    }
  }
}

const actionItemsHeading = 'action items'

/**
 * Adds `actions` of `earlier` to the pad in `ydoc` as unchecked task items in its "Action items"
 * section (the task list right after that heading; one is made when missing, and the section
 * itself at the end of the pad when there is none), before the list's trailing empty item.
 * Each item is the action's text, a space and a link back. Items whose link back is already in
 * the pad are skipped. Returns how many were added. Call inside a transaction.
 */
export function carryActions(ydoc: Y.Doc, earlier: Pick<Session, 'id' | 'title'>, actions: CarriedAction[]): number {
  const fragment = ydoc.getXmlFragment(padFragmentName)
  const present = carriedHrefs(fragment)
  const wanted = actions.filter((action) => !present.has(carryHref({ sessionId: earlier.id, index: action.index })))
  if (wanted.length === 0) return 0
  const list = actionList(fragment)
  const children = list.toArray()
  const last = children.at(-1)
  let at = last instanceof Y.XmlElement && last.nodeName === 'task_item' && elementText(last).trim() === '' ? children.length - 1 : children.length
  for (const action of wanted) {
    const item = new Y.XmlElement('task_item')
    list.insert(at++, [item])
    // reason: Yjs types attributes as strings, but y-prosemirror stores node attrs as their JSON values.
    item.setAttribute('checked', false as unknown as string)
    const paragraph = new Y.XmlElement('paragraph')
    item.insert(0, [paragraph])
    const text = new Y.XmlText()
    paragraph.insert(0, [text])
    const body = `${action.text} `
    text.insert(0, body)
    text.insert(body.length, carryLinkText(earlier.title), { link: { href: carryHref({ sessionId: earlier.id, index: action.index }), title: null } })
  }
  return wanted.length
}

/** The task list of the "Action items" section, made (with the section if needed) when missing. */
function actionList(fragment: Y.XmlFragment): Y.XmlElement {
  const blocks = fragment.toArray()
  const headingAt = blocks.findIndex((block) => block instanceof Y.XmlElement && block.nodeName === 'heading' && elementText(block).trim().toLowerCase() === actionItemsHeading)
  const next = headingAt >= 0 ? blocks[headingAt + 1] : undefined
  if (next instanceof Y.XmlElement && next.nodeName === 'task_list') return next
  const list = new Y.XmlElement('task_list')
  if (headingAt >= 0) {
    fragment.insert(headingAt + 1, [list])
    return list
  }
  const heading = new Y.XmlElement('heading')
  fragment.insert(fragment.length, [heading, list])
  // reason: Yjs types attributes as strings, but y-prosemirror stores node attrs as their JSON values.
  heading.setAttribute('level', 2 as unknown as string)
  const text = new Y.XmlText()
  heading.insert(0, [text])
  text.insert(0, 'Action items')
  return list
}

/** The text of an element's direct and nested XmlTexts. */
function elementText(element: Y.XmlElement): string {
  return element
    .toArray()
    .map((child) => (child instanceof Y.XmlText ? deltaText(child) : child instanceof Y.XmlElement ? elementText(child) : ''))
    .join('')
}

function deltaText(text: Y.XmlText): string {
  return (text.toDelta() as { insert: unknown }[]).map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('')
}

/** Every carry link's href in the pad (walked without recursion; the pad's depth is bounded anyway). */
function carriedHrefs(fragment: Y.XmlFragment): Set<string> {
  const found = new Set<string>()
  const stack: (Y.XmlElement | Y.XmlText | Y.XmlHook)[] = fragment.toArray()
  while (stack.length > 0) {
    const node = stack.pop()!
    if (node instanceof Y.XmlText) {
      for (const op of node.toDelta() as { attributes?: { link?: { href?: unknown } } }[]) {
        const href = op.attributes?.link?.href
        if (parseCarryHref(href)) found.add(href as string)
      }
    } else if (node instanceof Y.XmlElement) {
      stack.push(...node.toArray())
    }
  }
  return found
}
