/**
 * Where outcomes travel (issue 20): webhook endpoints and the recap mail's lists, from the file
 * `NOTIFY_FILE` (JSON) and/or the environment, validated with zod. `config.ts` calls
 * `parseNotifyConfig` at startup; a bad file or variable stops the start with every problem named.
 *
 * ```json
 * {
 *   "webhooks": [
 *     { "name": "ci", "url": "https://hooks.example.org/summit", "secret": "at least 16 characters",
 *       "events": ["session.ended", "schedule.imported"] }
 *   ],
 *   "recapMail": { "default": "summit@lists.example.org", "tracks": { "Nova": "nova-dev@lists.example.org" } }
 * }
 * ```
 */
import { z } from 'zod'

/** The events a webhook endpoint can subscribe to. */
export const webhookEvents = ['session.started', 'session.ended', 'session.updated', 'schedule.imported'] as const
export type WebhookEvent = (typeof webhookEvents)[number]

/** One configured receiver. */
export interface WebhookEndpoint {
  /** Names the endpoint in the deliveries list (never the URL, which may hold a token). */
  readonly name: string
  readonly url: string
  /** The HMAC-SHA256 key both sides hold. */
  readonly secret: string
  readonly events: readonly WebhookEvent[]
}

/** The recap mail's lists; `null` in `NotifyConfig.mail` when no SMTP server is configured. */
export interface RecapMailConfig {
  /** `smtp://` or `smtps://` URL, credentials included, for nodemailer. */
  readonly smtpUrl: string
  /** The From address. */
  readonly from: string
  /** The event's list: sessions of a track without a list of its own go here; null: none. */
  readonly defaultList: string | null
  /** Track name (as in the schedule, compared case-insensitively) → list address. */
  readonly trackLists: Readonly<Record<string, string>>
}

export interface NotifyConfig {
  readonly webhooks: readonly WebhookEndpoint[]
  readonly mail: RecapMailConfig | null
}

/** Most endpoints: each event becomes one delivery per endpoint. */
export const maxWebhookEndpoints = 20

const endpointName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, 'a name is 1-40 letters, digits, ".", "_" or "-"')
const endpointUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).max(2000)
const endpointSecret = z.string().min(16, 'a secret has at least 16 characters').max(500)
const mailAddress = z.email().max(320)

const endpointSchema = z
  .object({
    name: endpointName,
    url: endpointUrl,
    secret: endpointSecret,
    events: z.array(z.enum(webhookEvents)).min(1).default([...webhookEvents]),
  })
  .strict()

const fileSchema = z
  .object({
    webhooks: z.array(endpointSchema).max(maxWebhookEndpoints).default([]),
    recapMail: z
      .object({ default: mailAddress.nullable().default(null), tracks: z.record(z.string().min(1).max(200), mailAddress).default({}) })
      .strict()
      .optional(),
  })
  .strict()

/** The variables read here (besides `NOTIFY_FILE`, whose text is passed in). */
export interface NotifyEnv {
  WEBHOOK_URL?: string
  WEBHOOK_SECRET?: string
  WEBHOOK_EVENTS?: string
  WEBHOOK_NAME?: string
  SMTP_URL?: string
  MAIL_FROM?: string
  RECAP_LIST?: string
  RECAP_TRACK_LISTS?: string
}

/**
 * The notification settings from `fileText` (the content of NOTIFY_FILE, or null) and `env`.
 * Endpoints from both are used (names must differ); `RECAP_LIST` and `RECAP_TRACK_LISTS`
 * (`Track=list@host;Other=list2@host`) add to and override the file's lists. Returns
 * `{ problems }` naming every bad setting instead of throwing, for `loadConfig` to report.
 */
export function parseNotifyConfig(env: NotifyEnv, fileText: string | null): NotifyConfig | { problems: string[] } {
  const problems: string[] = []
  let file: z.infer<typeof fileSchema> = { webhooks: [] }
  if (fileText !== null) {
    let json: unknown
    try {
      json = JSON.parse(fileText)
    } catch (error) {
      return { problems: [`NOTIFY_FILE: not JSON (${(error as Error).message})`] }
    }
    const parsed = fileSchema.safeParse(json)
    if (parsed.success) file = parsed.data
    else problems.push(...parsed.error.issues.map((issue) => `NOTIFY_FILE: ${issue.path.join('.') || '(top)'}: ${issue.message}`))
  }
  const webhooks: WebhookEndpoint[] = [...file.webhooks]
  if (env.WEBHOOK_URL !== undefined || env.WEBHOOK_SECRET !== undefined) {
    const parsed = endpointSchema.safeParse({
      name: env.WEBHOOK_NAME ?? 'default',
      url: env.WEBHOOK_URL,
      secret: env.WEBHOOK_SECRET,
      events: env.WEBHOOK_EVENTS === undefined ? undefined : env.WEBHOOK_EVENTS.split(',').map((event) => event.trim()).filter(Boolean),
    })
    if (parsed.success) webhooks.push(parsed.data)
    else problems.push(...parsed.error.issues.map((issue) => `${envName(issue.path[0])}: ${issue.message}`))
  } else if (env.WEBHOOK_EVENTS !== undefined) {
    problems.push('WEBHOOK_EVENTS: set WEBHOOK_URL and WEBHOOK_SECRET too')
  }
  const names = new Set<string>()
  for (const endpoint of webhooks) {
    if (names.has(endpoint.name)) problems.push(`webhook endpoint name "${endpoint.name}" is used twice`)
    names.add(endpoint.name)
  }
  if (webhooks.length > maxWebhookEndpoints) problems.push(`at most ${maxWebhookEndpoints} webhook endpoints`)

  const trackLists: Record<string, string> = {}
  for (const [track, list] of Object.entries(file.recapMail?.tracks ?? {})) trackLists[track.toLowerCase()] = list
  for (const pair of (env.RECAP_TRACK_LISTS ?? '').split(';')) {
    if (pair.trim() === '') continue
    const at = pair.lastIndexOf('=')
    const track = pair.slice(0, at).trim()
    const list = pair.slice(at + 1).trim()
    if (at <= 0 || !mailAddress.safeParse(list).success) problems.push(`RECAP_TRACK_LISTS: "${pair.trim().slice(0, 80)}" is not Track=list@host`)
    else trackLists[track.toLowerCase()] = list
  }
  let defaultList = file.recapMail?.default ?? null
  if (env.RECAP_LIST !== undefined) {
    if (mailAddress.safeParse(env.RECAP_LIST).success) defaultList = env.RECAP_LIST
    else problems.push('RECAP_LIST: not an e-mail address')
  }
  let mail: RecapMailConfig | null = null
  if (env.SMTP_URL !== undefined) {
    if (!/^smtps?:\/\/[^/]/.test(env.SMTP_URL)) problems.push('SMTP_URL: an smtp:// or smtps:// URL')
    if (env.MAIL_FROM === undefined || !mailAddress.safeParse(env.MAIL_FROM).success) problems.push('MAIL_FROM: the From address (an e-mail address) is needed with SMTP_URL')
    mail = { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM ?? '', defaultList, trackLists }
  } else if (defaultList !== null || Object.keys(trackLists).length > 0) {
    problems.push('SMTP_URL: recap lists are configured but no SMTP server to send through')
  }
  return problems.length > 0 ? { problems } : { webhooks, mail }
}

/** The list a session of `track` is mailed to, or null when none is configured. */
export function recapListFor(mail: RecapMailConfig, track: string): string | null {
  return mail.trackLists[track.toLowerCase()] ?? mail.defaultList
}

function envName(key: PropertyKey | undefined): string {
  return key === 'url' ? 'WEBHOOK_URL' : key === 'secret' ? 'WEBHOOK_SECRET' : key === 'events' ? 'WEBHOOK_EVENTS' : 'WEBHOOK_NAME'
}
