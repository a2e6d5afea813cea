/**
 * The entry point: reads the environment into a Config, starts the server, and shuts it down
 * gracefully on SIGINT / SIGTERM (a second signal, or the shutdown timeout, exits at once).
 */
import { holdYoungGeneration } from './startup-heap.ts'
import type { Config } from './config.ts'

const startupDone = holdYoungGeneration(process.env.NODE_OPTIONS)
// Loaded only now, after V8's young generation is held at its initial size: a static import
// would load (and parse) the whole server before any line here runs.
const { ConfigError, loadConfig } = await import('./config.ts')
const { createLogger } = await import('./observability/log.ts')
const { startServer } = await import('./server.ts')

let config: Config
try {
  config = loadConfig(process.env)
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message)
    process.exit(2)
  }
  throw error
}

const logger = createLogger(config.logLevel)
// V8's young generation grows again once the server is in use, not at the end of the start: a
// server only health-checked and scraped has no use for more (and its first scrapes, in the
// first second after the start, would otherwise grow it: startup-heap.ts).
const server = await startServer(config, logger, { onFirstUse: startupDone }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'summitpad failed to start')
  process.exit(1)
})

let stopping = false
const stop = (signal: string) => {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now')
    process.exit(1)
  }
  stopping = true
  logger.info({ signal }, 'shutting down')
  const timer = setTimeout(() => {
    logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out: exiting')
    process.exit(1)
  }, config.shutdownTimeoutMs)
  timer.unref()
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed')
      process.exit(1)
    },
  )
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
