/**
 * "My summit" (issue 20 part 4) on the server: who took part in which session (recorded when it
 * ends, from the stable identity ids its pad's authorship and its chat hold), the sessions a
 * person adds as listened, their summit gathered for `/me`, and carrying an identity to another
 * device.
 *
 * A person is their identity id (`u-…`, made by their browser and recorded in every pad they
 * write). That id is visible to anyone reading a pad, so it proves nothing: each browser also
 * keeps a random person key, and the server keeps hashes of the keys of each person [MS23]. The
 * first key presented for an id is taken (trust on first use); later requests need one of the
 * stored keys. A transfer code, made by a browser holding a key, gives another browser the
 * identity and a fresh key of its own: the code is shown once, the server keeps its hash only,
 * and it works once within `transferMinutes` [MS24].
 */
import { createHash } from 'node:crypto'
import type { Session } from '../../shared/api.ts'
import type { ChatMessage } from '../../shared/chat.ts'
import { formatDocName, randomSessionId } from '../../shared/doc-name.ts'
import { AppError } from '../../shared/errors.ts'
import { groupSessions, isOwnAction, maxListenedSessions, type MySession, type MySummit } from '../../shared/my-summit.ts'
import { hashSecret, mintSecret } from '../auth/capabilities.ts'
import type { MetaStore, SessionPerson } from '../storage/meta-store.ts'
import type { Logger } from '../observability/log.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'

/** How long a transfer code works, in minutes. @default 10 */
export const transferMinutes = 10
/** Most unexpired transfer codes one person may hold. @default 5 */
export const maxOpenTransfers = 5
/** Most people recorded for one session (a pad's authors plus its chat's). @default 2000 */
export const maxPeoplePerSession = 2000

/** The letters of a transfer code (8 of them, about 40 bits), as typed: no 0/o, 1/l/i. */
const codeLength = 8
const personIdPattern = /^[A-Za-z0-9-]{1,64}$/
const personKeyPattern = /^[A-Za-z0-9_-]{20,128}$/

/** A person proven by their key: the id they act as. */
export interface PersonCredential {
  personId: string
  key: string
}

/** `Authorization: Bearer <personId>.<key>` split and checked for shape; null when absent or malformed. */
export function parsePersonCredential(value: string | null): PersonCredential | null {
  if (!value) return null
  const dot = value.lastIndexOf('.')
  const personId = value.slice(0, dot)
  const key = value.slice(dot + 1)
  if (dot < 1 || !personIdPattern.test(personId) || !personKeyPattern.test(key)) return null
  return { personId, key }
}

/** A transfer code as people type it: letters and digits only, lower case. */
export function normalizeTransferCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '')
}

const codeHash = (code: string) => createHash('sha256').update(`summitpad-transfer:${normalizeTransferCode(code)}`).digest('hex')

export class MySummitService {
  constructor(
    private readonly meta: MetaStore,
    private readonly rooms: RoomRegistry,
    private readonly logger: Logger,
  ) {}

  /**
   * Checks `credential` (see the module comment): a person's first key is stored; later keys
   * must match. Throws `unauthorized` without one, `forbidden` for a key not of this person.
   */
  async authenticate(credential: PersonCredential | null): Promise<string> {
    if (!credential) throw new AppError('unauthorized', 'this needs your browser key: Authorization: Bearer <identity id>.<person key>')
    const hash = hashSecret(credential.key)
    const state = await this.meta.personKeyState(credential.personId, hash)
    if (state === 'mismatch') {
      throw new AppError('forbidden', 'this identity belongs to another browser; carry it here with a transfer code from that browser')
    }
    if (state === 'unknown') await this.meta.addPersonKey(credential.personId, hash)
    return credential.personId
  }

  /**
   * Records who took part in `session` (just archived): the identity ids of its pad's authorship
   * (Y.PermanentUserData's `users` map) with their names from the `authors` map, and the chat's
   * authors. At most {@link maxPeoplePerSession}.
   */
  async recordPeople(session: Session, chat: ChatMessage[]): Promise<void> {
    const people = new Map<string, string>()
    await this.rooms.read(formatDocName({ sessionId: session.id, kind: 'pad' }), (ydoc) => {
      const authors = ydoc.getMap<unknown>('authors')
      for (const personId of ydoc.getMap('users').keys()) {
        if (people.size >= maxPeoplePerSession) break
        if (!personIdPattern.test(personId)) continue
        const name = (authors.get(personId) as { name?: unknown } | undefined)?.name
        people.set(personId, typeof name === 'string' ? name.trim().slice(0, 60) : '')
      }
    })
    for (const message of chat) {
      if (people.size >= maxPeoplePerSession) break
      if (personIdPattern.test(message.authorId) && !people.get(message.authorId)) people.set(message.authorId, message.name)
    }
    const rows: SessionPerson[] = [...people].map(([personId, name]) => ({ personId, name }))
    await this.meta.recordPeople(session.id, rows)
    this.logger.info({ sessionId: session.id, people: rows.length }, 'recorded who took part')
  }

  /**
   * The person's summit: every session they took part in or listened to, grouped by track and
   * day in `timeZone`, with its decisions and the actions owned by `names` (the name given plus
   * the names the person had in each pad).
   */
  async summit(personId: string, name: string, timeZone: string): Promise<MySummit> {
    const rows = await this.meta.listPersonSessions(personId)
    const names = new Set([name, ...rows.map((row) => row.name)].map((n) => n.trim()).filter(Boolean))
    const byId = new Map<string, { tookPart: boolean; listened: boolean }>()
    for (const row of rows) {
      const entry = byId.get(row.sessionId) ?? { tookPart: false, listened: false }
      if (row.kind === 'took-part') entry.tookPart = true
      else entry.listened = true
      byId.set(row.sessionId, entry)
    }
    const archives = byId.size > 0 ? new Map((await this.meta.listArchives()).map((summary) => [summary.session.id, summary])) : new Map()
    const sessions: MySession[] = []
    for (const [id, kinds] of byId) {
      const session = archives.get(id)?.session ?? (await this.meta.getSession(id))
      if (!session) continue
      const outcomes = archives.get(id)?.outcomes
      sessions.push({
        session: { id: session.id, title: session.title, track: session.track, room: session.room, state: session.state, scheduledStart: session.scheduledStart, startedAt: session.startedAt, endedAt: session.endedAt },
        ...kinds,
        decisions: outcomes?.decisions ?? [],
        actions: (outcomes?.actions ?? []).filter((action: { owner: string | null }) => isOwnAction(action.owner, [...names])),
      })
    }
    return { personId, names: [...names], timeZone, tracks: groupSessions(sessions, timeZone) }
  }

  /** Adds a listened session. Throws `session_not_found`, `conflict` past {@link maxListenedSessions}. */
  async addListened(personId: string, sessionId: string): Promise<void> {
    if (!(await this.meta.getSession(sessionId))) throw new AppError('session_not_found', `no session with id "${sessionId}"`)
    const listened = (await this.meta.listPersonSessions(personId)).filter((row) => row.kind === 'listened')
    if (listened.some((row) => row.sessionId === sessionId)) return
    if (listened.length >= maxListenedSessions) throw new AppError('conflict', `at most ${maxListenedSessions} listened sessions; remove some first`)
    await this.meta.addListened(personId, sessionId)
  }

  /** Removes a listened session. Throws `not_found` when it was not one. */
  async removeListened(personId: string, sessionId: string): Promise<void> {
    if (!(await this.meta.removeListened(personId, sessionId))) throw new AppError('not_found', `"${sessionId}" is not among your listened sessions`)
  }

  /**
   * A transfer code for the person's identity (shown once; works once, for {@link transferMinutes}).
   * Throws `rate_limited` when the person holds {@link maxOpenTransfers} unexpired codes.
   */
  async createTransfer(personId: string, identity: { name: string; color: string }, now = Date.now()): Promise<{ code: string; expiresAt: string }> {
    if ((await this.meta.countTransfers(personId)) >= maxOpenTransfers) {
      throw new AppError('rate_limited', `you have ${maxOpenTransfers} unused transfer codes; use one or wait ${transferMinutes} minutes`)
    }
    const letters = randomSessionId(codeLength).toUpperCase()
    const code = `${letters.slice(0, 4)}-${letters.slice(4)}`
    const expiresAt = new Date(now + transferMinutes * 60_000).toISOString()
    await this.meta.createTransfer(codeHash(code), { personId, ...identity }, expiresAt)
    return { code, expiresAt }
  }

  /**
   * Redeems a transfer code: the identity it carries and a fresh person key for this browser.
   * Throws `not_found` for a code that is unknown, used or expired (the three look alike).
   */
  async redeem(code: string): Promise<{ identity: { id: string; name: string; color: string }; personKey: string }> {
    const transfer = normalizeTransferCode(code).length === codeLength ? await this.meta.takeTransfer(codeHash(code)) : null
    if (!transfer) throw new AppError('not_found', 'this transfer code is unknown, already used or expired; make a new one on your other device')
    const personKey = mintSecret()
    await this.meta.addPersonKey(transfer.personId, hashSecret(personKey))
    return { identity: { id: transfer.personId, name: transfer.name, color: transfer.color }, personKey }
  }
}
