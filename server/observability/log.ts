/**
 * The server's logger: pino, JSON lines on stdout. Tokens never reach it: request logging records
 * the path without query string or fragment.
 */
import pino from 'pino'
import type { Logger } from '../../shared/logger.ts'

export { lazyChild, silentLogger, type Logger } from '../../shared/logger.ts'

export function createLogger(level: string): pino.Logger & Logger {
  return pino({ level, base: { service: 'summitpad' } })
}
