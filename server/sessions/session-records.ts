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
import { seedRevision } from './pad-seed.ts'

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

/** Seeds the docs of `session`, just stored: its pad with `padSeed` (and its first revision), its control doc. */
export async function seedSessionDocs(docs: DocStore, session: Session, padSeed: Uint8Array): Promise<void> {
  await docs.append(session.id, padSeed)
  await docs.appendRevision(session.id, seedRevision(padSeed))
  await docs.append(formatDocName({ sessionId: session.id, kind: 'control' }), encodeControlSeed(session))
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
