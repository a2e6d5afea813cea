/**
 * One server process for a test file, like `browserSuite` without the browser: started before
 * the file's tests; after them, the pad clients the tests put in `clients` are destroyed and the
 * server stopped.
 */
import { afterAll, beforeAll } from 'vitest'
import type { PadClient } from './clients.ts'
import { startServerProcess, type ServerProcess, type StartOptions } from './start-server.ts'

export interface ServerSuite {
  server: ServerProcess
  clients: PadClient[]
}

export function serverSuite(options: StartOptions = {}): ServerSuite {
  const suite = { clients: [] } as unknown as ServerSuite
  beforeAll(async () => {
    suite.server = await startServerProcess(options)
  })
  afterAll(async () => {
    for (const client of suite.clients) client.destroy()
    await suite.server?.dispose()
  })
  return suite
}
