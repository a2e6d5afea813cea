/** Exports carry the session's time zone (issue 19): times in it, with abbreviation and IANA name. */
import { describe, expect, it } from 'vitest'
import { exportHtml } from '../../../shared/export/html.ts'
import { exportMarkdown } from '../../../shared/export/markdown.ts'
import { formatMetaTime, type ExportMeta } from '../../../shared/export/meta.ts'
import { exportText } from '../../../shared/export/text.ts'
import { extractOutcomes } from '../../../shared/outcomes.ts'
import { doc, p } from '../../helpers/pm-builder.ts'

const meta: ExportMeta = {
  title: 'Nova scheduler',
  track: 'Nova',
  room: 'Room 1',
  moderator: 'Li',
  scheduledStart: '2013-11-05T01:00:00.000Z',
  startedAt: '2013-11-05T01:02:00.000Z',
  endedAt: null,
  participants: [],
  timeZone: 'Asia/Hong_Kong',
}

describe('exports in the event time zone', () => {
  it('show times in the zone with its abbreviation and name in Markdown, HTML and text', () => {
    const body = doc(p('notes'))
    expect(exportMarkdown(body, meta)).toContain('- **Scheduled:** 2013-11-05 09:00 GMT+8 (Asia/Hong_Kong)')
    expect(exportText(body, meta)).toContain('Started: 2013-11-05 09:02 GMT+8 (Asia/Hong_Kong)')
    expect(exportHtml(body, meta, extractOutcomes(body))).toContain('2013-11-05 09:00 GMT+8 (Asia/Hong_Kong)')
  })

  it('keep UTC as before when the zone is UTC or unknown, and follow daylight saving time', () => {
    expect(formatMetaTime('2013-11-05T01:00:00.000Z')).toBe('2013-11-05 01:00 UTC')
    expect(formatMetaTime('2013-11-05T01:00:00.000Z', 'Mars/Olympus')).toBe('2013-11-05 01:00 UTC')
    expect(formatMetaTime('2026-07-15T07:00:00.000Z', 'Europe/Berlin')).toBe('2026-07-15 09:00 GMT+2 (Europe/Berlin)')
    expect(formatMetaTime('2026-01-15T08:00:00.000Z', 'Europe/Berlin')).toBe('2026-01-15 09:00 GMT+1 (Europe/Berlin)')
  })
})
