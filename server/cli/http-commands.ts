/**
 * The commands that talk to a running server over its HTTP API (`--url`, default
 * `SUMMITPAD_URL` or http://localhost:3000): `import-schedule`, `import-etherpad`, `export`, `export-archive`. An
 * organizer token (`--token` or `SUMMITPAD_TOKEN`) is sent as `Authorization: Bearer <token>`.
 */
import fs from 'node:fs'
import path from 'node:path'
import { etherpadFormats, exportFormats, type EtherpadImportSummary, type ImportResult } from '../../shared/api.ts'
import { allExportFormats } from '../http/export-query.ts'
import { scheduleFormats } from '../../shared/schedule/schedule.ts'
import { CliError, usageError } from './cli-error.ts'
import { formatBytes, ProgressBar } from './progress.ts'

/** Where and as whom the HTTP commands call. */
export interface ServerTarget {
  url: string
  token: string | null
}

async function call(target: ServerTarget, pathname: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(pathname, target.url.endsWith('/') ? target.url : `${target.url}/`)
  const headers = new Headers(init.headers)
  if (target.token) headers.set('authorization', `Bearer ${target.token}`)
  let res: Response
  try {
    res = await fetch(url, { ...init, headers })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    throw new CliError(`cannot reach the server at ${target.url}: ${cause?.code ?? cause?.message ?? (error as Error).message} (is it running? set --url or SUMMITPAD_URL)`)
  }
  if (!res.ok) {
    const text = await res.text()
    let message = text.slice(0, 300)
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } }
      if (body.error) message = `${body.error.code}: ${body.error.message}`
    } catch {
      // reason: not every failure (a proxy's 502, say) answers with JSON; show its text instead.
    }
    throw new CliError(`${init.method ?? 'GET'} ${url.pathname} failed with ${res.status}: ${message}`)
  }
  return res
}

/** The session fields `import-etherpad` passes on; absent ones take the server's defaults. */
export interface EtherpadImportOptions {
  title: string
  track?: string
  room?: string
  moderator?: string
  start?: string
  duration?: string
  access?: string
  format?: string
  json: boolean
}

/** The format of an Etherpad export by its file name: `.etherpad`, `.html`/`.htm`, `.txt`; else null (the server guesses). */
export function etherpadFormatOf(file: string): string | null {
  return /\.etherpad$/i.test(file) ? 'etherpad' : /\.html?$/i.test(file) ? 'html' : /\.txt$/i.test(file) ? 'text' : null
}

/**
 * `import-etherpad FILE --title TITLE [...]`: creates a session from an Etherpad export (the
 * `.etherpad` file, or its HTML or text export) and prints what was imported and the session's
 * three links (with secrets: keep the output private). `json` prints the server's answer as is.
 */
export async function importEtherpadCommand(target: ServerTarget, file: string, options: EtherpadImportOptions): Promise<void> {
  const format = options.format ?? etherpadFormatOf(file)
  if (format !== null && !(etherpadFormats as readonly string[]).includes(format)) throw usageError(`--format must be one of ${etherpadFormats.join(', ')}`)
  let content: Buffer
  try {
    content = fs.readFileSync(file)
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`)
  }
  const query = new URLSearchParams({ title: options.title })
  const fields = { track: options.track, room: options.room, moderator: options.moderator, scheduledStart: options.start, durationMinutes: options.duration, access: options.access, format: format ?? undefined }
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) query.set(key, value)
  const res = await call(target, `api/sessions/etherpad?${query}`, {
    method: 'POST',
    headers: { 'content-type': format === 'etherpad' ? 'application/json' : format === 'html' ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8' },
    body: new Uint8Array(content),
  })
  const answer = (await res.json()) as { session: { id: string; title: string }; links: { moderator: string; attendee: string; projector: string }; imported: EtherpadImportSummary }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`)
    return
  }
  const base = target.url.replace(/\/$/, '')
  const { imported } = answer
  process.stdout.write(`created ${answer.session.id} "${answer.session.title}" from ${imported.format}: ${imported.lines} lines, ${imported.authors} authors, ${imported.chatMessages} chat messages\n`)
  process.stdout.write(`  moderator  ${base}${answer.links.moderator}\n  attendee   ${base}${answer.links.attendee}\n  projector  ${base}${answer.links.projector}\n`)
}

/**
 * `import-schedule FILE --event NAME [--format csv|ics] [--time-zone ZONE] [--etherpad PAD]... [--dry-run]`: prints one line per session
 * (created, updated with its changes, unchanged, skipped with the server's reason) and, for created ones, their three links (with
 * secrets: keep the output private). `json` prints the server's answer as is.
 */
export async function importScheduleCommand(target: ServerTarget, file: string, options: { event: string; format?: string; timeZone?: string; dryRun: boolean; json: boolean; etherpads?: string[] }): Promise<void> {
  const format = options.format ?? (/\.(ics|ical)$/i.test(file) ? 'ics' : /\.csv$/i.test(file) ? 'csv' : null)
  if (!format) throw usageError(`cannot tell the format of ${file}: give --format csv or --format ics`)
  if (!(scheduleFormats as readonly string[]).includes(format)) throw usageError(`--format must be one of ${scheduleFormats.join(', ')}`)
  let content: string
  try {
    content = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`)
  }
  // Etherpad exports named in the schedule's `etherpad` column travel by their file names.
  const etherpadFiles: Record<string, string> = {}
  for (const pad of options.etherpads ?? []) {
    try {
      etherpadFiles[path.basename(pad)] = fs.readFileSync(pad, 'utf8')
    } catch (error) {
      throw new CliError(`cannot read ${pad}: ${(error as Error).message}`)
    }
  }
  const res = await call(target, 'api/schedule/import', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event: options.event, format, content, dryRun: options.dryRun, ...(options.timeZone ? { timeZone: options.timeZone } : {}), ...(options.etherpads?.length ? { etherpadFiles } : {}) }),
  })
  const answer = (await res.json()) as ImportResult
  if (options.json) {
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`)
    return
  }
  for (const session of answer.sessions) {
    const changes = session.changes ? ` (${Object.entries(session.changes).map(([field, change]) => `${field}: ${JSON.stringify(change.from)} → ${JSON.stringify(change.to)}`).join('; ')})` : ''
    const reason = session.reason ? ` (${session.reason})` : ''
    process.stdout.write(`${session.outcome.padEnd(9)} ${session.id}  line ${session.line}  ${session.title}${changes}${reason}\n`)
    // The server's links are relative to where it is served: print them whole.
    const full = (link: string) => new URL(link, target.url).toString()
    if (session.links) process.stdout.write(`          moderator ${full(session.links.moderator)}\n          attendee  ${full(session.links.attendee)}\n          projector ${full(session.links.projector)}\n`)
  }
  process.stdout.write(`${answer.dryRun ? 'dry run: would create' : 'created'} ${answer.created}, ${answer.dryRun ? 'update' : 'updated'} ${answer.updated}, unchanged ${answer.unchanged}, ${answer.dryRun ? 'skip' : 'skipped'} ${answer.skipped}\n`)
}

/** `export SESSION --format md|html|txt|json|recap|eml [--rev N] [--out FILE]`: the export, to a file or stdout. */
export async function exportCommand(target: ServerTarget, sessionId: string, options: { format: string; rev?: string; out?: string }): Promise<void> {
  if (!(allExportFormats as readonly string[]).includes(options.format)) throw usageError(`--format must be one of ${allExportFormats.join(', ')}`)
  if (options.rev !== undefined && !/^[1-9]\d*$/.test(options.rev)) throw usageError('--rev must be a revision number (1, 2, ...)')
  const query = new URLSearchParams({ format: options.format, ...(options.rev ? { rev: options.rev } : {}) })
  const res = await call(target, `api/sessions/${encodeURIComponent(sessionId)}/export?${query}`)
  const body = Buffer.from(await res.arrayBuffer())
  if (options.out) {
    fs.writeFileSync(options.out, body)
    process.stderr.write(`wrote ${options.out} (${formatBytes(body.length)})\n`)
  } else {
    process.stdout.write(body)
  }
}

/** `export-archive FILE.zip`: downloads the whole archive zip, with a progress bar. */
export async function exportArchiveCommand(target: ServerTarget, file: string): Promise<void> {
  const res = await call(target, 'api/archive/export.zip')
  const total = Number(res.headers.get('content-length')) || null
  const bar = new ProgressBar(`downloading ${path.basename(file)}`, total, 'bytes')
  const partial = `${file}.partial`
  const out = fs.createWriteStream(partial)
  let received = 0
  try {
    // reason: Node's fetch body is async-iterable; the DOM lib's ReadableStream type does not say so.
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.length
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
      bar.update(received)
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
  } catch (error) {
    out.destroy()
    fs.rmSync(partial, { force: true })
    throw new CliError(`download failed: ${(error as Error).message}`)
  }
  bar.finish()
  fs.renameSync(partial, file)
  process.stderr.write(`wrote ${file} (${formatBytes(received)})\n`)
}
