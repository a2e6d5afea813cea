import { describe, expect, it } from 'vitest'
import { presentPerson, withoutPlaceholders } from '../../../shared/participants.ts'
import { participantNames, participantsJson, readParticipantsJson } from '../../../server/storage/session-rows.ts'

describe('presentPerson', () => {
  it('keys a person by identity id, by name without one, and skips placeholders and nameless states', () => {
    expect(presentPerson({ id: 'u-1', name: '  Ada  ' })).toEqual({ person: 'id:u-1', name: 'Ada' })
    expect(presentPerson({ name: 'Ada' })).toEqual({ person: 'name:Ada', name: 'Ada' })
    expect(presentPerson({ id: 'bad id!', name: 'Ada' })).toEqual({ person: 'name:Ada', name: 'Ada' })
    expect(presentPerson({ id: 'u-1', name: 'Guest 214', placeholder: true })).toBeNull()
    expect(presentPerson({ id: 'u-1', name: '   ' })).toBeNull()
    expect(presentPerson('Ada')).toBeNull()
    expect(presentPerson({ id: 'u-1', name: 'x'.repeat(200) })?.name).toHaveLength(60)
  })
})

describe('participants stored before issue 19', () => {
  it('lose their placeholder names when someone chose a name; a list of placeholders only stays', () => {
    expect(withoutPlaceholders(['Guest 214', '李明', 'Guest 377', 'Ada', 'Guest 1000', 'Guest 21'])).toEqual(['李明', 'Ada', 'Guest 1000', 'Guest 21'])
    expect(withoutPlaceholders(['Guest 214'])).toEqual(['Guest 214'])
  })

  it('are read from an archive record of either form; a new record keeps a chosen "Guest NNN"', () => {
    expect(readParticipantsJson(JSON.stringify(['Guest 214', '李明', 'Guest 377', 'Ada']))).toEqual(['李明', 'Ada'])
    expect(readParticipantsJson(participantsJson(['Guest 214', '李明']))).toEqual(['Guest 214', '李明'])
  })

  it('as live rows drop legacy placeholders only', () => {
    const rows = [
      { person: 'legacy:Guest 214', name: 'Guest 214' },
      { person: 'legacy:Ada', name: 'Ada' },
      { person: 'id:u-2', name: 'Guest 377' },
      { person: 'id:u-3', name: 'Linus' },
    ]
    expect(participantNames(rows)).toEqual(['Ada', 'Guest 377', 'Linus'])
    expect(participantNames(rows.slice(2))).toEqual(['Guest 377', 'Linus'])
  })
})
