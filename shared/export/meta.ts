/**
 * What an export says about its session besides the pad, and the one way every exporter lists
 * it, so Markdown, HTML and text show the same fields under the same labels.
 */
import { isTimeZone, toWallTime, zoneAbbreviation } from '../time-zone.ts'

/** Session facts an export shows above (and, for participants, below) the pad. */
export interface ExportMeta {
  title: string
  track: string
  room: string
  moderator: string
  /** ISO 8601, or null when not scheduled. */
  scheduledStart: string | null
  /** ISO 8601 of the moderator's start, or null. */
  startedAt: string | null
  /** ISO 8601 of the end, or null while not ended. */
  endedAt: string | null
  /** Display names of everyone who took part, in the order to show them. */
  participants: string[]
  /** Link to the session (absolute or relative), shown when present. */
  url?: string
  /** IANA time zone the times are shown in (issue 19: exports carry the zone). @default 'UTC' */
  timeZone?: string
}

/** One labelled line of an export's metadata block. */
export interface MetaField {
  label: string
  value: string
}

/**
 * The metadata lines of an export in display order: Track, Room, Moderator, Scheduled, Started,
 * Ended, Participants (comma-separated), Link. Fields that are empty (after trimming) or null are
 * left out; times are shown by {@link formatMetaTime}. Values are raw text: each exporter escapes
 * them for its format.
 */
export function metaFields(meta: ExportMeta): MetaField[] {
  const fields: [string, string | null | undefined][] = [
    ['Track', meta.track],
    ['Room', meta.room],
    ['Moderator', meta.moderator],
    ['Scheduled', formatMetaTime(meta.scheduledStart, meta.timeZone)],
    ['Started', formatMetaTime(meta.startedAt, meta.timeZone)],
    ['Ended', formatMetaTime(meta.endedAt, meta.timeZone)],
    ['Participants', participantNames(meta).join(', ')],
    ['Link', meta.url],
  ]
  return fields.flatMap(([label, value]) => (value?.trim() ? [{ label, value: value.trim() }] : []))
}

/** The participants' names, trimmed, without empty ones. */
export function participantNames(meta: ExportMeta): string[] {
  return meta.participants.map((name) => name.trim()).filter((name) => name !== '')
}

/**
 * An ISO 8601 time as `YYYY-MM-DD HH:MM UTC`, or in another zone with its abbreviation and name
 * (`2013-11-05 09:00 GMT+8 (Asia/Hong_Kong)`): the same on every machine (exports must not depend
 * on the server's or the reader's zone) and never ambiguous. Returns null for null, and the input
 * unchanged when it is not a date.
 */
export function formatMetaTime(iso: string | null, timeZone = 'UTC'): string | null {
  if (iso === null) return null
  const time = new Date(iso)
  if (Number.isNaN(time.getTime())) return iso
  if (timeZone === 'UTC' || !isTimeZone(timeZone)) return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  return `${toWallTime(iso, timeZone).replace('T', ' ')} ${zoneAbbreviation(timeZone, time.getTime())} (${timeZone})`
}
