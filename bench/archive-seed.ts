/**
 * A decade of summit archives, generated from a seed (`lib0/prng`) and written through the
 * project's own MetaStore, so the rows are exactly what the real archive path writes: each session
 * is created (`createSession`), ended (`updateSession`), snapshotted with the functions the
 * archiving worker runs (`extractOutcomes`, `exportText` of `withoutEmptySections`, as in
 * `server/workers/export-worker.ts`) and stored with `saveArchive`; follow-ups are linked with
 * `setFollows` and carry open action items with their link back (`shared/follow-up.ts`).
 *
 * The notes read like design-summit notes: a title in a track, agenda items with owners and
 * timeboxes, discussion paragraphs and bullets, decisions, action items with `@owner` and due
 * dates, attendees. Words are drawn from a Zipf-shaped vocabulary (a few hundred summit words and
 * a long seeded tail), so some words are in nearly every pad and most are rare, as in real notes.
 * Pad sizes vary (most a few KB, a few tens of KB) around an average that gives `targetBytes` of
 * pad text over all sessions.
 */
import * as prng from 'lib0/prng'
import type { Session } from '../shared/api.ts'
import { withoutEmptySections } from '../shared/export/readable-doc.ts'
import { exportText } from '../shared/export/text.ts'
import { carryHref, carryLinkText } from '../shared/follow-up.ts'
import { extractOutcomes } from '../shared/outcomes.ts'
import type { PMJSON } from '../shared/template.ts'
import { exportMeta } from '../server/archive/exports.ts'
import type { MetaStore } from '../server/storage/meta-store.ts'

/** What to generate. */
export interface ArchiveSeedOptions {
  seed: number
  sessions: number
  /** Pad text (the archive's full-text `text`) over all sessions, in bytes, roughly. */
  targetBytes: number
}

/** What was written. */
export interface ArchiveSeedCounts {
  sessions: number
  textBytes: number
  docJsonBytes: number
  decisions: number
  actions: number
  owners: number
  followUps: number
  carried: number
  seedMs: number
}

// The summit's own words, most common first (rank decides frequency). The query words of the
// bench are among the first few dozen: they are in most pads, the hard case for ranking.
const summitWords = `the to and of a we in is for that it this on be with as should not are can have will
need would api release we'd from at team support or if new by an there but upgrade testing about so
more one service review some do all which users what use spec our driver operators feature how now
network storage config patch code gate tests cloud deployment upgrades cycle current default
policy project performance data docs migration plugin agent version cell proposal quota schedule
scheduler volume image server instance console placement networking compute identity telemetry
container cluster baremetal object queue database metrics logging security tenant domain region
endpoint catalog token keystone neutron nova cinder glance swift heat horizon ironic octavia
manila barbican designate zun kuryr magnum trove watcher vitrage aodh gnocchi ceilometer cyborg
blazar masakari senlin mistral zaqar tacker freezer karbor searchlight solum murano sahara
rally tempest devstack zuul grenade bindep tox pbr oslo messaging rabbit kafka etcd mysql
postgres redis memcached python ubuntu centos debian kernel libvirt qemu kvm ovs ovn dpdk sriov
vlan vxlan bgp dns ipv6 tls cert secret vault rbac scope admin member reader role rule quotas
limits microversion bump deprecation removal backport stable branch freeze milestone candidate
blueprint bug triage review priority owner follow deadline next week month cycle summit ptg
forum track session room agenda notes decision action item discussion question answer consensus
agreed blocked unblocked open closed done pending proposed approved rejected merged reverted
flaky failing passing green red job periodic nightly weekly coverage unit functional integration
fullstack scenario grenade rolling downtime zero live cold resize rebuild evacuate shelve
unshelve snapshot backup restore migrate attach detach multiattach encryption compression dedupe
throughput latency bandwidth capacity scale scaling large small edge core far near central
federation multi single region zone aggregate host hypervisor flavor extra spec trait resource
provider inventory allocation candidate nested shared numa cpu pinning hugepages gpu vgpu fpga
accelerator smartnic offload hardware firmware bios uefi secure boot tpm attestation`.split(/\s+/)

// Given names for owners and attendees (owners are `@given` or `@given.family`, some far busier
// than others).
const givenNames = `ana ben chen dana eli fatima gus hana ivan jun kim lars mei nadia omar priya quinn raj sara
tomas uma vera wen xavier yuki zoe alice bruno carla dmitri elena felix gina hugo ines jonas kai
lena marco nina oscar paula rosa stefan tara ugo vince wanda yann zara amir bea cyril dario emma
farid greta hiro irene jakob kenji luis maya nils olga pedro rita sven tessa victor willa yusuf`.split(/\s+/)
const familyNames = `smith garcia mueller rossi dubois tanaka kowalski novak silva jensen nguyen kim patel
ivanova costa berg lopez moreau sato fischer`.split(/\s+/)

const tracks = ['Compute', 'Networking', 'Block Storage', 'Object Storage', 'Identity', 'Images', 'Orchestration', 'Bare Metal', 'Containers', 'QA and Infra', 'Operators', 'Release Management', 'Security', 'Edge', 'Documentation', 'Community']
const titleNouns = ['roadmap', 'retrospective', 'planning', 'deep dive', 'feedback session', 'cross-project sync', 'design review', 'priorities', 'upgrade pain points', 'testing strategy', 'API evolution', 'performance work', 'technical debt', 'operator feedback', 'onboarding', 'policy defaults']
const agendaStatuses = ['done', 'done', 'done', 'skipped', 'pending', 'current']

/** Picks from a Zipf-shaped distribution over `size` ranks (s = 1.05): rank 0 most often. */
class Zipf {
  private readonly cumulative: Float64Array
  constructor(size: number, exponent = 1.05) {
    this.cumulative = new Float64Array(size)
    let total = 0
    for (let rank = 0; rank < size; rank++) this.cumulative[rank] = total += 1 / (rank + 1) ** exponent
    for (let rank = 0; rank < size; rank++) this.cumulative[rank]! /= total
  }
  pick(gen: prng.PRNG): number {
    const x = prng.real53(gen)
    let lo = 0
    let hi = this.cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.cumulative[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** The summit words, then a seeded tail of rarer made-up words (project names, jargon, typos). */
function vocabulary(gen: prng.PRNG, size: number): string[] {
  const words = [...new Set(summitWords.filter(Boolean))]
  const syllables = ['ka', 'lo', 'ne', 'tri', 'vo', 'sta', 'mi', 'ran', 'ble', 'cor', 'dex', 'fu', 'gen', 'hy', 'ix', 'jo', 'lum', 'ment', 'nor', 'pla', 'qua', 'ser', 'tor', 'un', 'vex', 'wis', 'zen']
  const seen = new Set(words)
  while (words.length < size) {
    let word = ''
    const count = prng.int32(gen, 2, 4)
    for (let i = 0; i < count; i++) word += prng.oneOf(gen, syllables)
    if (!seen.has(word)) {
      seen.add(word)
      words.push(word)
    }
  }
  return words
}

/** The words the bench searches for: common in the generated pads (each in a large share of them). */
export const commonQueryWords = ['release', 'upgrade', 'testing', 'review', 'network', 'support']
/** Two-word queries of common words. */
export const commonQueryPairs = ['release upgrade', 'testing review', 'network support', 'upgrade testing', 'review release']

const text = (value: string): PMJSON => ({ type: 'text', text: value })
const paragraph = (value: string): PMJSON => ({ type: 'paragraph', content: [text(value)] })
const heading = (level: number, value: string): PMJSON => ({ type: 'heading', attrs: { level }, content: [text(value)] })

/** One generated archived session, before it is written. */
export interface GeneratedSession {
  session: Omit<Session, 'createdAt' | 'updatedAt'>
  doc: PMJSON
  participants: string[]
  /** The session it follows up, or null. */
  follows: string | null
}

/**
 * Generates `options.sessions` archived sessions in time order (20 summits, one every half
 * year). Pure given the seed. `onSession` gets each one; action items carried into follow-ups
 * refer to the earlier session's archived action indexes, which the generator keeps itself.
 */
export function* generateArchive(options: ArchiveSeedOptions): Generator<GeneratedSession> {
  const gen = prng.create(options.seed)
  const words = vocabulary(gen, 12_000)
  const zipf = new Zipf(words.length)
  const people = [...givenNames, ...givenNames.flatMap((given) => familyNames.slice(0, 3).map((family) => `${given}.${family}`))]
  const busy = new Zipf(people.length, 1.2)
  const summits = 20
  const perSummit = Math.ceil(options.sessions / summits)
  // The pad text per session averages targetBytes / sessions: a sentence and its share of layout is about 120 bytes.
  const meanSentences = Math.max(10, Math.round(options.targetBytes / options.sessions / 120))
  const usedIds = new Set<string>()
  // Open action items of earlier sessions by track, for follow-ups to carry: [sessionId, title, index, text].
  const openByTrack = new Map<string, { id: string; title: string; actions: { index: number; text: string }[] }[]>()

  const word = () => words[zipf.pick(gen)]!
  const person = () => people[busy.pick(gen)]!
  const sentence = (min = 6, max = 22) => {
    const count = prng.int32(gen, min, max)
    const parts: string[] = []
    for (let i = 0; i < count; i++) parts.push(word())
    const first = parts[0]!
    parts[0] = first[0]!.toUpperCase() + first.slice(1)
    if (prng.real53(gen) < 0.15) parts.splice(prng.int32(gen, 1, parts.length - 1), 0, `@${person()}`)
    return `${parts.join(' ')}${prng.oneOf(gen, ['.', '.', '.', '?', '!'])}`
  }
  const sessionId = () => {
    for (;;) {
      let id = ''
      for (let i = 0; i < 10; i++) id += prng.oneOf(gen, [...'abcdefghjkmnpqrstuvwxyz23456789'])
      if (!usedIds.has(id)) {
        usedIds.add(id)
        return id
      }
    }
  }

  for (let index = 0; index < options.sessions; index++) {
    const summit = Math.floor(index / perSummit)
    const track = tracks[prng.int32(gen, 0, tracks.length - 1)]!
    const day = prng.int32(gen, 0, 3)
    const slot = prng.int32(gen, 0, 7)
    const start = Date.UTC(2016 + Math.floor(summit / 2), summit % 2 === 0 ? 4 : 10, 8 + day, 8 + slot, slot % 2 === 0 ? 0 : 30)
    const startedAt = start + prng.int32(gen, 0, 5) * 60_000
    const endedAt = startedAt + prng.int32(gen, 30, 45) * 60_000
    const id = sessionId()
    const title = `${track}: ${word()} ${prng.oneOf(gen, titleNouns)}`
    const moderator = person()
    const attendees = new Set<string>([moderator])
    const attendeeCount = prng.int32(gen, 4, 45)
    while (attendees.size < attendeeCount) attendees.add(person())

    // Size: a long tail (most pads near the mean, a few several times it).
    const sizeFactor = Math.min(8, -Math.log(1 - prng.real53(gen) * 0.999) * 0.9 + 0.1)
    let sentences = Math.max(6, Math.round(meanSentences * sizeFactor))

    const content: PMJSON[] = [heading(1, title), heading(2, 'Goals'), paragraph(sentence())]
    const agendaCount = prng.int32(gen, 3, 8)
    const agendaTitles: string[] = []
    const agenda: PMJSON[] = []
    for (let i = 0; i < agendaCount; i++) {
      const itemTitle = sentence(3, 7).replace(/[.?!]$/, '')
      agendaTitles.push(itemTitle)
      agenda.push({ type: 'agenda_item', attrs: { id: `item-${i + 1}`, owner: prng.real53(gen) < 0.7 ? person() : '', timebox: prng.oneOf(gen, [0, 5, 10, 15, 20]), status: prng.oneOf(gen, agendaStatuses) }, content: [paragraph(itemTitle)] })
    }
    content.push(heading(2, 'Agenda'), { type: 'agenda_list', content: agenda }, heading(2, 'Notes'))
    // Discussion: per agenda item, a heading, paragraphs and bullets, until the size is spent.
    for (let i = 0; sentences > 0; i = (i + 1) % agendaCount) {
      content.push(heading(3, agendaTitles[i]!))
      const paragraphs = prng.int32(gen, 1, 3)
      for (let p = 0; p < paragraphs && sentences > 0; p++) {
        const count = Math.min(sentences, prng.int32(gen, 1, 5))
        sentences -= count
        content.push(paragraph(Array.from({ length: count }, () => sentence()).join(' ')))
      }
      if (sentences > 0 && prng.bool(gen)) {
        const count = Math.min(sentences, prng.int32(gen, 2, 6))
        sentences -= count
        content.push({ type: 'bullet_list', content: Array.from({ length: count }, () => ({ type: 'list_item', content: [paragraph(sentence(4, 14))] })) })
      }
      if (prng.real53(gen) < 0.15) content.push({ type: 'decision', content: [text(sentence(5, 14))] })
    }
    content.push(heading(2, 'Decisions'), { type: 'bullet_list', content: Array.from({ length: prng.int32(gen, 1, 5) }, () => ({ type: 'list_item', content: [paragraph(sentence(5, 16))] })) })

    // Action items: carried ones first (a follow-up of an earlier session of the track), then new ones.
    const tasks: PMJSON[] = []
    const earlier = openByTrack.get(track) ?? []
    let follows: string | null = null
    if (earlier.length > 0 && prng.real53(gen) < 0.12) {
      const from = earlier[prng.int32(gen, Math.max(0, earlier.length - 20), earlier.length - 1)]!
      follows = from.id
      for (const action of from.actions.slice(0, 10)) {
        tasks.push({
          type: 'task_item',
          attrs: { checked: prng.real53(gen) < 0.5 },
          content: [{ type: 'paragraph', content: [text(`${action.text} `), { type: 'text', text: carryLinkText(from.title), marks: [{ type: 'link', attrs: { href: carryHref({ sessionId: from.id, index: action.index }), title: null } }] }] }],
        })
      }
    }
    const newActions = prng.int32(gen, 1, 9)
    for (let i = 0; i < newActions; i++) {
      const due = prng.real53(gen) < 0.5 ? ` due ${new Date(endedAt + prng.int32(gen, 7, 90) * 86_400_000).toISOString().slice(0, 10)}` : ''
      const owner = prng.real53(gen) < 0.9 ? `@${person()} ` : ''
      tasks.push({ type: 'task_item', attrs: { checked: prng.real53(gen) < 0.3 }, content: [paragraph(`${owner}${sentence(4, 12).replace(/[.?!]$/, '')}${due}`)] })
    }
    content.push(heading(2, 'Action items'), { type: 'task_list', content: tasks })
    const doc: PMJSON = { type: 'doc', content }

    const outcomes = extractOutcomes(doc)
    const open = outcomes.actions.flatMap((action, actionIndex) => (action.done || action.from ? [] : [{ index: actionIndex, text: action.text }]))
    if (open.length > 0) {
      const list = openByTrack.get(track) ?? []
      list.push({ id, title, actions: open })
      if (list.length > 200) list.shift()
      openByTrack.set(track, list)
    }

    yield {
      session: {
        id,
        title,
        track,
        room: `Room ${String.fromCharCode(65 + (slot % 6))}${prng.int32(gen, 1, 4)}`,
        moderator,
        scheduledStart: new Date(start).toISOString(),
        durationMinutes: 40,
        access: 'open',
        state: 'ended',
        startedAt: new Date(startedAt).toISOString(),
        endsAt: new Date(startedAt + 40 * 60_000).toISOString(),
        endedAt: new Date(endedAt).toISOString(),
        locked: false,
        currentItem: null,
        projectorChat: false,
        timeZone: null,
        joinCode: null,
        recapMail: false,
      },
      doc,
      participants: [...attendees],
      follows,
    }
  }
}

/**
 * Writes the generated archive through `meta`, `concurrency` sessions at a time (1 for SQLite,
 * whose calls are synchronous; more for PostgreSQL's pool). `progress` is called now and then.
 */
export async function seedArchive(meta: MetaStore, options: ArchiveSeedOptions & { concurrency?: number; progress?: (done: number) => void }): Promise<ArchiveSeedCounts> {
  const started = performance.now()
  const counts: ArchiveSeedCounts = { sessions: 0, textBytes: 0, docJsonBytes: 0, decisions: 0, actions: 0, owners: 0, followUps: 0, carried: 0, seedMs: 0 }
  const owners = new Set<string>()
  const write = async (generated: GeneratedSession) => {
    const { session, doc, participants, follows } = generated
    await meta.createSession({ id: session.id, title: session.title, track: session.track, room: session.room, moderator: session.moderator, scheduledStart: session.scheduledStart, durationMinutes: session.durationMinutes, access: session.access, moderatorKeyHash: 'seeded', editorKeyHash: 'seeded' })
    const ended = await meta.updateSession(session.id, { state: 'ended', startedAt: session.startedAt, endsAt: session.endsAt, endedAt: session.endedAt, recapMail: false })
    if (follows) await meta.setFollows(session.id, follows)
    // What the archiving worker computes (export-worker.ts `snapshot`), from the same functions.
    const outcomes = extractOutcomes(doc)
    const padText = exportText(withoutEmptySections(doc), exportMeta({ session: ended!, doc, outcomes, participants, chat: [], publicUrl: null }))
    await meta.saveArchive({ sessionId: session.id, doc, outcomes, participants, chat: [], text: padText })
    counts.sessions++
    counts.textBytes += Buffer.byteLength(padText)
    counts.docJsonBytes += Buffer.byteLength(JSON.stringify(doc))
    counts.decisions += outcomes.decisions.length
    counts.actions += outcomes.actions.length
    counts.carried += outcomes.actions.filter((action) => action.from).length
    if (follows) counts.followUps++
    for (const action of outcomes.actions) if (action.owner) owners.add(action.owner)
    if (counts.sessions % 1000 === 0) options.progress?.(counts.sessions)
  }
  const concurrency = options.concurrency ?? 1
  const inFlight = new Set<Promise<void>>()
  for (const generated of generateArchive(options)) {
    // A follow-up's earlier session must exist before setFollows names it: it was generated
    // earlier, so waiting for everything in flight before a follow-up keeps the order.
    if (generated.follows) await Promise.all(inFlight)
    const job = write(generated).finally(() => inFlight.delete(job))
    inFlight.add(job)
    if (inFlight.size >= concurrency) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
  counts.owners = owners.size
  counts.seedMs = Math.round(performance.now() - started)
  return counts
}
