/**
 * One PostgreSQL transaction on a client of `pool`: BEGIN, `work`, COMMIT; on any error,
 * ROLLBACK and the error rethrown. Every transaction of the PostgreSQL stores goes through here.
 */
import type pg from 'pg'

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // A client whose ROLLBACK failed is in an unknown state: released with the error, pg drops it
  // from the pool instead of handing it to the next caller.
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    // The error to report is the one that made us roll back; the rollback's own is kept only to
    // discard the client.
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))
    })
    throw error
  } finally {
    client.release(broken)
  }
}
