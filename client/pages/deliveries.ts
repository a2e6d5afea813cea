/**
 * `/organizer/deliveries` (issue 20): the last webhook and recap-mail deliveries with their
 * status, response code and next retry, newest first, and a Resend button for delivered or dead
 * ones. Part of the organizer pages (`organizer.ts` shows it to signed-in organizers only).
 */
import type { Delivery } from '../../shared/api-responses.ts'
import { h } from '../dom.ts'
import { organizerApi } from '../organizer-api.ts'

const statusLabel: Record<Delivery['status'], string> = { pending: 'Pending', delivered: 'Delivered', dead: 'Gave up' }

/** The deliveries section: a table, paged with "Older deliveries". */
export function deliveriesList(): HTMLElement {
  const body = h('tbody', {})
  const more = h('button', { type: 'button' }, 'Older deliveries')
  const status = h('p', { class: 'form-status', role: 'status' })
  const section = h(
    'section',
    { class: 'audit-log deliveries' },
    h('p', { class: 'hint' }, 'Webhooks and recap mails go out through an outbox: a failed delivery is retried with growing delays for 24 hours, then given up. Resend sends one again with the same id.'),
    h(
      'table',
      { class: 'audit-table deliveries-table' },
      h('thead', {}, h('tr', {}, ...['Created', 'Event', 'To', 'Status', 'Attempts', 'Last answer', 'Next try', 'Action'].map((label) => h('th', { scope: 'col' }, label)))),
      body,
    ),
    status,
    more,
  )
  let oldest: string | undefined
  const load = async () => {
    more.disabled = true
    try {
      const deliveries = await organizerApi.deliveries(oldest)
      body.append(...deliveries.map((delivery) => deliveryRow(delivery, status)))
      oldest = deliveries.at(-1)?.id
      more.hidden = deliveries.length < 100
      if (body.childElementCount === 0) status.textContent = 'No delivery yet: configure webhooks or the recap mail (see the README).'
    } catch (error) {
      status.textContent = `The deliveries could not be loaded: ${(error as Error).message}`
      status.classList.add('error')
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', () => void load())
  void load()
  return section
}

const time = (iso: string | null) => (iso ? h('time', { datetime: iso }, new Date(iso).toLocaleString()) : '—')

function deliveryRow(delivery: Delivery, status: HTMLElement): HTMLElement {
  const row = h('tr', { class: 'audit-entry delivery', 'data-delivery': delivery.id })
  const fill = (current: Delivery) => {
    const answer = current.lastStatusCode !== null ? String(current.lastStatusCode) : current.lastError ? '' : '—'
    const resend = h('button', { type: 'button', class: 'bar-button', 'aria-label': `Resend ${current.event} to ${current.target}` }, 'Resend')
    resend.disabled = current.status === 'pending'
    resend.addEventListener('click', async () => {
      resend.disabled = true
      try {
        const updated = await organizerApi.resendDelivery(current.id)
        status.classList.remove('error')
        status.textContent = `${updated.event} to ${updated.target} is queued again.`
        fill(updated)
      } catch (error) {
        status.textContent = `Could not resend: ${(error as Error).message}`
        status.classList.add('error')
        resend.disabled = false
      }
    })
    row.replaceChildren(
      h('td', {}, time(current.createdAt)),
      h('td', { class: 'audit-action' }, current.event),
      h('td', {}, `${current.channel === 'mail' ? 'Mail: ' : 'Webhook: '}${current.target}`),
      h('td', { class: `delivery-status delivery-${current.status}` }, statusLabel[current.status]),
      h('td', {}, String(current.attempts)),
      h('td', {}, answer, current.lastError ? h('span', { class: 'hint delivery-error' }, `${answer ? ' ' : ''}${current.lastError}`) : null),
      h('td', {}, current.status === 'pending' ? time(current.nextAttemptAt) : '—'),
      h('td', {}, resend),
    )
  }
  fill(delivery)
  return row
}
