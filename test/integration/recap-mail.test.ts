/**
 * The recap mail (issue 20) against a real SMTP server run by the test (`smtp-server`): the
 * message's headers and both bodies, the track's list or the event's default, a failed delivery
 * retried from the outbox, the moderator's recap-off switch (moderator only), and the same recap
 * as the `recap` and `eml` exports.
 */
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Delivery } from '../../shared/api-responses.ts'
import { act, checkedFetch, createSessionWithKeys } from '../helpers/api.ts'
import { organizerHeaders, startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

interface ReceivedMail {
  from: string
  to: string[]
  raw: string
}

const received: ReceivedMail[] = []
/** Messages to refuse (451, try later) before accepting again. */
let refuseNext = 0
let refusals = 0
let smtp: SMTPServer
let server: ServerProcess
const publicUrl = 'https://pads.summit.example'

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        if (refuseNext > 0) {
          refuseNext--
          refusals++
          callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }))
          return
        }
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString('utf8') })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  const { port } = smtp.server.address() as AddressInfo
  server = await startServerProcess({
    env: {
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      MAIL_FROM: 'summitpad@summit.example',
      RECAP_LIST: 'summit@lists.example.org',
      RECAP_TRACK_LISTS: 'Nova=nova-dev@lists.example.org;Swift=swift@lists.example.org',
      PUBLIC_URL: publicUrl,
      OUTBOX_BASE_DELAY_MS: '20',
      OUTBOX_MAX_DELAY_MS: '100',
      OUTBOX_POLL_MS: '50',
    },
  })
})
afterAll(async () => {
  await server?.dispose()
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()))
})

/** A parsed RFC 5322 message: unfolded headers and, for multipart/alternative, its decoded parts. */
function parseMail(raw: string): { headers: Map<string, string>; parts: Map<string, string> } {
  const [head, ...rest] = raw.split(/\r\n\r\n/)
  const headers = new Map<string, string>()
  for (const line of head!.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) headers.set(line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim())
  const body = rest.join('\r\n\r\n')
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1]
  const parts = new Map<string, string>()
  for (const part of boundary ? body.split(`--${boundary}`).slice(1, -1) : []) {
    const [partHead, ...partBody] = part.replace(/^\r\n/, '').split(/\r\n\r\n/)
    const type = /content-type:\s*([^;\r\n]+)/i.exec(partHead!)?.[1]!.trim() ?? ''
    const text = partBody.join('\r\n\r\n').replace(/\r\n$/, '')
    parts.set(type, (/quoted-printable/i.test(partHead!) ? decodeQuotedPrintable(text) : text).replace(/\r\n/g, '\n'))
  }
  return { headers, parts }
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
}

const agenda = [
  '## Decisions',
  '',
  '**Decision:** Ship the placement API v2 first.',
  '',
  '**Decision:** Deprecate v1 in the next cycle.',
  '',
  '## Action items',
  '',
  '**Action:** write the spec @kim due 2026-12-20',
  '',
  '**Action (done):** book the room @lee',
  '',
  '**Action:** update the docs @kim',
  '',
  '**Action:** find a volunteer for the gate job',
  '',
].join('\n')

async function recapDeliveries(): Promise<Delivery[]> {
  const res = await checkedFetch(server.url, `${server.url}/api/organizer/deliveries?limit=500`, { headers: organizerHeaders })
  return (res.body as { deliveries: Delivery[] }).deliveries.filter((delivery) => delivery.event === 'recap.mail')
}

const mailOf = (sessionId: string) => received.filter((mail) => mail.raw.includes(`X-Summitpad-Session: ${sessionId}`))

describe('recap mail', () => {
  it("sends the track's list a text and HTML recap: decisions, action items by owner, participants, archive link", async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url, { title: 'Placement', track: 'Nova', room: 'Room 101', moderator: 'Sean', content: agenda })
    expect((await act(server.url, session.id, 'start', moderatorKey)).status).toBe(200)
    expect((await act(server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const [mail] = await waitFor(() => (mailOf(session.id).length ? mailOf(session.id) : null), 10_000, 'the recap mail')
    expect(mail!.from).toBe('summitpad@summit.example')
    expect(mail!.to).toEqual(['nova-dev@lists.example.org'])
    const { headers, parts } = parseMail(mail!.raw)
    expect(headers.get('subject')).toBe('[Recap] Nova: Placement')
    expect(headers.get('from')).toBe('summitpad@summit.example')
    expect(headers.get('to')).toBe('nova-dev@lists.example.org')
    const delivery = (await recapDeliveries()).find((d) => headers.get('message-id') === `<${d.id}@summit.example>`)
    expect(delivery).toMatchObject({ status: 'delivered', channel: 'mail', target: 'nova-dev@lists.example.org', attempts: 1, lastStatusCode: 250 })
    expect(headers.get('content-type')).toMatch(/^multipart\/alternative/)
    const text = parts.get('text/plain')!
    expect(text).toContain('Recap: Placement')
    expect(text).toContain('Track: Nova\nRoom: Room 101\nModerator: Sean\nTime: ')
    expect(text).toContain('Decisions\n---------\n1. Ship the placement API v2 first.\n2. Deprecate v1 in the next cycle.')
    expect(text).toContain('Action items\n------------\n@kim:\n  [ ] write the spec @kim due 2026-12-20 (due 2026-12-20)\n  [ ] update the docs @kim\n@lee:\n  [x] book the room @lee\nNo owner:\n  [ ] find a volunteer for the gate job')
    expect(text).toContain(`${publicUrl}/s/${session.id}/archive`)
    const html = parts.get('text/html')!
    expect(html).toContain('<h1 style="font-size:1.3em">Recap: Placement</h1>')
    expect(html).toContain('<ol><li>Ship the placement API v2 first.</li><li>Deprecate v1 in the next cycle.</li></ol>')
    expect(html).toMatch(/<h3[^>]*>@kim<\/h3><ul><li>\[ \] write the spec/)
    expect(html).toContain(`<a href="${publicUrl}/s/${session.id}/archive">`)

    // The same recap, for posting by hand.
    const exported = await fetch(`${server.url}/api/sessions/${session.id}/export?format=recap`)
    expect(exported.status).toBe(200)
    expect(exported.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await exported.text()).toBe(text)
    const eml = await fetch(`${server.url}/api/sessions/${session.id}/export?format=eml`)
    expect(eml.headers.get('content-type')).toMatch(/^message\/rfc822/)
    expect(eml.headers.get('content-disposition')).toContain('placement-recap.eml')
    const parsed = parseMail(await eml.text())
    expect(parsed.headers.get('to')).toBe('nova-dev@lists.example.org')
    expect(parsed.headers.get('subject')).toBe('[Recap] Nova: Placement')
    expect(parsed.parts.get('text/plain')).toBe(text)
    expect(parsed.parts.get('text/html')).toBe(html)
    expect((await fetch(`${server.url}/api/sessions/${session.id}/export?format=eml&rev=1`)).status).toBe(400)
  })

  it("sends a track without a list of its own to the event's default list", async () => {
    const { session, moderatorKey } = await createSessionWithKeys(server.url, { title: 'Hallway', track: 'Cinder' })
    expect((await act(server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    const [mail] = await waitFor(() => (mailOf(session.id).length ? mailOf(session.id) : null), 10_000, 'the recap mail')
    expect(mail!.to).toEqual(['summit@lists.example.org'])
    expect(parseMail(mail!.raw).headers.get('subject')).toBe('[Recap] Cinder: Hallway')
  })

  it('retries a refused delivery from the outbox; the list gets it once', async () => {
    refuseNext = 1
    const refusalsBefore = refusals
    const { session, moderatorKey } = await createSessionWithKeys(server.url, { title: 'Retry', track: 'Swift' })
    expect((await act(server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    await waitFor(() => mailOf(session.id).length === 1, 10_000, 'the retried recap mail')
    expect(refusals - refusalsBefore).toBe(1)
    const messageId = parseMail(mailOf(session.id)[0]!.raw).headers.get('message-id')
    const delivery = await waitFor(async () => (await recapDeliveries()).find((d) => `<${d.id}@summit.example>` === messageId && d.status === 'delivered'), 5000, 'delivered')
    expect(delivery).toMatchObject({ attempts: 2, lastStatusCode: 250, target: 'swift@lists.example.org' })
    expect(mailOf(session.id)).toHaveLength(1)
  })

  it('is not sent for a session whose moderator turned it off; only the moderator may', async () => {
    const { session, moderatorKey, editorKey } = await createSessionWithKeys(server.url, { title: 'Quiet', track: 'Nova', access: 'key' })
    expect((await act(server.url, session.id, 'recap-off', null)).status).toBe(401)
    expect((await act(server.url, session.id, 'recap-off', editorKey)).status).toBe(403)
    const off = await act(server.url, session.id, 'recap-off', moderatorKey)
    expect(off.status).toBe(200)
    expect(off.body.session!.recapMail).toBe(false)
    const before = (await recapDeliveries()).length
    // The end writes the session's deliveries before it answers: none was written for this one.
    expect((await act(server.url, session.id, 'end', moderatorKey)).status).toBe(200)
    expect((await recapDeliveries()).length).toBe(before)
    expect(mailOf(session.id)).toEqual([])
  })
})
