import { describe, expect, it } from 'vitest'
import { defaultBatchLimits, insertBatches, valuesBytes } from '../../../../server/cli/migrate-tables.ts'

const row = (bytes: number, id: number): unknown[] => ['doc', new Uint8Array(bytes), String(id)]

describe('migrate: rows per INSERT statement', () => {
  it('ends a statement at 200 rows when the rows are small', () => {
    const sizes = [...insertBatches(Array.from({ length: 450 }, (_, i) => row(100, i)))].map((batch) => batch.length)
    expect(sizes).toEqual([200, 200, 50])
  })

  it('ends a statement at about 8 MiB of values, so large pad rows do not make one huge statement', () => {
    // 200 rows of 4 MiB (the default MAX_UPDATE_BYTES) would be 800 MiB of values, 1.6 GiB as
    // node-pg's hex text: past PostgreSQL's 1 GiB message limit.
    const rows = Array.from({ length: 200 }, (_, i) => row(4 * 1024 * 1024, i))
    const batches = [...insertBatches(rows)]
    expect(batches.length).toBe(100)
    for (const batch of batches) expect(valuesBytes(batch.flat())).toBeLessThan(defaultBatchLimits.bytes + 4 * 1024 * 1024 + 64)
    expect(batches.flat().map((values) => values[2])).toEqual(rows.map((values) => values[2]))
  })

  it('ends the statement a row larger than the limit joins, and keeps every row once, in order', () => {
    const rows = [row(10, 0), row(20 * 1024 * 1024, 1), row(10, 2), row(10, 3)]
    const batches = [...insertBatches(rows)]
    expect(batches.map((batch) => batch.map((values) => values[2]))).toEqual([['0', '1'], ['2', '3']])
  })

  it('counts strings by length and other values as a few bytes', () => {
    expect(valuesBytes(['abcd', null, 12n, new Uint8Array(5)])).toBe(4 + 8 + 8 + 5)
  })
})
