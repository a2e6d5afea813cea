import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors.ts'
import { ImportError, checkImportLimits, importAgenda, maxImportLines } from '../../../shared/import/markdown.ts'
import { parseCsvSchedule } from '../../../shared/schedule/parse-csv.ts'
import { parseIcsSchedule } from '../../../shared/schedule/parse-ics.ts'
import { maxScheduleEntries } from '../../../shared/schedule/schedule.ts'
import { emptyEventsIcs, summitIcs } from '../../helpers/attacks.ts'

const codeOf = (run: () => unknown) => {
  try {
    run()
    return 'passed'
  } catch (error) {
    return error instanceof AppError ? error.code : error instanceof ImportError ? error.reason : String(error)
  }
}

describe('schedule limits', () => {
  it(`refuses more than ${maxScheduleEntries} sessions in iCalendar and CSV as too_complex`, () => {
    expect(codeOf(() => parseIcsSchedule(emptyEventsIcs(27 * (maxScheduleEntries + 10) + 100)))).toBe('too_complex')
    const csv = `title,start,duration\n${'Talk,2026-05-11 09:00,40\n'.repeat(maxScheduleEntries + 1)}`
    expect(codeOf(() => parseCsvSchedule(csv))).toBe('too_complex')
  })

  it('reads every event of a 200-session file, and empty events as problems, linearly', () => {
    expect(parseIcsSchedule(summitIcs(200)).entries).toHaveLength(200)
    // 1,900 empty events: ical.js's sibling scan made this quadratic (about 3.6 million checks).
    const parsed = parseIcsSchedule(emptyEventsIcs(27 * 1900 + 100))
    expect(parsed.entries).toHaveLength(0)
    expect(parsed.problems.length).toBeGreaterThan(1800)
  })
})

describe('agenda import limits', () => {
  it(`refuses more than ${maxImportLines} non-blank lines as too_many_items, before parsing`, () => {
    expect(codeOf(() => checkImportLimits('x\n'.repeat(maxImportLines + 1)))).toBe('too_many_items')
    expect(codeOf(() => importAgenda('- a\r\n'.repeat(maxImportLines + 1), 'markdown'))).toBe('too_many_items')
    expect(codeOf(() => checkImportLimits(`${'x\n\n  \n'.repeat(maxImportLines)}`))).toBe('passed')
    expect(codeOf(() => checkImportLimits(`${'x\n'.repeat(maxImportLines - 1)}last line without newline`))).toBe('passed')
  })
})
