/**
 * SessionService: creating, reading and listing design sessions, resolving a secret to a role,
 * and the moderator's actions (start, extend, current, lock, unlock, show-chat, hide-chat,
 * recap-off, recap-on, end).
 * Each action updates the MetaStore first, then the session's control doc (and, for `current`,
 * the pad), so every open screen sees it within a round trip.
 */
import type { ArchivedSession, EtherpadImportSummary, Session, SessionLinks, SessionView } from '../../shared/api.ts'
import type { createSessionBody } from '../../shared/api.ts'
import { formatDocName, parseDocName, randomSessionId } from '../../shared/doc-name.ts'
import { normalizeJoinCode, randomJoinCode } from '../../shared/join-code.ts'
import { checkImportLimits } from '../../shared/import/limits.ts'
import type { ImportFormat } from '../../shared/api.ts'
import { sessionTemplate } from '../../shared/template.ts'
import { agendaSeedInWorker, etherpadSeedsInWorker } from '../workers/heavy-work.ts'
import { detectEtherpadFormat } from './etherpad-format.ts'
import { importFailure } from './import-failure.ts'
import type { Archiver } from '../archive/archiver.ts'
import type { Bus } from '../bus/bus.ts'
import type { Logger } from '../observability/log.ts'
import { AppError } from '../../shared/errors.ts'
import type { Role, WriteState } from '../../shared/roles.ts'
import { phaseOf } from '../../shared/session-phase.ts'
import { verifySecret } from '../auth/capabilities.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { MetaStore, SessionFilter, SessionLiveFields } from '../storage/meta-store.ts'
import type { RoomRegistry } from '../sync/room-registry.ts'
import { currentItemId, firstOpenItem, pickItem, setCurrentItem } from './agenda.ts'
import { writeControl } from './control-doc.ts'
import { parseBody } from './parse-body.ts'
import { deleteSessionRecords, mintSessionKeys, seedSessionDocs, sessionLinks, type SessionSeeds } from './session-records.ts'
import type { PresentPerson } from '../../shared/participants.ts'
import type { OutcomeEvents } from '../outbox/outcome-events.ts'
import type { OutboxEffects } from '../outbox/outbox-message.ts'
import { FollowUps } from './follow-ups.ts'
import { MySummitService } from '../me/my-summit-service.ts'

/** The moderator actions of `POST /api/sessions/:id/<action>`. */
export const moderatorActions = ['start', 'extend', 'current', 'lock', 'unlock', 'show-chat', 'hide-chat', 'recap-off', 'recap-on', 'end'] as const
export type ModeratorAction = (typeof moderatorActions)[number]

type CreateSessionBodyParsed = ReturnType<typeof createSessionBody.parse>

/**
 * The request bodies' zod schemas, loaded when a request first needs one: the service is part of
 * every start, the schemas (and zod) only of a server that is asked to change a session (issue 21:
 * a lean process).
 */
const bodySchemas = () => import('../../shared/api.ts')

/** What a SessionService works with besides its stores. */
export interface SessionServiceDeps {
  meta: MetaStore
  docs: DocStore
  rooms: RoomRegistry
  archiver: Archiver
  /** Write-state changes are announced here and heard from the other instances. */
  bus: Bus
  logger: Logger
  /** Called after a session went live or ended (before it is archived), e.g. to save a revision. */
  onStateChange?: (session: Session) => Promise<void>
  /** The event's time zone now, given to sessions created without one. @default () => 'UTC' */
  eventTimeZone?: () => Promise<string>
}

export class SessionService {
  private readonly meta: MetaStore
  private readonly docs: DocStore
  private readonly rooms: RoomRegistry
  private readonly archiver: Archiver
  private readonly logger: Logger
  private readonly onStateChange: ((session: Session) => Promise<void>) | undefined

  /**
   * The webhook and recap-mail deliveries a start or an end causes (issue 20), written in the
   * same transaction as the start, and as the archive record for an end; `written` is told
   * after (the dispatcher sends them at once).
   */
  outcomes?: { events: OutcomeEvents; written: () => void }

  /**
   * Live write state per session id, read by every WebSocket frame's permission check. With
   * several instances, each keeps its own copy: a change made on one is announced on the bus and
   * the others re-read the session from the MetaStore.
   */
  private readonly writeStates = new Map<string, WriteState>()
  private readonly bus: Bus
  private readonly eventTimeZone: () => Promise<string> = async () => 'UTC'
  /** Follow-up links and carrying open actions (issue 20 part 3). */
  readonly followUps: FollowUps
  /** Who took part where, listened sessions, identity transfers (issue 20 part 4). */
  readonly mySummit: MySummitService

  constructor(deps: SessionServiceDeps) {
    this.meta = deps.meta
    this.docs = deps.docs
    this.rooms = deps.rooms
    this.archiver = deps.archiver
    this.bus = deps.bus
    this.logger = deps.logger
    this.onStateChange = deps.onStateChange
    if (deps.eventTimeZone) this.eventTimeZone = deps.eventTimeZone
    this.followUps = new FollowUps(deps.meta, deps.rooms, deps.logger)
    this.mySummit = new MySummitService(deps.meta, deps.rooms, deps.logger)
    this.listen()
  }

  /**
   * Validates `input`, stores the session with fresh moderator and attendee secrets, seeds its
   * pad. Returns the session and its three links; the secrets exist nowhere else.
   */
  async create(input: unknown): Promise<{ session: Session; links: SessionLinks }> {
    const body = parseBody((await bodySchemas()).createSessionBody, input)
    // Checked before anything is stored: a session is never created with a link that fails.
    if (body.follows !== undefined && !(await this.meta.getSession(body.follows))) {
      throw new AppError('invalid_body', `follows: no session with id "${body.follows}"`)
    }
    const padSeed = body.content === undefined ? (await import('./pad-seed.ts')).encodePadSeed(sessionTemplate({ description: body.description })) : await importContent(body.content, body.contentFormat)
    return this.createSeeded(body, { pad: padSeed })
  }

  /**
   * Creates a session as `create` does, its pad and chat imported from an Etherpad export `file`
   * (see server/sessions/etherpad-seed.ts) instead of the template. `query` holds the session's
   * fields as `POST /api/sessions/etherpad` takes them. The file is read in a worker; a file that
   * cannot be imported is refused before anything is stored (400, 413, 422).
   */
  async createFromEtherpad(query: unknown, file: string): Promise<{ session: Session; links: SessionLinks; imported: EtherpadImportSummary }> {
    const { etherpadImportQuery, createSessionBody } = await bodySchemas()
    const { format: asked, ...fields } = parseBody(etherpadImportQuery, query)
    const body = parseBody(createSessionBody, fields)
    if (file.length === 0) throw new AppError('invalid_body', 'the request body must be the exported pad file; it is empty')
    const format = asked ?? detectEtherpadFormat(file)
    const seeds = await etherpadSeedsInWorker(file, format)
    const created = await this.createSeeded(body, seeds)
    return { ...created, imported: { format, lines: seeds.lines, authors: seeds.authors.length, chatMessages: seeds.chatMessages } }
  }

  private async createSeeded(body: CreateSessionBodyParsed, seeds: SessionSeeds): Promise<{ session: Session; links: SessionLinks }> {
    const keys = mintSessionKeys()
    const fields = {
      title: body.title,
      track: body.track,
      room: body.room,
      moderator: body.moderator,
      scheduledStart: body.scheduledStart === null ? null : new Date(body.scheduledStart).toISOString(),
      durationMinutes: body.durationMinutes,
      access: body.access,
      ...keys.hashes,
      // The form sends instants; the zone says how every page shows them (issue 19).
      timeZone: body.timeZone ?? (await this.eventTimeZone()),
    }
    const session = await this.createWithFreshId(fields)
    await seedSessionDocs(this.docs, session, seeds)
    // The link goes in once the pad exists: linking to an ended session carries its open actions now.
    if (body.follows !== undefined) await this.followUps.link(session.id, body.follows)
    return { session, links: sessionLinks(session.id, body.access, keys) }
  }

  /** The session, or null when `id` is unknown. */
  get(id: string): Promise<Session | null> {
    return this.meta.getSession(id)
  }

  /** The session; throws AppError('session_not_found') when `id` is unknown. */
  async require(id: string): Promise<Session> {
    const session = await this.meta.getSession(id)
    if (!session) throw new AppError('session_not_found', `no session with id "${id}"`)
    return session
  }

  list(filter?: SessionFilter): Promise<Session[]> {
    return this.meta.listSessions(filter)
  }

  /**
   * The role `secret` grants in session `id`. Throws `session_not_found`, or `unauthorized` when a
   * secret was given that matches neither key.
   */
  async roleFor(id: string, secret: string | null): Promise<Role> {
    const caps = await this.meta.getCapabilities(id)
    if (!caps) throw new AppError('session_not_found', `no session with id "${id}"`)
    const verdict = verifySecret(caps, secret)
    if (!verdict.ok) throw new AppError('unauthorized', 'the secret in this link is not valid for this session')
    return verdict.role
  }

  /** The session as seen by the holder of `secret`: with its phase and the caller's role. */
  async view(id: string, secret: string | null): Promise<SessionView> {
    const role = await this.roleFor(id, secret)
    const session = await this.require(id)
    return viewOf(session, role)
  }

  /**
   * The live write state of a session for the WebSocket permission check, kept in memory and
   * updated by every moderator action. Throws `session_not_found`.
   */
  async writeState(id: string): Promise<WriteState> {
    const cached = this.writeStates.get(id)
    if (cached) return cached
    const session = await this.require(id)
    return this.remember(session)
  }

  /**
   * Shares write-state changes with the other instances on the bus: this instance announces its
   * changes, and re-reads a session another instance announced (the bus's close ends it).
   */
  private listen(): void {
    this.bus.onSessionEvent(({ sessionId }) => {
      this.meta.getSession(sessionId).then(
        (session) => {
          if (session) this.remember(session)
          else this.writeStates.set(sessionId, { state: 'ended', locked: true })
        },
        (error: unknown) => {
          // Nobody may write with a write state this instance cannot confirm.
          this.writeStates.delete(sessionId)
          this.logger.error({ err: error, sessionId }, 'refreshing a session announced on the bus failed')
        },
      )
    })
  }

  /** The current write state if known (synchronous, for per-frame checks). */
  cachedWriteState(id: string): WriteState | undefined {
    return this.writeStates.get(id)
  }

  /**
   * Runs a moderator action. Throws `unauthorized` (no or wrong secret), `forbidden` (a secret
   * that is not the moderator's), `invalid_body`, `conflict` (e.g. starting an ended session).
   */
  async act(id: string, action: ModeratorAction, secret: string | null, body: unknown): Promise<SessionView> {
    if (!secret) throw new AppError('unauthorized', 'moderator actions need the moderator secret as a Bearer token')
    const role = await this.roleFor(id, secret)
    if (role !== 'moderator') throw new AppError('forbidden', `only the moderator may ${action} this session; this secret grants "${role}"`)
    const updated = await this.perform(await this.require(id), action, body)
    return viewOf(updated, role)
  }

  /**
   * Ends every session whose slot is over by more than `graceMinutes` (live sessions past their
   * end time, scheduled ones past start + duration), archiving each. Returns the ids ended.
   */
  async endOverdue(graceMinutes: number, now = Date.now()): Promise<string[]> {
    const overdue = await this.meta.listOverdue(new Date(now - graceMinutes * 60_000).toISOString())
    const ended: string[] = []
    for (const session of overdue) {
      try {
        await this.perform(session, 'end', undefined)
        ended.push(session.id)
      } catch (error) {
        this.logger.error({ err: error, sessionId: session.id }, 'automatic end failed')
      }
    }
    if (ended.length > 0) this.logger.info({ sessions: ended }, 'ended overdue sessions')
    return ended
  }

  /**
   * Archives every ended session that has no archive record (the server stopped between an end
   * and its archiving), writing its session.ended deliveries and recap mail with the record as
   * an end does. Called at start; failures are logged. Returns the ids archived.
   */
  async archiveMissing(): Promise<string[]> {
    const done: string[] = []
    for (const session of await this.meta.listUnarchived()) {
      const events = this.outcomes?.events
      try {
        await this.archiver.archive(session, events?.enabled ? (archived: ArchivedSession) => events.sessionEnded(archived) : undefined)
        done.push(session.id)
      } catch (error) {
        this.logger.error({ err: error, sessionId: session.id }, 'archiving an ended session failed')
      }
    }
    if (done.length > 0) {
      this.outcomes?.written()
      this.logger.info({ sessions: done }, 'archived ended sessions left without an archive')
    }
    return done
  }

  /** Deletes a session, its pad, control doc, chat and archive. Moderator secret only. */
  async delete(id: string, secret: string | null): Promise<void> {
    if (!secret) throw new AppError('unauthorized', 'deleting a session needs the moderator secret as a Bearer token')
    const role = await this.roleFor(id, secret)
    if (role !== 'moderator') throw new AppError('forbidden', `only the moderator (or an organizer) may delete this session; this secret grants "${role}"`)
    await this.remove(id)
  }

  /**
   * Deletes a session like `delete`, for a caller the HTTP layer has proven to be an organizer.
   * Throws `session_not_found`.
   */
  async deleteAsOrganizer(id: string): Promise<void> {
    await this.require(id)
    await this.remove(id)
  }

  private async remove(id: string): Promise<void> {
    // Freeze it first so no connection writes while the rows go.
    this.writeStates.set(id, { state: 'ended', locked: true })
    await deleteSessionRecords(this.meta, this.docs, id, () => this.announce(id))
  }

  /** Records people seen in a pad (called by the sync core's presence hook). */
  notePresence(docName: string, people: PresentPerson[]): void {
    const parsed = parseDocName(docName)
    if (!parsed || parsed.kind !== 'pad') return
    // Nobody joins a session after its end (issue 15 part 4).
    if (this.cachedWriteState(parsed.sessionId)?.state === 'ended') return
    this.meta.addParticipants(parsed.sessionId, people).catch((error: unknown) => this.logger.error({ err: error, docName }, 'recording participants failed'))
  }

  private async perform(session: Session, action: ModeratorAction, body: unknown): Promise<Session> {
    const id = session.id
    if (session.state === 'ended') throw new AppError('conflict', 'the session has ended')
    const now = Date.now()
    let patch: Partial<SessionLiveFields>
    switch (action) {
      case 'start': {
        if (session.state === 'live') throw new AppError('conflict', 'the session is already live')
        // Starting puts the room on its first open agenda item, so every screen says what is on.
        let first: string | null = null
        await this.rooms.change(formatDocName({ sessionId: id, kind: 'pad' }), (ydoc) => {
          const item = firstOpenItem(ydoc)
          if (!item) return
          setCurrentItem(ydoc, item)
          first = currentItemId(ydoc)
        })
        patch = {
          state: 'live',
          startedAt: new Date(now).toISOString(),
          endsAt: new Date(now + session.durationMinutes * 60_000).toISOString(),
          currentItem: first ?? session.currentItem,
        }
        break
      }
      case 'extend': {
        const { minutes } = parseBody((await bodySchemas()).extendBody, body)
        if (session.state !== 'live' || !session.endsAt) throw new AppError('conflict', 'only a live session can be extended')
        patch = { endsAt: new Date(Date.parse(session.endsAt) + minutes * 60_000).toISOString() }
        break
      }
      case 'current': {
        const target = parseBody((await bodySchemas()).currentBody, body)
        let chosen: string | null = null
        await this.rooms.change(formatDocName({ sessionId: id, kind: 'pad' }), (ydoc) => {
          const item = pickItem(ydoc, target)
          if (!item) return
          setCurrentItem(ydoc, item)
          chosen = currentItemId(ydoc)
        })
        if (chosen === null) {
          throw new AppError('not_found', 'itemId' in target ? `no agenda item "${target.itemId}"` : 'no agenda item in that direction')
        }
        patch = { currentItem: chosen }
        break
      }
      case 'lock':
      case 'unlock':
        patch = { locked: action === 'lock' }
        break
      case 'show-chat':
      case 'hide-chat':
        patch = { projectorChat: action === 'show-chat' }
        break
      case 'recap-off':
      case 'recap-on':
        patch = { recapMail: action === 'recap-on' }
        break
      case 'end':
        // The join code stops working with the end (issue 19).
        patch = { state: 'ended', endedAt: new Date(now).toISOString(), joinCode: null }
        break
    }
    const events = this.outcomes?.events
    const effects = action === 'start' && events?.enabled ? (started: Session) => events.sessionStarted(started) : undefined
    const updated = action === 'start' ? await this.startWithJoinCode(id, patch, effects) : (await this.meta.updateSession(id, patch))!
    if (effects) this.outcomes!.written()
    this.logger.info({ sessionId: id, action, state: updated.state, locked: updated.locked }, 'moderator action')
    // The write state changes before the control doc: from here on no connection can write.
    this.remember(updated)
    await this.announce(id)
    if (updated.state !== session.state) await this.onStateChange?.(updated)
    let archived: ArchivedSession | void = undefined
    if (updated.state === 'ended') {
      // The session.ended deliveries carry the outcomes, which exist once the archive record does:
      // they are written in its transaction.
      const effects = events?.enabled ? (archived: ArchivedSession) => events.sessionEnded(archived) : undefined
      archived = await this.archiver.archive(updated, effects).then(
        (record) => {
          if (effects) this.outcomes!.written()
          return record
        },
        (error: unknown) => this.logger.error({ err: error, sessionId: id }, 'archiving failed'),
      )
    }
    // The item's clock restarts whenever the agenda moves (and at Start), for its elapsed time against its timebox.
    const agendaMoved = action === 'start' || action === 'current'
    await this.rooms.change(formatDocName({ sessionId: id, kind: 'control' }), (ydoc) => writeControl(ydoc, updated, agendaMoved ? now : undefined))
    // After the control doc: every open pad learns of the end first.
    if (archived) await this.afterArchive(updated, archived.chat)
    return updated
  }

  /**
   * Applies the start `patch` with a fresh join code, drawing again when the store says another
   * live session holds it: four characters at first, five after five collisions (with 923,521
   * four-character codes, a summit's few dozen live sessions almost never collide).
   */
  private async startWithJoinCode(id: string, patch: Partial<SessionLiveFields>, effects?: OutboxEffects<Session>): Promise<Session> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.meta.updateSession(id, { ...patch, joinCode: randomJoinCode(attempt < 5 ? 4 : 5) }, effects))!
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'conflict') || attempt >= 20) throw error
      }
    }
  }

  /** The live session whose join code `input` is (any case), or null. */
  async findByJoinCode(input: string): Promise<Session | null> {
    const code = normalizeJoinCode(input)
    if (code === null) return null
    const session = await this.meta.findByJoinCode(code)
    return session?.state === 'live' ? session : null
  }

  /**
   * What follows an archived session: who took part is recorded for `/me`, and its open actions
   * go into the follow-ups that have not started. Failures are logged, never thrown: the
   * session has ended either way.
   */
  private async afterArchive(session: Session, chat: ArchivedSession['chat']): Promise<void> {
    await this.mySummit.recordPeople(session, chat).catch((error: unknown) => this.logger.error({ err: error, sessionId: session.id }, 'recording who took part failed'))
    await this.followUps.earlierArchived(session).catch((error: unknown) => this.logger.error({ err: error, sessionId: session.id }, 'seeding follow-ups failed'))
  }

  /** Tells the other instances that `id`'s write state changed. */
  private async announce(id: string): Promise<void> {
    await this.bus.publishSessionEvent({ sessionId: id })
  }

  private remember(session: Session): WriteState {
    const state: WriteState = { state: session.state, locked: session.locked }
    this.writeStates.set(session.id, state)
    return state
  }

  private async createWithFreshId(fields: Omit<Parameters<MetaStore['createSession']>[0], 'id'>): Promise<Session> {
    // Ten characters from a 31-letter alphabet collide rarely; retry the rare collision.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.meta.createSession({ id: randomSessionId(), ...fields })
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'conflict') || attempt >= 4) throw error
      }
    }
  }
}

/**
 * The first update of the pad a prepared agenda becomes, built in a worker (issue 15: a 512,000
 * byte agenda kept the event loop 5.8 s). Import failures are 413 (too large), 422 (too many
 * lines) or 400; the cheap limits are checked here first so refused input never takes a worker.
 */
async function importContent(content: string, format: ImportFormat): Promise<Uint8Array> {
  try {
    checkImportLimits(content)
  } catch (error) {
    throw importFailure(error)
  }
  return agendaSeedInWorker(content, format)
}

/** A session as its viewer sees it now: with the caller's role and the phase by the clock. */
function viewOf(session: Session, role: Role): SessionView {
  return { ...session, role, phase: phaseOf(session, Date.now()).phase }
}
