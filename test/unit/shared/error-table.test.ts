/**
 * The one error table (issue 18, must hold 3): each error code names its HTTP status and its
 * WebSocket close code and reason, and docs/protocol.md's close-code table agrees with it.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { CloseCode, closeReason } from '../../../shared/close-codes.ts'
import { errorTable, httpStatus, type ErrorCode } from '../../../shared/errors.ts'

const protocolDoc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/protocol.md'), 'utf8')

const asDocumented = (reason: string) => reason.replace(/retry in \d+ s$/, 'retry in N s')

/** The `| code | reason | ...` rows of the close-code table, reasons with `N` for a number of seconds. */
function documentedCloses(): { code: number; reason: string }[] {
  const section = protocolDoc.slice(protocolDoc.indexOf('## Close codes'), protocolDoc.indexOf('## Checks'))
  return [...section.matchAll(/^\| (\d{4}) \| `([^`]+)` \|/gm)].map((match) => ({ code: Number(match[1]), reason: asDocumented(match[2]!) }))
}

/** Codes the sync core closes connections with (server/sync). */
const syncCodes: ErrorCode[] = ['malformed_message', 'forbidden', 'diverged', 'payload_too_large', 'unprocessable', 'internal', 'pad_failed', 'store_unavailable', 'going_away', 'slow_consumer', 'rate_limited', 'too_many_connections', 'queue_full', 'unauthorized', 'session_not_found', 'schema_mismatch', 'unsupported_data', 'message_too_big']

describe('the error table', () => {
  it('gives every code an HTTP status, a close code the protocol defines, and a reason of at most 123 bytes', () => {
    const closeCodes = new Set<number>(Object.values(CloseCode))
    for (const [code, row] of Object.entries(errorTable)) {
      expect(httpStatus[code as ErrorCode], code).toBe(row.http)
      expect(row.http >= 400 && row.http < 600, code).toBe(true)
      expect(closeCodes.has(row.close), `${code} closes with ${row.close}`).toBe(true)
      expect(Buffer.byteLength(row.reason), code).toBeLessThanOrEqual(123)
    }
  })

  it('uses 4000 + the HTTP status for final closes, as the protocol promises', () => {
    for (const [code, row] of Object.entries(errorTable)) {
      if (row.close >= 4400 && row.close < 4500 && row.close !== CloseCode.tooLarge) expect([row.http + 4000, 4409, 4404, 4401, 4400], code).toContain(row.close)
    }
  })

  it('agrees with the close-code table of docs/protocol.md, both ways', () => {
    const documented = documentedCloses()
    expect(documented.length).toBeGreaterThan(10)
    const known = new Set([
      ...Object.values(errorTable).map((row) => `${row.close} ${asDocumented(row.reason)}`),
      ...Object.entries(closeReason).map(([code, reason]) => `${code} ${asDocumented(reason)}`),
    ])
    for (const { code, reason } of documented) {
      // Rows whose reason is an example or a pattern (`e.g. ...`, `update refused: <rule>`) name a family.
      if (reason.includes('<')) continue
      const literal = known.has(`${code} ${reason}`)
      const family = [...known].some((entry) => entry.startsWith(`${code} `) && reason.startsWith(entry.slice(5).split(':')[0]!))
      expect(literal || family || code === 1006, `${code} \`${reason}\` is in the table`).toBe(true)
    }
    const rows = new Set(documented.map(({ code, reason }) => `${code} ${reason}`))
    // Codes whose row gives examples of reasons (`e.g. ...`): the code alone must be listed.
    const listedCodes = new Set([...protocolDoc.matchAll(/^\| (\d{4}) \|/gm)].map((match) => Number(match[1])))
    for (const code of syncCodes) {
      const row = errorTable[code]
      expect(rows.has(`${row.close} ${asDocumented(row.reason)}`) || (row.close >= 4400 && listedCodes.has(row.close)), `docs/protocol.md lists ${code}`).toBe(true)
    }
  })
})
