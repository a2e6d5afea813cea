/**
 * What the sync core reports for monitoring. The core calls these; `server/observability/metrics.ts`
 * turns them into Prometheus metrics. Every method must be cheap: they run per frame.
 */
export interface SyncMetrics {
  /** A frame arrived from a client. */
  frameIn(bytes: number): void
  /** A frame was handed to a client's socket. */
  frameOut(bytes: number): void
  /** A message or connection was refused; `reason` is a close reason or `read-only`. */
  rejected(reason: string): void
  /** A store append took this long, in seconds. */
  appendSeconds(seconds: number): void
  /** A pad stopped taking writes: an update it stored failed to apply (room-writer.ts). */
  padFailed(): void
}

/** Metrics that go nowhere (tests, benchmarks). */
export const noMetrics: SyncMetrics = {
  frameIn: () => {},
  frameOut: () => {},
  rejected: () => {},
  appendSeconds: () => {},
  padFailed: () => {},
}
