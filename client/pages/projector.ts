/**
 * The projector view (`/s/<id>/projector`): the pad for a wall at the back of a room. No editing
 * chrome; very large high-contrast type; the title, the countdown (amber in the last 5 minutes,
 * red over time), the phase, the number of people in the pad, and a QR code with, while the
 * session is live, its join code large beside it and the short `/j/<code>` URL at body size
 * (issue 19: readable from the back of the room). It follows the moderator: the current agenda item is highlighted and kept in view. When
 * the moderator shows it, a column with the latest chat messages.
 */
import QRCode from 'qrcode'
import type { EditorView } from 'prosemirror-view'
import { countdownTone, formatCountdown, overtimeText, sessionPhase } from '../../shared/session-phase.ts'
import { agendaSummary, itemTimeText } from '../editor/agenda-summary.ts'
import { fragmentParam } from '../auth/link-key.ts'
import { h } from '../dom.ts'
import { createViewer } from '../editor/create-viewer.ts'
import { controlStateOf, type ControlState } from '../../shared/control-state.ts'
import { ControlConnection } from '../sync/control.ts'
import { toIdentity } from '../sync/presence.ts'
import { PadConnection } from '../sync/provider.ts'
import { serverNow, syncServerClock } from '../sync/server-clock.ts'
import { loadSessionView } from './pad.ts'
import { createProjectorChat } from './projector-chat.ts'
import { joinPath } from '../../shared/join-code.ts'
import { loadEventZone, zonedTime } from '../time-display.ts'

const themeKey = 'summitpad.projector.theme'
/** How long the projector's chrome stays after the pointer last moved. @default 3000 */
const chromeHideMs = 3000
type Theme = 'light' | 'dark'

export async function renderProjector(root: HTMLElement, sessionId: string): Promise<void> {
  const loaded = await loadSessionView(root, sessionId)
  if (!loaded) return
  const { session } = loaded
  document.title = `${session.title} · projector · summitpad`
  void syncServerClock()

  // The projector only reads: it connects without a key and never edits.
  const pad = new PadConnection(session.id, null)
  const control = new ControlConnection(session.id, null, controlStateOf(session))
  pad.provider.awareness.setLocalState(null)

  const joinKey = fragmentParam('join')
  const joinUrl = `${location.origin}/s/${session.id}${joinKey ? `#key=${joinKey}` : ''}`
  const shortUrl = `${location.host}/s/${session.id}`

  await loadEventZone()
  const slotTime = session.scheduledStart ? zonedTime(session.scheduledStart, session.timeZone) : null
  const joinCode = h('p', { class: 'join-code', 'aria-label': 'Join code' })
  const joinLine = h('p', { class: 'join-url' })
  const renderJoin = (code: string | null) => {
    joinCode.hidden = code === null
    joinCode.textContent = code ?? ''
    // Before the start (and after the end) there is no code: the session's own link.
    // The line breaks after a dot of the host or before the path, never inside the code; its
    // type shrinks so the longest of those pieces fits the panel's width (app.css `.join-url`),
    // so a long host neither breaks mid-name nor pushes the people line off the screen.
    const path = code === null ? `/s/${session.id}` : joinPath(code)
    const pieces = location.host.split(/(?<=\.)/)
    joinLine.replaceChildren(...pieces.flatMap((piece) => [piece, h('wbr')]), h('span', { class: 'join-path' }, path))
    joinLine.style.setProperty('--join-chars', String(Math.max(...pieces.map((piece) => piece.length), path.length)))
    joinLine.dataset.kind = code === null ? 'session' : 'code'
  }
  const phase = h('span', { class: 'phase' })
  const countdown = h('span', { class: 'countdown', role: 'timer' })
  const itemTime = h('p', { class: 'projector-item-time', hidden: true })
  const people = h('span', { class: 'people-count' })
  const qr = h('img', { class: 'qr', alt: `QR code to join: ${shortUrl}`, width: 280, height: 280 })
  const host = h('div', { class: 'projector-pad' })
  let theme: Theme = localStorage.getItem(themeKey) === 'dark' ? 'dark' : 'light'
  const themeButton = h('button', { type: 'button', class: 'theme-toggle' })
  const chat = createProjectorChat(session.id, control)

  const page = h(
    'div',
    { class: 'projector' },
    h(
      'header',
      { class: 'projector-header' },
      h('div', { class: 'projector-title' }, h('h1', {}, session.title), h('p', {}, [session.track, session.room].filter(Boolean).join(' · '), slotTime && (session.track || session.room) ? ' · ' : null, slotTime), itemTime),
      h('div', { class: 'projector-clock' }, phase, countdown),
    ),
    h(
      'div',
      { class: 'projector-body' },
      h('main', { class: 'projector-main', tabindex: '0', 'aria-label': 'The pad' }, host),
      chat.element,
      h(
        'aside',
        { class: 'projector-side' },
        qr,
        h('p', { class: 'join-label' }, 'Join and take notes'),
        joinCode,
        joinLine,
        h('p', { class: 'people-line' }, people),
        themeButton,
      ),
    ),
  )
  root.replaceChildren(page)

  const applyTheme = () => {
    page.dataset.theme = theme
    document.documentElement.dataset.theme = theme
    themeButton.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme'
  }
  applyTheme()
  // The projector's own chrome (the theme button) stays out of the picture until someone moves
  // the pointer or uses the keyboard, and goes again a few seconds later.
  let chromeTimer: ReturnType<typeof setTimeout> | undefined
  const showChrome = () => {
    page.dataset.chrome = 'shown'
    clearTimeout(chromeTimer)
    chromeTimer = setTimeout(() => {
      if (!page.contains(document.activeElement) || document.activeElement === document.body) page.dataset.chrome = 'hidden'
      else showChrome()
    }, chromeHideMs)
  }
  page.dataset.chrome = 'hidden'
  for (const type of ['pointermove', 'pointerdown', 'keydown', 'focusin']) document.addEventListener(type, showChrome)
  themeButton.addEventListener('click', () => {
    theme = theme === 'dark' ? 'light' : 'dark'
    localStorage.setItem(themeKey, theme)
    applyTheme()
  })

  qr.src = await QRCode.toDataURL(joinUrl, { margin: 1, width: 560, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } })

  let view: EditorView | null = null
  const slot = { scheduledStart: session.scheduledStart ? Date.parse(session.scheduledStart) : null, durationMinutes: session.durationMinutes }
  const renderClock = (state: ControlState) => {
    const now = serverNow()
    const p = sessionPhase(state.state, state.endsAt, now, slot)
    phase.textContent = { scheduled: 'Not started', due: 'Starting soon', live: 'Live', 'wrap-up': 'Wrap-up', ended: 'Ended' }[p]
    phase.dataset.phase = p
    // The current item's elapsed time against its timebox, under the title.
    const current = view ? agendaSummary(view.state.doc).current : null
    const timing = state.state === 'live' && current ? itemTimeText(state.currentSince, current.timeboxMinutes, now, formatCountdown) : null
    itemTime.hidden = timing === null
    itemTime.textContent = timing ? `This item: ${timing.text}` : ''
    itemTime.dataset.over = String(timing?.over ?? false)
    if (state.state === 'live' && state.endsAt !== null) {
      const remaining = state.endsAt - now
      countdown.textContent = remaining < 0 ? overtimeText(remaining) : formatCountdown(remaining)
      countdown.dataset.tone = countdownTone(remaining)
    } else {
      countdown.textContent = state.state === 'scheduled' ? `${state.durationMinutes}:00` : ''
      countdown.dataset.tone = 'normal'
    }
  }
  setInterval(() => renderClock(control.state), 250)
  renderClock(control.state)
  renderJoin(control.state.joinCode)

  const awareness = pad.provider.awareness
  const renderPeople = () => {
    const count = [...awareness.getStates().values()].filter((state) => toIdentity((state as { user?: unknown }).user)).length
    people.textContent = count === 1 ? '1 person in the pad' : `${count} people in the pad`
  }
  awareness.on('change', renderPeople)
  renderPeople()

  let lastCurrent: string | null = null
  const keepCurrentInView = () => {
    const current = host.querySelector<HTMLElement>('.agenda-item[data-status="now"]')
    if (!current) return
    const id = current.dataset.id ?? ''
    const box = current.getBoundingClientRect()
    const frame = host.getBoundingClientRect()
    const outOfView = box.top < frame.top || box.bottom > frame.bottom
    const moved = id !== lastCurrent
    if (moved || outOfView) {
      lastCurrent = id
      current.scrollIntoView({ block: 'start', behavior: moved ? 'smooth' : 'auto' })
    }
  }
  const mount = () => {
    view = createViewer(host, { fragment: pad.fragment, className: 'projector-editor', hideEmpty: true, onChange: () => requestAnimationFrame(keepCurrentInView) })
    requestAnimationFrame(keepCurrentInView)
  }
  if (pad.ready) mount()
  else pad.once('ready', mount)
  control.on('change', (state) => {
    renderClock(state)
    renderJoin(state.joinCode)
    requestAnimationFrame(keepCurrentInView)
  })

  window.addEventListener('pagehide', () => {
    view?.destroy()
    pad.destroy()
    chat.destroy()
    control.destroy()
  })
}
