/** Progress messages of the bench, on stderr (stdout carries only results). */

const started = Date.now()

/** Prints `message` to stderr with the seconds elapsed since the bench started. */
export function progress(message: string): void {
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`)
}
