/**
 * Where outcomes travel (issue 20): webhook endpoints and the recap mail's lists, from the file
 * `NOTIFY_FILE` (JSON) and/or the environment, validated here by hand (the server reads them at
 * every start, and zod would cost its idle process about 5 MB: issue 21). `config.ts` calls
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

const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/
/** An e-mail address as zod's `z.email()` reads one (letters, digits and `_'+-.` before the @, a dotted host name after). */
const mailPattern = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/

function isMailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 320 && mailPattern.test(value)
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol)
  } catch {
    return false
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Names the keys of `value` besides `allowed` as problems at `path`. */
function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], path: string, problems: string[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push(`${path}: unrecognized key "${key.slice(0, 80)}"`)
}

/**
 * Reads one endpoint (from the file or the WEBHOOK_* variables): the endpoint, or null with its
 * problems pushed, each named by `at` with the field ('name', 'url', 'secret', 'events').
 */
function readEndpoint(value: Record<string, unknown>, at: (field: string) => string, problems: string[]): WebhookEndpoint | null {
  const before = problems.length
  const { name, url, secret, events } = value
  if (typeof name !== 'string' || !namePattern.test(name)) problems.push(`${at('name')}: a name is 1-40 letters, digits, ".", "_" or "-"`)
  if (typeof url !== 'string' || url.length > 2000 || !isHttpUrl(url)) problems.push(`${at('url')}: an http:// or https:// URL`)
  if (typeof secret !== 'string' || secret.length < 16) problems.push(`${at('secret')}: a secret has at least 16 characters`)
  else if (secret.length > 500) problems.push(`${at('secret')}: a secret has at most 500 characters`)
  let chosen: WebhookEvent[] = [...webhookEvents]
  if (events !== undefined) {
    if (!Array.isArray(events) || events.length === 0) problems.push(`${at('events')}: a list of one or more of ${webhookEvents.join(', ')}`)
    else {
      const unknown = events.find((event) => !(webhookEvents as readonly unknown[]).includes(event))
      if (unknown !== undefined) problems.push(`${at('events')}: "${String(unknown).slice(0, 80)}" is not one of ${webhookEvents.join(', ')}`)
      else chosen = events as WebhookEvent[]
    }
  }
  if (problems.length > before) return null
  return { name: name as string, url: url as string, secret: secret as string, events: chosen }
}

interface NotifyFile {
  webhooks: WebhookEndpoint[]
  recapMail?: { default: string | null; tracks: Record<string, string> }
}

/** Reads NOTIFY_FILE's JSON: strict objects, every problem named by its path (`webhooks.0.secret`). */
function readNotifyFile(json: unknown, problems: string[]): NotifyFile {
  const file: NotifyFile = { webhooks: [] }
  const at = (path: string) => `NOTIFY_FILE: ${path}`
  if (!isObject(json)) {
    problems.push(at('(top): expected an object'))
    return file
  }
  unknownKeys(json, ['webhooks', 'recapMail'], at('(top)'), problems)
  if (json.webhooks !== undefined) {
    if (!Array.isArray(json.webhooks)) problems.push(at('webhooks: expected a list'))
    else if (json.webhooks.length > maxWebhookEndpoints) problems.push(at(`webhooks: at most ${maxWebhookEndpoints} endpoints`))
    else {
      json.webhooks.forEach((entry: unknown, i: number) => {
        if (!isObject(entry)) {
          problems.push(at(`webhooks.${i}: expected an object`))
          return
        }
        unknownKeys(entry, ['name', 'url', 'secret', 'events'], at(`webhooks.${i}`), problems)
        const endpoint = readEndpoint(entry, (field) => at(`webhooks.${i}.${field}`), problems)
        if (endpoint) file.webhooks.push(endpoint)
      })
    }
  }
  const mail = json.recapMail
  if (mail !== undefined) {
    if (!isObject(mail)) problems.push(at('recapMail: expected an object'))
    else {
      unknownKeys(mail, ['default', 'tracks'], at('recapMail'), problems)
      const recap = { default: null as string | null, tracks: {} as Record<string, string> }
      if (mail.default !== undefined && mail.default !== null) {
        if (isMailAddress(mail.default)) recap.default = mail.default
        else problems.push(at('recapMail.default: not an e-mail address'))
      }
      if (mail.tracks !== undefined) {
        if (!isObject(mail.tracks)) problems.push(at('recapMail.tracks: expected an object of track: list address'))
        else {
          for (const [track, list] of Object.entries(mail.tracks)) {
            if (track.length < 1 || track.length > 200) problems.push(at('recapMail.tracks: a track name has 1-200 characters'))
            else if (!isMailAddress(list)) problems.push(at(`recapMail.tracks.${track.slice(0, 80)}: not an e-mail address`))
            else recap.tracks[track] = list
          }
        }
      }
      file.recapMail = recap
    }
  }
  return file
}

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
  let file: NotifyFile = { webhooks: [] }
  if (fileText !== null) {
    let json: unknown
    try {
      json = JSON.parse(fileText)
    } catch (error) {
      return { problems: [`NOTIFY_FILE: not JSON (${(error as Error).message})`] }
    }
    file = readNotifyFile(json, problems)
  }
  const webhooks: WebhookEndpoint[] = [...file.webhooks]
  if (env.WEBHOOK_URL !== undefined || env.WEBHOOK_SECRET !== undefined) {
    const endpoint = readEndpoint(
      {
        name: env.WEBHOOK_NAME ?? 'default',
        url: env.WEBHOOK_URL,
        secret: env.WEBHOOK_SECRET,
        events: env.WEBHOOK_EVENTS === undefined ? undefined : env.WEBHOOK_EVENTS.split(',').map((event) => event.trim()).filter(Boolean),
      },
      envName,
      problems,
    )
    if (endpoint) webhooks.push(endpoint)
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
    if (at <= 0 || !isMailAddress(list)) problems.push(`RECAP_TRACK_LISTS: "${pair.trim().slice(0, 80)}" is not Track=list@host`)
    else trackLists[track.toLowerCase()] = list
  }
  let defaultList = file.recapMail?.default ?? null
  if (env.RECAP_LIST !== undefined) {
    if (isMailAddress(env.RECAP_LIST)) defaultList = env.RECAP_LIST
    else problems.push('RECAP_LIST: not an e-mail address')
  }
  let mail: RecapMailConfig | null = null
  if (env.SMTP_URL !== undefined) {
    if (!/^smtps?:\/\/[^/]/.test(env.SMTP_URL)) problems.push('SMTP_URL: an smtp:// or smtps:// URL')
    if (env.MAIL_FROM === undefined || !isMailAddress(env.MAIL_FROM)) problems.push('MAIL_FROM: the From address (an e-mail address) is needed with SMTP_URL')
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

function envName(key: string): string {
  return key === 'url' ? 'WEBHOOK_URL' : key === 'secret' ? 'WEBHOOK_SECRET' : key === 'events' ? 'WEBHOOK_EVENTS' : 'WEBHOOK_NAME'
}
