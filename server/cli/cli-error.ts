/**
 * Errors the command line reports as one line on stderr, with an exit code: 2 for a wrong command
 * line (see `--help`), 1 for anything else that failed (server unreachable, HTTP error, store
 * down, verification failed). Exit code 0 means the command did all it says.
 */

/** Exit code of a wrong command line. */
export const usageExit = 2
/** Exit code of a command that could not do its work. */
export const failureExit = 1

/** A failure to report as `summitpad: <message>` and exit with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = failureExit,
  ) {
    super(message)
  }
}

/** A CliError for a wrong command line. */
export function usageError(message: string): CliError {
  return new CliError(`${message} (see --help)`, usageExit)
}
