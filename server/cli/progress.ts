/**
 * A progress bar on stderr for long work (archive download, backup, migrate). On a terminal it
 * redraws one line; elsewhere (CI logs, pipes) it prints a line at every 25 %, so logs stay short.
 * stdout is left to the command's output.
 */

/** A bar counting `done` of `total` units (bytes, rows, pages). */
export class ProgressBar {
  private done = 0
  private lastQuarter = -1
  private readonly tty: boolean

  /** `total` may be null when unknown (then only the count is shown). */
  constructor(
    private readonly label: string,
    private total: number | null,
    private readonly unit: 'bytes' | 'items' = 'items',
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY)
  }

  /** Sets the total once it is known. */
  setTotal(total: number): void {
    this.total = total
  }

  /** Adds `units` done and redraws. */
  tick(units = 1): void {
    this.update(this.done + units)
  }

  /** Sets the units done and redraws. */
  update(done: number): void {
    this.done = done
    if (this.tty) {
      this.stream.write(`\r${this.line()}`)
      return
    }
    if (this.total) {
      const quarter = Math.floor((4 * this.done) / this.total)
      if (quarter > this.lastQuarter) {
        this.lastQuarter = quarter
        this.stream.write(`${this.line()}\n`)
      }
    }
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (this.total !== null) this.done = this.total
    if (this.tty) this.stream.write(`\r${this.line()}\n`)
    else if (this.lastQuarter < 4) this.stream.write(`${this.line()}\n`)
  }

  private line(): string {
    const amount = (n: number) => (this.unit === 'bytes' ? formatBytes(n) : String(n))
    if (!this.total) return `${this.label} ${amount(this.done)}`
    const ratio = Math.min(1, this.done / this.total)
    const width = 30
    const filled = Math.round(ratio * width)
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${amount(this.done)}/${amount(this.total)}`
  }
}

/** `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
