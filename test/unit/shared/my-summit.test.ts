import { describe, expect, it } from 'vitest'
import { dayOf, groupSessions, isOwnAction, reportHtml, reportMarkdown, type MySession } from '../../../shared/my-summit.ts'

const entry = (id: string, title: string, track: string, start: string | null, extra: Partial<MySession> = {}): MySession => ({
  session: { id, title, track, room: 'Room 1', state: 'ended', scheduledStart: start, startedAt: null, endedAt: null },
  tookPart: true,
  listened: false,
  decisions: [],
  actions: [],
  ...extra,
})

describe('My summit', () => {
  it("recognises a person's own actions by name, first name, ignoring case, accents and punctuation", () => {
    expect(isOwnAction('ada', ['Ada Lovelace'])).toBe(true)
    expect(isOwnAction('AdaLovelace', ['Ada Lovelace'])).toBe(true)
    expect(isOwnAction('ada.lovelace', ['Ada Lovelace'])).toBe(true)
    expect(isOwnAction('jose', ['José García'])).toBe(true)
    expect(isOwnAction('grace', ['Ada Lovelace'])).toBe(false)
    expect(isOwnAction('lovelace', ['Ada Lovelace'])).toBe(false)
    expect(isOwnAction(null, ['Ada'])).toBe(false)
    expect(isOwnAction('...', ['...'])).toBe(false)
  })

  it('groups by track (no track last), then day in the time zone, then time', () => {
    const groups = groupSessions(
      [
        entry('c', 'Late', 'Nova', '2030-11-24T23:30:00.000Z'),
        entry('a', 'Early', 'Nova', '2030-11-24T09:00:00.000Z'),
        entry('x', 'Loose', '', null),
        entry('k', 'Keys', 'Keystone', '2030-11-25T09:00:00.000Z'),
      ],
      'Europe/Berlin',
    )
    expect(groups.map((g) => [g.track, g.days.map((d) => [d.day, d.sessions.map((s) => s.session.id)])])).toEqual([
      ['Keystone', [['2030-11-25', ['k']]]],
      ['Nova', [['2030-11-24', ['a']], ['2030-11-25', ['c']]]],
      ['', [['undated', ['x']]]],
    ])
    expect(dayOf('2030-11-24T23:30:00.000Z', 'UTC')).toBe('2030-11-24')
  })

  it('renders the report with every text escaped', () => {
    const summit = {
      personId: 'u-1',
      names: ['Ada'],
      timeZone: 'UTC',
      tracks: groupSessions([entry('s1', 'Nova <b>cells</b> *v2*', 'Nova', '2030-11-24T09:00:00.000Z', { decisions: ['Ship it'], actions: [{ text: '@ada [spec](x)', owner: 'ada', due: '2030-12-01', done: false, source: 'task' }] })], 'UTC'),
    }
    const md = reportMarkdown({ summit, author: 'Ada', origin: 'https://pad.example' })
    expect(md).toContain('#### [Nova \\<b\\>cells\\</b\\> \\*v2\\*](https://pad.example/s/s1/archive)')
    expect(md).toContain('- [ ] @ada \\[spec\\](x) (due 2030-12-01)')
    const html = reportHtml({ summit, author: 'Ada', origin: 'https://pad.example' })
    expect(html).toContain('Nova &#60;b&#62;cells&#60;/b&#62; *v2*')
    expect(html).not.toContain('<b>')
    expect(html).toContain('<li>Ship it</li>')
  })
})
