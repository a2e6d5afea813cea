/**
 * RefusalLog: refused WebSocket connections, logged as one warn line per address per window
 * (a minute) instead of one line per refusal, so a conference NAT retrying, or a client knocking
 * with a bad link, cannot flood the log. Each line says how many were refused and why.
 */
import type { Logger } from '../observability/log.ts'

export interface RefusalLogOptions {
  /** @default 60000 */
  windowMs?: number
}

interface Tally {
  refused: number
  reasons: Record<string, number>
  firstAt: number
}

export class RefusalLog {
  private readonly tallies = new Map<string, Tally>()
  private readonly timer: NodeJS.Timeout
  private closed = false

  constructor(
    private readonly logger: Logger,
    options: RefusalLogOptions = {},
  ) {
    this.timer = setInterval(() => this.flush(), options.windowMs ?? 60_000)
    this.timer.unref()
  }

  /** Counts one refused connection from `address` for `reason` (a short fixed phrase, no secrets). */
  note(address: string, reason: string): void {
    if (this.closed) return
    let tally = this.tallies.get(address)
    if (!tally) {
      tally = { refused: 0, reasons: {}, firstAt: Date.now() }
      this.tallies.set(address, tally)
    }
    tally.refused += 1
    tally.reasons[reason] = (tally.reasons[reason] ?? 0) + 1
  }

  /** Writes one warn line per address refused since the last flush, and forgets them. */
  flush(): void {
    for (const [address, tally] of this.tallies) {
      this.logger.warn({ address, refused: tally.refused, reasons: tally.reasons, since: new Date(tally.firstAt).toISOString() }, 'connections refused')
    }
    this.tallies.clear()
  }

  /** Flushes what is counted and stops. Idempotent. */
  close(): void {
    if (this.closed) return
    this.flush()
    this.closed = true
    clearInterval(this.timer)
  }
}
