/**
 * The logging surface the server needs: a subset of pino's Logger. It is declared here, with no
 * I/O, so the sync core takes a pino child logger in production (server/observability/log.ts
 * makes it) and a silent or recording one in tests without importing pino or observability.
 */
export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child(bindings: Record<string, unknown>): Logger
}

/**
 * A child of `parent` with `bindings`, created on its first use: a connection keeps a logger it
 * rarely uses, and a pino child costs about a kilobyte.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  return new LazyChildLogger(parent, bindings)
}

class LazyChildLogger implements Logger {
  private made: Logger | null = null

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Record<string, unknown>,
  ) {}

  private get logger(): Logger {
    return (this.made ??= this.parent.child(this.bindings))
  }

  debug(obj: object, msg?: string): void {
    this.logger.debug(obj, msg)
  }

  info(obj: object, msg?: string): void {
    this.logger.info(obj, msg)
  }

  warn(obj: object, msg?: string): void {
    this.logger.warn(obj, msg)
  }

  error(obj: object, msg?: string): void {
    this.logger.error(obj, msg)
  }

  child(bindings: Record<string, unknown>): Logger {
    return this.logger.child(bindings)
  }
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
}
