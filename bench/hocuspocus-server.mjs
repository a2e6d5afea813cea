/**
 * The persistent Hocuspocus server the rooms scenario compares with: `@hocuspocus/server` with
 * `@hocuspocus/extension-sqlite` on a file in the data directory, default settings otherwise
 * (documents stored 2 s after the last change, at most every 10 s while edits keep coming).
 * Plain JavaScript, run by plain `node` like the reference, so neither is measured under a loader.
 * HOST, PORT and DATA_DIR come from the environment (bench/server-process.ts sets them).
 * Hocuspocus speaks its own protocol: every message is prefixed with the document name, and a
 * client authenticates (an empty token will do: no onAuthenticate hook) before it syncs.
 */
import path from 'node:path'
import { SQLite } from '@hocuspocus/extension-sqlite'
import { Server } from '@hocuspocus/server'

const server = new Server({
  address: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 1234),
  quiet: true,
  extensions: [new SQLite({ database: path.join(process.env.DATA_DIR ?? '.', 'hocuspocus.sqlite') })],
})
await server.listen()
const shutdown = () => {
  server.destroy().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
