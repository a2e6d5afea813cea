/**
 * What a session is made of in storage, written in one place for every path that creates or
 * deletes sessions (the API's create and delete, the schedule import and its rollback): the
 * MetaStore row with the hashes of its two secrets, and its docs (pad with its first revision,
 * control doc, chat).
 */
import type { Session, SessionLinks } from '../../shared/api.ts'
import { formatDocName, type DocKind } from '../../shared/doc-name.ts'
import { hashSecret, mintSecret } from '../auth/capabilities.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { MetaStore } from '../storage/meta-store.ts'
import { encodeControlSeed } from './control-doc.ts'
import { seedRevision } from './seed-revision.ts'

/** Every kind of doc a session owns; deleting a session deletes each. */
const sessionDocKinds: readonly DocKind[] = ['pad', 'control', 'chat']

/** A new session's two secrets (shown once, in its links) and the hashes the MetaStore keeps. */
export interface SessionKeys {
  moderatorKey: string
  editorKey: string
  hashes: { moderatorKeyHash: string; editorKeyHash: string }
}

export function mintSessionKeys(): SessionKeys {
  const moderatorKey = mintSecret()
  const editorKey = mintSecret()
  return { moderatorKey, editorKey, hashes: { moderatorKeyHash: hashSecret(moderatorKey), editorKeyHash: hashSecret(editorKey) } }
}

/** What a new session's docs start from: its pad and, from an import (an Etherpad export), the pad's authors and a chat. */
export interface SessionSeeds {
  /** The pad's first update. */
  pad: Uint8Array
  /** Person ids of the authors already in the pad, named in its first revision. @default [] */
  authors?: string[]
  /** The chat doc's first update; none: the chat starts empty. */
  chat?: Uint8Array | null
}

/**
 * Seeds the docs of `session`, just stored: its pad with `seeds.pad` (and its first revision,
 * naming `seeds.authors`), its control doc, and its chat when `seeds.chat` is given.
 */
export async function seedSessionDocs(docs: DocStore, session: Session, seeds: SessionSeeds): Promise<void> {
  await docs.append(session.id, seeds.pad)
  await docs.appendRevision(session.id, { ...seedRevision(seeds.pad), authors: seeds.authors ?? [] })
  await docs.append(formatDocName({ sessionId: session.id, kind: 'control' }), encodeControlSeed(session))
  if (seeds.chat) await docs.append(formatDocName({ sessionId: session.id, kind: 'chat' }), seeds.chat)
}

/** The three links of a new session; a keyed session's attendee and projector links carry the attendee key. */
export function sessionLinks(id: string, access: Session['access'], keys: SessionKeys): SessionLinks {
  const base = `/s/${id}`
  return {
    moderator: `${base}#key=${keys.moderatorKey}`,
    attendee: access === 'open' ? base : `${base}#key=${keys.editorKey}`,
    // A keyed session's projector shows a QR code that must carry the attendee key.
    projector: access === 'open' ? `${base}/projector` : `${base}/projector#join=${keys.editorKey}`,
  }
}

/**
 * Deletes session `id`: its MetaStore row, then every doc it owns. `afterRow` runs between the
 * two (the service tells the other instances there, so none keeps writing to the docs).
 */
export async function deleteSessionRecords(meta: MetaStore, docs: DocStore, id: string, afterRow?: () => Promise<void>): Promise<void> {
  await meta.deleteSession(id)
  await afterRow?.()
  for (const kind of sessionDocKinds) await docs.delete(formatDocName({ sessionId: id, kind }))
}
