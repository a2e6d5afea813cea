/**
 * Recovery of this browser's copy of a pad after the server refused a write of it (close code
 * 4409, issue 16 part 2): the pad will never take that write, and every later edit of the same
 * Yjs client builds on it, so the copy cannot be saved any more. The page keeps the text it
 * showed (to tell the person what was not saved), drops the copy from memory and IndexedDB, and
 * loads the pad afresh under a new Yjs client id (a reload: every part of the page starts from
 * the server's copy). After the reload, `client/pages/unsaved-panel.ts` compares the kept text
 * with the pad's and shows what is missing.
 */
import type { IndexeddbPersistence } from 'y-indexeddb'

const stashKey = (sessionId: string) => `summitpad.unsaved.${sessionId}`
const generationKey = (sessionId: string) => `summitpad.localCopy.${sessionId}`
const recoveredAtKey = (sessionId: string) => `summitpad.recoveredAt.${sessionId}`

/** A second refusal this soon after a recovery means reloading does not help: stop there. */
const minRecoveryIntervalMs = 5000

/**
 * Longest wait for IndexedDB to delete the old copy (another tab may hold it open). The page
 * does not need the deletion: it moves to a new copy's name anyway (see `localCopyName`).
 */
const deleteWaitMs = 150

/**
 * The IndexedDB name of this browser's copy of the pad. Each recovery moves to a new name, so a
 * refused copy is never loaded again even when its deletion is blocked by another open tab.
 */
export function localCopyName(sessionId: string): string {
  const generation = Number(localStorage.getItem(generationKey(sessionId)) ?? 0)
  return generation > 0 ? `summitpad:${sessionId}:${generation}` : `summitpad:${sessionId}`
}

/**
 * Keeps `localText` (the pad's text as this browser had it) for the page after the reload, moves
 * to a new IndexedDB copy and deletes the old one (waiting at most `deleteWaitMs`). Returns false
 * without doing so when the previous recovery was moments ago: the page should then say the pad
 * refused this browser instead of reloading in a loop.
 */
export async function dropDivergedCopy(sessionId: string, localText: string, local: IndexeddbPersistence): Promise<boolean> {
  const last = Number(sessionStorage.getItem(recoveredAtKey(sessionId)) ?? 0)
  if (Date.now() - last < minRecoveryIntervalMs) return false
  sessionStorage.setItem(recoveredAtKey(sessionId), String(Date.now()))
  // Text kept from an earlier refusal the person has not dismissed yet stays in front of it.
  const earlier = sessionStorage.getItem(stashKey(sessionId))
  sessionStorage.setItem(stashKey(sessionId), earlier ? `${earlier}\n${localText}` : localText)
  const generation = Number(localStorage.getItem(generationKey(sessionId)) ?? 0)
  localStorage.setItem(generationKey(sessionId), String(generation + 1))
  // reason: the copy's generation has already moved on, so an old copy that fails to delete is
  // never opened again; the reload must not wait on it.
  await Promise.race([local.clearData().catch(() => {}), new Promise((resolve) => setTimeout(resolve, deleteWaitMs))])
  return true
}

/** The text kept by `dropDivergedCopy` for `sessionId`, or null. */
export function keptLocalText(sessionId: string): string | null {
  return sessionStorage.getItem(stashKey(sessionId))
}

/** Forgets the kept text (the person dismissed the panel, or nothing was missing). */
export function forgetKeptLocalText(sessionId: string): void {
  sessionStorage.removeItem(stashKey(sessionId))
}
