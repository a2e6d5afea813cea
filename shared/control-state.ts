/**
 * The control doc's content (`<id>/control`): a session's live state as every screen sees it.
 * One Y.Map named `control` holds these fields; times are ms since the epoch on the server
 * clock. The server writes it from the Session; clients read it (and derive it from the API's
 * Session until the doc has synced). Pure.
 */
import type { Session, SessionState } from './api.ts'

export const controlMapName = 'control'

export interface ControlState {
  state: SessionState
  startedAt: number | null
  endsAt: number | null
  endedAt: number | null
  locked: boolean
  currentItem: string | null
  durationMinutes: number
  /** The moderator shows the chat on the projector. */
  projectorChat: boolean
  /** While live: the join code `/j/<code>` leads by (issue 19); null otherwise. */
  joinCode: string | null
  /** The recap mail goes out when the session ends (the moderator's recap-off / recap-on). */
  recapMail: boolean
  /**
   * Stored updates of the session's docs that kept them from loading and were set aside
   * (server/sync/quarantine.ts); the pad page tells the moderator. Absent when none.
   */
  quarantinedUpdates?: number
  /**
   * When the current agenda item became current (ms, server clock), for its elapsed time against
   * its timebox. Written by the server when Start or the moderator moves the agenda; absent before.
   */
  currentSince?: number
}

/** The control map key that holds the last restore of the pad (shared/restore-notice.ts). */
export const restoreNoticeKey = 'restore'

/** The control map key of `ControlState.currentSince`, written by the server only. */
export const currentSinceKey = 'currentSince'

/** The control map key of `ControlState.quarantinedUpdates`, written by the server only. */
export const quarantinedUpdatesKey = 'quarantinedUpdates'

const toMs = (iso: string | null) => (iso === null ? null : Date.parse(iso))

/** The control state of `session`. */
export function controlStateOf(
  session: Pick<Session, 'state' | 'startedAt' | 'endsAt' | 'endedAt' | 'locked' | 'currentItem' | 'durationMinutes' | 'projectorChat'> & Partial<Pick<Session, 'joinCode' | 'recapMail'>>,
): ControlState {
  return {
    state: session.state,
    startedAt: toMs(session.startedAt),
    endsAt: toMs(session.endsAt),
    endedAt: toMs(session.endedAt),
    locked: session.locked,
    currentItem: session.currentItem,
    durationMinutes: session.durationMinutes,
    projectorChat: session.projectorChat,
    joinCode: session.joinCode ?? null,
    recapMail: session.recapMail ?? true,
  }
}
