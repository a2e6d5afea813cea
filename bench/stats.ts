/**
 * Small statistics helpers for benchmark results: percentiles (nearest rank), medians and
 * summaries, plus rounding for JSON output.
 */

/** The distribution of a set of samples; every field is NaN when there were no samples. */
export interface Summary {
  count: number
  min: number
  mean: number
  p50: number
  p95: number
  p99: number
  max: number
}

/** Nearest-rank percentile `p` (0-100) of `sorted`, which must be sorted ascending. NaN if empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

/** Summarises `samples` (not modified). */
export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort()
  let sum = 0
  for (const value of sorted) sum += value
  return {
    count: sorted.length,
    min: sorted.length > 0 ? sorted[0]! : Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
  }
}

/** The median of `samples` (the lower middle one for an even count); NaN if empty. */
export function median(samples: readonly number[]): number {
  return percentile([...samples].sort((a, b) => a - b), 50)
}

/** Rounds `value` to `digits` decimals; NaN and infinities become null (JSON has no NaN). */
export function round(value: number, digits = 2): number | null {
  if (!Number.isFinite(value)) return null
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

/** `summary` with every number rounded for output. */
export function roundSummary(summary: Summary, digits = 2): Record<keyof Summary, number | null> {
  return {
    count: summary.count,
    min: round(summary.min, digits),
    mean: round(summary.mean, digits),
    p50: round(summary.p50, digits),
    p95: round(summary.p95, digits),
    p99: round(summary.p99, digits),
    max: round(summary.max, digits),
  }
}

/**
 * The largest of `values` in each of `buckets` consecutive time buckets of `bucketSize`,
 * starting at `start` (`times[i]` is the time of `values[i]`); null for an empty bucket.
 */
export function maxPerBucket(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  start: number,
  bucketSize: number,
  buckets: number,
): (number | null)[] {
  const result: (number | null)[] = Array.from({ length: buckets }, () => null)
  for (let i = 0; i < times.length; i++) {
    const bucket = Math.min(buckets - 1, Math.max(0, Math.floor((times[i]! - start) / bucketSize)))
    const value = values[i]!
    if (result[bucket] === null || value > result[bucket]!) result[bucket] = value
  }
  return result
}
