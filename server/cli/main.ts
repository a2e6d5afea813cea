/**
 * `summitpad <command>`: the operator's command line (`npx summitpad`, `npm run cli --`, or
 * `node dist/server/cli/main.js` in a built tree). One entry point, like `server/main.ts`: it
 * reads the environment and argv, runs one command, and exits 0 on success, 1 when the work
 * failed, 2 on a wrong command line; errors are one `summitpad: ...` line on stderr.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { ConfigError, loadConfig, type Config } from '../config.ts'
import { CliError, failureExit, usageError, usageExit } from './cli-error.ts'
import { exportArchiveCommand, exportCommand, importEtherpadCommand, importScheduleCommand, type ServerTarget } from './http-commands.ts'
import { migrateCommand } from './migrate.ts'
import { backupCommand, checkCommand, restoreCommand, sqliteFile } from './store-commands.ts'

const serverFlags = `  --url URL        the running server (default: SUMMITPAD_URL, else http://localhost:3000)
  --token TOKEN    organizer token, sent as Authorization: Bearer (default: SUMMITPAD_TOKEN)`
const storeNote = `Reads the server's environment: DATA_DIR (SQLite), DATABASE_URL (PostgreSQL), REDIS_URL.`

interface Command {
  usage: string
  help: string
  options: NonNullable<ParseArgsConfig['options']>
  positionals: number
  run(values: Record<string, string | boolean | undefined>, positionals: string[], env: NodeJS.ProcessEnv): Promise<void>
}

const httpOptions = { url: { type: 'string' }, token: { type: 'string' } } as const

function target(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): ServerTarget {
  const url = (values.url as string | undefined) ?? env.SUMMITPAD_URL ?? 'http://localhost:3000'
  if (!/^https?:\/\/./.test(url)) throw usageError(`--url must be an http(s) URL, not "${url}"`)
  return { url, token: (values.token as string | undefined) ?? env.SUMMITPAD_TOKEN ?? null }
}

function config(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, usageExit)
    throw error
  }
}

const commands: Record<string, Command> = {
  serve: {
    usage: 'serve [--port N] [--host H] [--data-dir DIR]',
    help: `Runs the server (what \`npm start\` runs), configured by the environment (see docs/deployment.md);
the flags override PORT, HOST and DATA_DIR. Stops gracefully on SIGINT / SIGTERM.`,
    options: { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' } },
    positionals: 0,
    async run(values, _positionals, env) {
      if (values.port !== undefined) env.PORT = values.port as string
      if (values.host !== undefined) env.HOST = values.host as string
      if (values['data-dir'] !== undefined) env.DATA_DIR = values['data-dir'] as string
      await import('../main.ts')
      // main.ts keeps the process alive until a signal stops the server.
      await new Promise(() => {})
    },
  },
  'import-schedule': {
    usage: 'import-schedule FILE --event NAME [--format csv|ics] [--time-zone ZONE] [--etherpad PAD]... [--dry-run] [--json] [--url URL] [--token TOKEN]',
    help: `Imports a summit schedule (CSV or iCalendar; the format from the file name unless --format)
into a running server. Re-importing changes only what changed. --dry-run reports what would
change. --time-zone (an IANA name, e.g. Asia/Hong_Kong) sets the event's zone, in which times
without an offset are read; without it, an iCalendar TZID, else the event's zone so far. Created sessions are printed with their links, which carry secrets. --etherpad (repeatable)
uploads an Etherpad export that the CSV's etherpad column names by its file name.
${serverFlags}`,
    options: { ...httpOptions, event: { type: 'string' }, format: { type: 'string' }, 'time-zone': { type: 'string' }, etherpad: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    positionals: 1,
    async run(values, [file], env) {
      if (!values.event) throw usageError('--event NAME is required')
      await importScheduleCommand(target(values, env), file!, {
        event: values.event as string,
        format: values.format as string | undefined,
        timeZone: values['time-zone'] as string | undefined,
        dryRun: values['dry-run'] === true,
        json: values.json === true,
        etherpads: values.etherpad as string[] | undefined,
      })
    },
  },
  'import-etherpad': {
    usage: 'import-etherpad FILE --title TITLE [--track T] [--room R] [--moderator M] [--start ISO] [--duration MIN] [--access open|key] [--format etherpad|html|text] [--json] [--url URL] [--token TOKEN]',
    help: `Creates a session from an Etherpad export: the .etherpad file (text, authors with their
colours, chat) or its HTML or text export (the format from the file name unless --format).
Prints what was imported and the session's links, which carry secrets. See docs/etherpad-import.md.
${serverFlags}`,
    options: {
      ...httpOptions,
      title: { type: 'string' },
      track: { type: 'string' },
      room: { type: 'string' },
      moderator: { type: 'string' },
      start: { type: 'string' },
      duration: { type: 'string' },
      access: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    positionals: 1,
    async run(values, [file], env) {
      if (!values.title) throw usageError('--title TITLE is required')
      const text = (name: string) => values[name] as string | undefined
      await importEtherpadCommand(target(values, env), file!, {
        title: values.title as string,
        track: text('track'),
        room: text('room'),
        moderator: text('moderator'),
        start: text('start'),
        duration: text('duration'),
        access: text('access'),
        format: text('format'),
        json: values.json === true,
      })
    },
  },
  export: {
    usage: 'export SESSION --format md|html|txt|json|recap|eml [--rev N] [--out FILE] [--url URL] [--token TOKEN]',
    help: `Exports a session's pad (live, or its archive once ended; --rev: that revision) to stdout or --out.
${serverFlags}`,
    options: { ...httpOptions, format: { type: 'string', default: 'md' }, rev: { type: 'string' }, out: { type: 'string' } },
    positionals: 1,
    async run(values, [session], env) {
      await exportCommand(target(values, env), session!, { format: values.format as string, rev: values.rev as string | undefined, out: values.out as string | undefined })
    },
  },
  'export-archive': {
    usage: 'export-archive FILE.zip [--url URL] [--token TOKEN]',
    help: `Downloads the whole archive (every archived session as Markdown, by track, with an index) as one zip, with a progress bar.
${serverFlags}`,
    options: { ...httpOptions },
    positionals: 1,
    async run(values, [file], env) {
      await exportArchiveCommand(target(values, env), file!)
    },
  },
  backup: {
    usage: 'backup FILE',
    help: `Writes a consistent copy of the SQLite database to FILE with SQLite's online backup API,
safe while the server runs. With PostgreSQL it says to use pg_dump. ${storeNote}`,
    options: {},
    positionals: 1,
    async run(_values, [file], env) {
      await backupCommand(config(env), file!)
    },
  },
  restore: {
    usage: 'restore FILE',
    help: `Replaces the SQLite database with FILE (a backup), after checking it. Stop the server first.
The replaced database is kept beside it. ${storeNote}`,
    options: {},
    positionals: 1,
    async run(_values, [file], env) {
      await restoreCommand(config(env), file!)
    },
  },
  migrate: {
    usage: 'migrate --to postgres://USER@HOST:PORT/DB[?schema=NAME]',
    help: `Copies the SQLite database (DATA_DIR) into an empty PostgreSQL database, every table: sessions
(with their key hashes, import keys, join codes), pads, chats and control docs (their stored
updates, ids kept), revisions, refused write ranges, quarantined rows, participants, archives
(their search text; PostgreSQL builds its search index) and action items, the event's settings,
the audit log, organizer sign-ins, the outbox (pending webhooks and mails included), follow-up
links, people's sessions, keys and identity transfers; id sequences are set past the copied ids.
First it checks that every doc loads as stored (nothing is copied when one does not); the copy is
one transaction; then it verifies the row count of every table and every doc's content. Stop the
server first; afterwards start it with DATABASE_URL set to the same URL.`,
    options: { to: { type: 'string' } },
    positionals: 0,
    async run(values, _positionals, env) {
      const to = values.to as string | undefined
      if (!to || !/^postgres(ql)?:\/\//.test(to)) throw usageError('--to postgres://... is required')
      const cfg = config({ ...env, DATABASE_URL: undefined })
      const report = await migrateCommand(cfg.dataDir, sqliteFile(cfg), to)
      const width = Math.max(...Object.keys(report.counts).map((table) => table.length))
      for (const [table, n] of Object.entries(report.counts)) process.stdout.write(`${table.padEnd(width)}  ${n.sqlite} → ${n.postgres}\n`)
      process.stdout.write(`verified: every count matches, ${report.docsVerified} docs identical\n`)
    },
  },
  check: {
    usage: 'check',
    help: `Checks the configuration and that the store and the bus answer (what /healthz reports).
Exit 0 when healthy, 1 when something is down, 2 when the configuration is invalid. ${storeNote}`,
    options: {},
    positionals: 0,
    async run(_values, _positionals, env) {
      await checkCommand(config(env))
    },
  },
}

const overview = `usage: summitpad <command> [options]     (npx summitpad, or npm run cli -- <command>)

commands:
${Object.values(commands).map((command) => `  ${command.usage}`).join('\n')}

summitpad <command> --help shows a command's details. Exit codes: 0 done, 1 failed, 2 wrong usage.`

/** Runs the command line `argv` (without node and the script); resolves with the exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${overview}\n`)
    return name ? 0 : usageExit
  }
  const command = commands[name]
  try {
    if (!command) throw usageError(`unknown command "${name}"; commands: ${Object.keys(commands).join(', ')}`)
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`usage: summitpad ${command.usage}\n\n${command.help}\n`)
      return 0
    }
    let parsed
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true })
    } catch (error) {
      throw usageError((error as Error).message)
    }
    if (parsed.positionals.length !== command.positionals) {
      throw usageError(`${name} takes ${command.positionals === 0 ? 'no arguments' : `${command.positionals} argument`} (usage: summitpad ${command.usage})`)
    }
    await command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals, env)
    return 0
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`summitpad: ${error.message}\n`)
      return error.exitCode
    }
    process.stderr.write(`summitpad: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return failureExit
  }
}

process.exitCode = await runCli(process.argv.slice(2), process.env)
