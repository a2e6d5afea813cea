/**
 * MetaStore: session metadata and capability hashes. Implementations keep these rules (checked by
 * the contract suite in `test/helpers/contracts/meta-store.contract.ts`):
 * - [MS1] `createSession` stores a new session and returns it; an id already taken throws
 *   `AppError('conflict')`.
 * - [MS2] `getSession` returns the stored session or null.
 * - [MS3] `listSessions` returns sessions ordered by scheduled start (unscheduled last), then
 *   title, optionally filtered by track and state.
 * - [MS4] `getCapabilities` returns the access mode and key hashes given at creation; they never
 *   appear in a Session.
 * - [MS5] `updateSession` changes only the given live fields, bumps `updatedAt`, and returns the
 *   updated session; an unknown id returns null.
 * - [MS6] `saveArchive` stores (or replaces) a session's archive record; `getArchive` returns it,
 *   `getArchiveDocJson` its pad as JSON text (null without a record), `listArchives` returns
 *   every record's summary. `listArchivePage` returns them in pages, in
 *   index order (track, when it took place: started, else scheduled, else created; title; id),
 *   at most `limit` after the cursor `after` (null: from the start), with the cursor of the
 *   page's last row when more may follow (`next`, else null); following `next` lists each
 *   record once.
 * - [MS7] `searchArchive` finds archived sessions whose pad text or title contains every word of
 *   the query (prefix match on the last word), best first, with a marked snippet; it never
 *   finds a session that is not archived, and any query string is safe (no syntax errors).
 * - [MS8] `addParticipants` records each person once per session, under the last name given for
 *   them; `listParticipants` returns their names in the order the people were first seen.
 * - [MS9] `deleteSession` removes the session, its participants and its archive record.
 * - [MS10] `updateSchedule` changes only the given schedule fields (title, track, room, moderator,
 *   start, duration), bumps `updatedAt`, and returns the session; an unknown id returns null.
 * - [MS11] A session created with an `importRef` is found by `findImported(event, key)` with
 *   exactly that event and key, never by another event's; sessions created without one are never
 *   found. Creating a second session with a taken (event, key) throws `AppError('conflict')`.
 * - [MS12] `appendAudit` stores an entry with a fresh, increasing id and the current time and
 *   returns it; `listAudit` returns entries newest first, at most `limit`, only ids below `before`.
 * - [MS13] `createSignIn` stores an organizer sign-in under a token hash until `expiresAt`;
 *   `getSignIn` returns its identity until then (null after, or when unknown); `deleteSignIn`
 *   removes it.
 * - [MS14] `updateSession` may set `joinCode`; a code another session holds throws
 *   `AppError('conflict')`; `findByJoinCode` returns the session holding the code (exact case)
 *   or null; a code set to null is found no more.
 * - [MS15] `getEventTimeZone` returns what `setEventTimeZone` stored last, or null.
 * - [MS16] The outbox (issue 20): `updateSession`, `updateSchedule` and `saveArchive` take an
 *   optional `effects` function; the deliveries it returns for the changed row are stored in the
 *   same transaction as the change (both or neither); those of `saveArchive` only when the
 *   session had no archive record yet (replacing one causes none, so a session's end is
 *   reported once however often it is archived). `enqueue` stores deliveries on their own.
 *   A new delivery is `pending`, due at once, with no attempt.
 * - [MS17] `claimOutbox(limit, leaseMs, now)` returns at most `limit` pending deliveries due at
 *   `now` and not leased, oldest due first, and leases them until `now + leaseMs`: until then no
 *   other claim (from this or another instance) returns them. Concurrent claims are disjoint.
 * - [MS18] `settleOutbox` records an attempt: delivered (status `delivered`, lease dropped),
 *   failed with a retry time (still `pending`, due then), or failed for good (`dead`). Each
 *   counts one attempt and keeps the status code and error.
 * - [MS19] `listOutbox` returns deliveries newest first (at most `limit`, ids created before
 *   `before`'s); `getOutbox` one or null; `resendOutbox` makes a delivered or dead delivery
 *   pending and due at once with a fresh retry window (`resentAt`), and returns it (null when
 *   unknown). A session's deliveries outlive the session (they are its history).
 * - [MS20] `listUnarchived` returns the ended sessions that have no archive record (a crash
 *   between the end and its archiving leaves one; the server archives them at start).
 * - [MS21] `setFollows(id, earlierId)` records that session `id` continues `earlierId` (replacing
 *   an earlier link; null removes it); `getFollows` returns the earlier id or null;
 *   `listFollowUps(earlierId)` returns the ids continuing it, by scheduled start then id;
 *   `listFollowLinks` returns every link. `deleteSession` removes the links from and to it.
 * - [MS22] `recordPeople(id, people)` records who took part in session `id` (once per person,
 *   the last name given kept); `addListened` / `removeListened` keep the sessions a person only
 *   listened to (`removeListened` says whether there was one); `listPersonSessions(personId)`
 *   returns both kinds, a session listed once per kind. `deleteSession` removes its rows.
 * - [MS23] `addPersonKey` stores a hash of a person's browser key; `personKeyState(personId,
 *   hash)` is `match` when that hash was stored for the person, `mismatch` when others were and
 *   not it, `unknown` when none were.
 * - [MS25] `saveArchive` keeps one row per action item of the record (`ArchivedAction`, replaced
 *   with the record, gone with `deleteSession`). `listActionOwners` counts, per owner (null: no
 *   owner), the items no other archived item carries on (a follow-up's item whose `from` names
 *   it) and how many of them are open; `listOwnerActions(owner, after, limit)` pages those items
 *   of one owner, latest session first (its `endedAt`, then session id descending, then the
 *   item's index), with the cursor of the page's last item when more may follow;
 *   `getArchivedActions(keys)` returns the rows of the given items (any order, unknown ones left
 *   out). Filled for archives stored before the table existed by a migration.
 * - [MS24] `createTransfer` stores an identity transfer under a code hash until `expiresAt`;
 *   `takeTransfer` returns it once and removes it (a second take, an unknown or an expired code:
 *   null); `countTransfers(personId)` counts the person's unexpired ones.
 */
import type { CarriedFrom } from '../../shared/follow-up.ts'
import type { ActionOutcome } from '../../shared/outcomes.ts'
import type { ArchiveHit, ArchiveSummary, ArchivedSession, Session, SessionState } from '../../shared/api.ts'
import type { SessionCapabilities } from '../auth/capabilities.ts'
import type { IndexCursor } from '../archive/index-cursor.ts'
import type { AuditEntry, OrganizerIdentity } from '../../shared/organizer.ts'
import type { PresentPerson } from '../../shared/participants.ts'
import type { NewOutboxMessage, OutboxEffects, OutboxMessage, OutboxOutcome } from '../outbox/outbox-message.ts'

/** The fields the moderator's actions change. */
export type SessionLiveFields = Pick<Session, 'state' | 'startedAt' | 'endsAt' | 'endedAt' | 'locked' | 'currentItem' | 'projectorChat' | 'joinCode' | 'recapMail'>

/** The fields a schedule import sets. */
export type SessionScheduleFields = Pick<Session, 'title' | 'track' | 'room' | 'moderator' | 'scheduledStart' | 'durationMinutes' | 'timeZone'>

/**
 * Where an imported session came from: the event (its slug) and the entry's key within it (track
 * and title, slugged). A re-import matches sessions on this pair only [MS11].
 */
export interface ImportRef {
  event: string
  key: string
}

/** What a caller provides to create a session; live fields and timestamps are set by the store. */
export type NewSession = Omit<Session, keyof SessionLiveFields | 'createdAt' | 'updatedAt' | 'timeZone'> &
  SessionCapabilities & { importRef?: ImportRef; /** @default null (the event's) */ timeZone?: string | null }

/** What a caller provides to record an organizer action; the store sets id and time [MS12]. */
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>

/** One action item of an archived session, as the archive's actions rows keep it [MS25]. */
export interface ArchivedAction {
  sessionId: string
  /** Its index among the session's archived actions (what a follow-up's `from.index` names). */
  index: number
  text: string
  owner: string | null
  due: string | null
  done: boolean
  source: ActionOutcome['source']
  /** The earlier item this one carries on, if it was carried into this session. */
  from: CarriedFrom | null
  session: { id: string; title: string; track: string }
  /** When the session ended (the order of an owner's items, latest first). */
  endedAt: string
}

/** Where a page of an owner's actions ends [MS25]. */
export interface ActionCursor {
  endedAt: string
  sessionId: string
  index: number
}

/** What `saveArchive` stores. */
export type ArchiveRecord = Omit<ArchivedSession, 'session' | 'archivedAt'> & { sessionId: string; text: string }
/** Someone who took part in a session: the stable identity id the pad records, and the name shown there. */
export interface SessionPerson {
  personId: string
  name: string
}

/** One session of a person's summit [MS22]. */
export interface PersonSession {
  sessionId: string
  kind: 'took-part' | 'listened'
  /** The person's name in that session (empty for listened sessions). */
  name: string
}

/** An identity on its way to another device [MS24]: the stable id and how the person shows. */
export interface IdentityTransfer {
  personId: string
  name: string
  color: string
}

export interface SessionFilter {
  track?: string
  state?: SessionState
}

export interface MetaStore {
  createSession(session: NewSession): Promise<Session>
  getSession(id: string): Promise<Session | null>
  getCapabilities(id: string): Promise<SessionCapabilities | null>
  listSessions(filter?: SessionFilter): Promise<Session[]>
  /** Changes live fields [MS5]; `effects` are stored with the change [MS16]. */
  updateSession(id: string, patch: Partial<SessionLiveFields>, effects?: OutboxEffects<Session>): Promise<Session | null>
  /** Changes a session's schedule fields [MS10]; `effects` are stored with the change [MS16]. */
  updateSchedule(id: string, patch: Partial<SessionScheduleFields>, effects?: OutboxEffects<Session>): Promise<Session | null>
  /**
   * Stores the record (pad, outcomes, participants, chat) with `text` (the pad as plain text)
   * indexed for search; `effects` get the record as stored and are stored with it [MS16].
   */
  saveArchive(record: ArchiveRecord, effects?: OutboxEffects<ArchivedSession>): Promise<void>
  getArchive(id: string): Promise<ArchivedSession | null>
  /** The archived pad's JSON as stored, unparsed (for a worker to parse), or null [MS6]. */
  getArchiveDocJson(id: string): Promise<string | null>
  listArchives(): Promise<ArchiveSummary[]>
  /** One page of the archive index [MS6]. */
  listArchivePage(after: IndexCursor | null, limit: number): Promise<{ sessions: ArchiveSummary[]; next: IndexCursor | null }>
  searchArchive(query: string, limit?: number): Promise<ArchiveHit[]>
  /** Per owner, the action items not carried on by another, and how many are open [MS25]. */
  listActionOwners(): Promise<{ owner: string | null; total: number; open: number }[]>
  /** One page of an owner's action items not carried on by another, latest session first [MS25]. */
  listOwnerActions(owner: string | null, after: ActionCursor | null, limit: number): Promise<{ actions: ArchivedAction[]; next: ActionCursor | null }>
  /** The archived action items named by `keys` [MS25]. */
  getArchivedActions(keys: CarriedFrom[]): Promise<ArchivedAction[]>
  /** Records people present in the session's pad [MS8]. */
  addParticipants(id: string, people: PresentPerson[]): Promise<void>
  listParticipants(id: string): Promise<string[]>
  /** Sessions still live (or scheduled) whose end is before `beforeIso`, for auto-ending. */
  listOverdue(beforeIso: string): Promise<Session[]>
  deleteSession(id: string): Promise<boolean>
  /** The session imported for `event` under `key`, or null [MS11]. */
  findImported(event: string, key: string): Promise<Session | null>
  /** Records an organizer action [MS12]. */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>
  /** Organizer actions, newest first [MS12]. */
  listAudit(options?: { limit?: number; before?: number }): Promise<AuditEntry[]>
  /** Stores an organizer's web sign-in under the hash of its cookie value [MS13]. */
  createSignIn(tokenHash: string, identity: OrganizerIdentity, expiresAt: string): Promise<void>
  /** The organizer signed in under `tokenHash`, or null when unknown or expired [MS13]. */
  getSignIn(tokenHash: string): Promise<OrganizerIdentity | null>
  /** Ends a sign-in (sign-out); unknown hashes are ignored [MS13]. */
  deleteSignIn(tokenHash: string): Promise<void>
  /** The session whose join code is `code`, or null [MS14]. */
  findByJoinCode(code: string): Promise<Session | null>
  /** The event's IANA time zone as last set (by a schedule import), or null [MS15]. */
  getEventTimeZone(): Promise<string | null>
  /** Stores the event's time zone [MS15]. */
  setEventTimeZone(timeZone: string): Promise<void>
  /** Ended sessions without an archive record [MS20]. */
  listUnarchived(): Promise<Session[]>
  /** Stores deliveries on their own [MS16]. */
  enqueue(messages: NewOutboxMessage[]): Promise<void>
  /** Leases due deliveries for sending [MS17]. `now` in ms since the epoch. */
  claimOutbox(limit: number, leaseMs: number, now: number): Promise<OutboxMessage[]>
  /** Records one attempt's outcome [MS18]. */
  settleOutbox(id: string, outcome: OutboxOutcome): Promise<void>
  /** Deliveries, newest first [MS19]. */
  listOutbox(options?: { limit?: number; before?: string }): Promise<OutboxMessage[]>
  /** One delivery or null [MS19]. */
  getOutbox(id: string): Promise<OutboxMessage | null>
  /** Makes a delivery pending again with a fresh retry window [MS19]. */
  resendOutbox(id: string, now: number): Promise<OutboxMessage | null>
  /** Records that session `id` continues `earlierId`, or removes the link for null [MS21]. */
  setFollows(id: string, earlierId: string | null): Promise<void>
  /** The session `id` continues, or null [MS21]. */
  getFollows(id: string): Promise<string | null>
  /** The sessions continuing `earlierId`, by scheduled start then id [MS21]. */
  listFollowUps(earlierId: string): Promise<string[]>
  /** Every follow-up link [MS21]. */
  listFollowLinks(): Promise<{ sessionId: string; earlierId: string }[]>
  /** Records who took part in session `id` [MS22]. */
  recordPeople(id: string, people: SessionPerson[]): Promise<void>
  /** Adds a session the person only listened to [MS22]. */
  addListened(personId: string, sessionId: string): Promise<void>
  /** Removes a listened session; false when it was not there [MS22]. */
  removeListened(personId: string, sessionId: string): Promise<boolean>
  /** The sessions a person took part in or listened to [MS22]. */
  listPersonSessions(personId: string): Promise<PersonSession[]>
  /** Stores the hash of one of a person's browser keys [MS23]. */
  addPersonKey(personId: string, keyHash: string): Promise<void>
  /** Whether `keyHash` is one of the person's keys [MS23]. */
  personKeyState(personId: string, keyHash: string): Promise<'match' | 'mismatch' | 'unknown'>
  /** Stores an identity transfer under the hash of its code until `expiresAt` [MS24]. */
  createTransfer(codeHash: string, transfer: IdentityTransfer, expiresAt: string): Promise<void>
  /** The transfer, once: it is removed; null when unknown, taken or expired [MS24]. */
  takeTransfer(codeHash: string): Promise<IdentityTransfer | null>
  /** The person's unexpired transfers [MS24]. */
  countTransfers(personId: string): Promise<number>
  /** Releases resources. Idempotent. */
  close(): Promise<void>
}
