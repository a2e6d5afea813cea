/**
 * The session bar above the pad: phase, countdown to the absolute end time (on the estimated
 * server clock), the current agenda item, the lock; and for the moderator the controls (start,
 * ±5 minutes, previous / next item, lock, chat on the projector, recap mail on or off, end), also
 * on keyboard shortcuts.
 */
import { formatCountdown, sessionPhase, type SessionPhase } from '../../shared/session-phase.ts'
import type { ModeratorAction } from '../api.ts'
import { h } from '../dom.ts'
import type { ControlState } from '../sync/control.ts'
import { serverNow } from '../sync/server-clock.ts'

export interface SessionBarOptions {
  isModerator: boolean
  /** Runs a moderator action; rejects with the server's message. */
  act(action: ModeratorAction, body?: { minutes: number } | { step: 1 | -1 }): Promise<void>
  /** The text of the current agenda item, for the bar. */
  currentItemText(): string | null
}

export interface SessionBar {
  element: HTMLElement
  update(state: ControlState): void
}

const phaseLabel: Record<SessionPhase, string> = { scheduled: 'Scheduled', live: 'Live', 'wrap-up': 'Wrap-up', ended: 'Ended' }

/** The countdown's urgency: amber in the last 5 minutes, red when over time. */
export function countdownTone(remainingMs: number): 'normal' | 'amber' | 'red' {
  if (remainingMs < 0) return 'red'
  if (remainingMs <= 5 * 60_000) return 'amber'
  return 'normal'
}

export function createSessionBar(options: SessionBarOptions): SessionBar {
  let state: ControlState | null = null
  const phase = h('span', { class: 'phase', 'data-phase': 'scheduled' }, 'Scheduled')
  const countdown = h('span', { class: 'countdown', role: 'timer', 'aria-label': 'Time left' }, '')
  const current = h('span', { class: 'current-item' })
  const lock = h('span', { class: 'lock-badge', hidden: true }, 'Locked')
  const message = h('span', { class: 'bar-message', role: 'alert' })

  // Actions run one after another, in the order they were asked for: pressing "next" twice
  // quickly moves two items, and a shortcut is never dropped while a request is in flight.
  let queue: Promise<void> = Promise.resolve()
  const enqueue = (run: () => Promise<void>) => {
    queue = queue.then(async () => {
      message.textContent = ''
      try {
        await run()
      } catch (error) {
        message.textContent = (error as Error).message
      }
      render()
    })
  }
  const button = (label: string, title: string, run: () => Promise<void>) => {
    const element = h('button', { type: 'button', class: 'bar-button', title }, label)
    element.addEventListener('click', () => enqueue(run))
    return element
  }
  const start = button('Start', 'Start the session and its countdown', () => options.act('start'))
  const minus = button('−5 min', 'Remove 5 minutes', () => options.act('extend', { minutes: -5 }))
  const plus = button('+5 min', 'Add 5 minutes', () => options.act('extend', { minutes: 5 }))
  const previous = button('◀ Item', 'Previous agenda item (Alt+Shift+↑)', () => options.act('current', { step: -1 }))
  const next = button('Item ▶', 'Next agenda item; marks this one done (Alt+Shift+↓)', () => options.act('current', { step: 1 }))
  const lockButton = button('Lock', 'Only the moderator may edit while locked', () => options.act(state?.locked ? 'unlock' : 'lock'))
  const projectorChat = button('Chat on projector', 'Show or hide the chat on the projector view', () => options.act(state?.projectorChat ? 'hide-chat' : 'show-chat'))
  // Issue 20: the recap mail to the track's list, on unless the moderator turns it off before the end.
  const recapMail = button('Recap mail', "Send the recap (decisions, action items) to the track's mailing list when the session ends", () =>
    options.act(state?.recapMail === false ? 'recap-on' : 'recap-off'),
  )
  const end = button('End', 'End the session: the pad becomes read-only', async () => {
    if (confirm('End the session now? The pad becomes read-only for everyone.')) await options.act('end')
  })
  const controls = h('div', { class: 'moderator-controls', role: 'group', 'aria-label': 'Moderator controls' }, start, minus, plus, previous, next, lockButton, projectorChat, recapMail, end)

  if (options.isModerator) {
    document.addEventListener('keydown', (event) => {
      if (!event.altKey || !event.shiftKey || !state || state.state === 'ended') return
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault()
        enqueue(() => options.act('current', { step: event.key === 'ArrowDown' ? 1 : -1 }))
      }
    })
  }

  const element = h(
    'div',
    { class: 'session-bar' },
    phase,
    countdown,
    lock,
    h('span', { class: 'current-label' }, 'Now: ', current),
    message,
    options.isModerator ? controls : null,
  )

  const render = () => {
    if (!state) return
    const now = serverNow()
    const p = sessionPhase(state.state, state.endsAt, now)
    phase.textContent = phaseLabel[p]
    phase.dataset.phase = p
    element.dataset.phase = p
    if (state.state === 'live' && state.endsAt !== null) {
      const remaining = state.endsAt - now
      countdown.textContent = remaining < 0 ? `${formatCountdown(remaining)} over` : `${formatCountdown(remaining)} left`
      countdown.dataset.tone = countdownTone(remaining)
    } else if (state.state === 'scheduled') {
      countdown.textContent = `${state.durationMinutes} min`
      countdown.dataset.tone = 'normal'
    } else {
      countdown.textContent = ''
    }
    lock.hidden = !state.locked
    const text = options.currentItemText()
    current.textContent = text || '—'
    start.hidden = state.state !== 'scheduled'
    for (const b of [minus, plus]) b.hidden = state.state !== 'live'
    for (const b of [previous, next, lockButton, projectorChat, recapMail, end]) b.hidden = state.state === 'ended'
    lockButton.textContent = state.locked ? 'Unlock' : 'Lock'
    projectorChat.setAttribute('aria-pressed', String(state.projectorChat))
    recapMail.setAttribute('aria-pressed', String(state.recapMail !== false))
  }
  setInterval(render, 250)

  return {
    element,
    update(next) {
      state = next
      render()
    },
  }
}
