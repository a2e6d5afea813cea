/**
 * The session bar above the pad: phase, countdown to the absolute end time (on the estimated
 * server clock), the current agenda item with its elapsed time against its timebox, the agenda's
 * timeboxes against the slot when they do not fit, the lock; and for the moderator the controls
 * (start, ±5 minutes, previous / next item, lock, chat on the projector, recap mail on or off,
 * also on keyboard shortcuts), with the destructive ones (end, restore) set apart, each asking first.
 * On a phone the bar stays at the top of the screen while the person types.
 */
import { countdownText, countdownTone, formatCountdown, phaseNames, sessionPhase, type ScheduledSlot } from '../../shared/session-phase.ts'
import type { AgendaSummary } from '../editor/agenda-summary.ts'
import { itemTimeText } from '../editor/agenda-summary.ts'
import type { ModeratorAction } from '../api.ts'
import { h } from '../dom.ts'
import type { ControlState } from '../sync/control.ts'
import { serverNow } from '../sync/server-clock.ts'

export interface SessionBarOptions {
  isModerator: boolean
  /** Runs a moderator action; rejects with the server's message. */
  act(action: ModeratorAction, body?: { minutes: number } | { step: 1 | -1 }): Promise<void>
  /** The pad's agenda: its current item and timeboxes. Null before the pad has loaded. */
  agenda(): AgendaSummary | null
  /** The session's scheduled slot, for `due` (in its slot, not started). */
  slot: ScheduledSlot
  /** The history page, where the moderator restores a revision. */
  historyHref: string
}

export interface SessionBar {
  element: HTMLElement
  update(state: ControlState): void
}

export function createSessionBar(options: SessionBarOptions): SessionBar {
  let state: ControlState | null = null
  const phase = h('span', { class: 'phase', 'data-phase': 'scheduled' }, 'Scheduled')
  const countdown = h('span', { class: 'countdown', role: 'timer', 'aria-label': 'Time left' }, '')
  const current = h('span', { class: 'current-item' })
  const itemTime = h('span', { class: 'item-time', hidden: true })
  const agendaFit = h('span', { class: 'agenda-fit', hidden: true })
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
  const end = button('End', 'End the session: the pad becomes read-only and is archived', async () => {
    const words =
      'End the session now?\n\nThe pad becomes read-only for everyone, the countdown stops, and the session is archived with its decisions and action items. This cannot be undone.'
    if (confirm(words)) await options.act('end')
  })
  const restore = h('a', { class: 'bar-button restore-link', href: options.historyHref, title: 'Pick an earlier revision of the pad on the history page; restoring asks first' }, 'Restore…')
  const danger = h('div', { class: 'danger-controls', role: 'group', 'aria-label': 'Ending and restoring' }, restore, end)
  // On a phone the controls fold away behind one button, so the bar that stays on screen while
  // typing is one or two lines.
  const controlsToggle = h('button', { type: 'button', class: 'bar-button controls-toggle', 'aria-expanded': 'false', 'aria-controls': 'moderator-controls' }, 'Controls')
  let foldedByHand = false
  const setControlsOpen = (open: boolean) => {
    controlsToggle.setAttribute('aria-expanded', String(open))
    element.dataset.controls = open ? 'open' : 'closed'
  }
  controlsToggle.addEventListener('click', () => {
    foldedByHand = true
    setControlsOpen(controlsToggle.getAttribute('aria-expanded') !== 'true')
  })
  const controls = h(
    'div',
    { class: 'moderator-controls', id: 'moderator-controls' },
    h('div', { class: 'run-controls', role: 'group', 'aria-label': 'Moderator controls' }, start, minus, plus, previous, next, lockButton, projectorChat, recapMail),
    danger,
  )

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
    itemTime,
    agendaFit,
    message,
    options.isModerator ? controlsToggle : null,
    options.isModerator ? controls : null,
  )

  const render = () => {
    if (!state) return
    const now = serverNow()
    const p = sessionPhase(state.state, state.endsAt, now, options.slot)
    phase.textContent = phaseNames[p]
    phase.dataset.phase = p
    element.dataset.phase = p
    if (state.state === 'live' && state.endsAt !== null) {
      const remaining = state.endsAt - now
      countdown.textContent = countdownText(remaining)
      countdown.dataset.tone = countdownTone(remaining)
    } else if (state.state === 'scheduled') {
      countdown.textContent = `${state.durationMinutes} min`
      countdown.dataset.tone = 'normal'
    } else {
      countdown.textContent = ''
    }
    lock.hidden = !state.locked
    const agenda = options.agenda()
    current.textContent = agenda?.current?.text || '—'
    const timing = state.state === 'live' && agenda?.current ? itemTimeText(state.currentSince, agenda.current.timeboxMinutes, now, formatCountdown) : null
    itemTime.hidden = timing === null
    itemTime.textContent = timing ? `(${timing.text})` : ''
    itemTime.dataset.over = String(timing?.over ?? false)
    // The agenda's timeboxes against the slot: said only when they do not fit.
    const slotMinutes = state.endsAt !== null && state.startedAt !== null ? Math.round((state.endsAt - state.startedAt) / 60_000) : state.durationMinutes
    const overBy = agenda ? agenda.totalMinutes - slotMinutes : 0
    agendaFit.hidden = !options.isModerator || state.state === 'ended' || overBy <= 0
    agendaFit.textContent = overBy > 0 ? `Timeboxes: ${agenda!.totalMinutes} min in a ${slotMinutes} min slot (${overBy} min over)` : ''
    start.hidden = state.state !== 'scheduled'
    // Before the start the controls are open (Start is what the moderator needs); they fold once
    // the session is live, unless the moderator opened or closed them.
    if (options.isModerator && !foldedByHand) setControlsOpen(state.state === 'scheduled')
    for (const b of [minus, plus]) b.hidden = state.state !== 'live'
    for (const b of [previous, next, lockButton, projectorChat, recapMail, end, restore]) b.hidden = state.state === 'ended'
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
