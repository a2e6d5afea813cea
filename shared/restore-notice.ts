/**
 * The last restore of a pad, as every open pad shows it (issue 16, part 5): who restored which
 * revision, when, and which revision holds the pad as it was just before (so the moderator can
 * undo the restore in one click). The server writes it into the session's control doc under
 * `restoreNoticeKey` after each restore; clients read it with `readRestoreNotice`. Pure.
 */
import { z } from 'zod'

/** The control map's key (`shared/control-state.ts`'s map) that holds the last restore. */
export { restoreNoticeKey } from './control-state.ts'

export const restoreNoticeSchema = z.object({
  /** The revision the restore saved (the pad right after it). */
  rev: z.number().int().min(1),
  /** The revision that was restored. */
  from: z.number().int().min(1),
  /** When revision `from` was saved, ms since the epoch (server clock). */
  fromAt: z.number(),
  /** The revision that holds the pad as it was just before the restore: restoring it undoes this one. */
  before: z.number().int().min(1),
  /** The name the moderator gave (their pad identity); empty when unknown. */
  by: z.string().max(80),
  /** When the restore happened, ms since the epoch (server clock). */
  at: z.number(),
  /** The restore revision this one undoes, when it was an undo; null otherwise. */
  undoes: z.number().int().min(1).nullable(),
})

/** The last restore of a pad. */
export type RestoreNotice = z.infer<typeof restoreNoticeSchema>

/** The notice in a control map value, or null when there is none or it is malformed. */
export function readRestoreNotice(value: unknown): RestoreNotice | null {
  const parsed = restoreNoticeSchema.safeParse(value)
  return parsed.success ? parsed.data : null
}

/** `POST /api/sessions/:id/restore` body: the revision, and optionally who restores and what it undoes. */
export const restoreBody = z
  .object({
    rev: z.union([z.number(), z.string()]),
    by: z.string().trim().max(80).optional(),
    undoes: z.number().int().min(1).optional(),
  })
  .strict()
