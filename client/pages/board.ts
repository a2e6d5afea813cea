/**
 * The now-and-next board (`/board`) for hallway screens: for every room, the session on now with
 * its time left and a QR code to join it, and the next one. It refreshes the schedule every few
 * seconds and the countdowns every second, on the server's clock, with nobody touching it.
 */
import QRCode from 'qrcode'
import type { Session } from '../../shared/api.ts'
import { nowAndNext, type RoomBoard } from '../../shared/schedule/board.ts'
import { countdownTone, timeLeftText, type SessionPhase } from '../../shared/session-phase.ts'
import { api } from '../api.ts'
import { h } from '../dom.ts'
import { serverNow, syncServerClock } from '../sync/server-clock.ts'
import '../styles/board.css'
import { loadEventZone, timeText } from '../time-display.ts'

/** How often the board re-reads the schedule. Several instances share sessions through the store, so polling it is what every instance can answer. */
const refreshMs = 5000


export async function renderBoard(root: HTMLElement): Promise<void> {
  document.title = 'Now and next · summitpad'
  const grid = h('div', { class: 'board-rooms' })
  const clock = h('span', { class: 'board-clock', 'aria-hidden': 'true' })
  const status = h('p', { class: 'board-status', role: 'status' })
  root.replaceChildren(h('main', { class: 'board' }, h('header', { class: 'board-header' }, h('h1', {}, 'Now and next'), clock), status, grid))
  void syncServerClock()
  // Times in the event's zone, with its abbreviation (issue 19).
  await loadEventZone()
  let sessions: Session[] = []
  const qrCache = new Map<string, Promise<string>>()
  let shown = ''

  const draw = () => {
    const now = serverNow()
    clock.textContent = timeText(new Date(now).toISOString())
    const rooms = nowAndNext(sessions, now)
    // Rebuild only when what is shown changed; the countdowns tick in place.
    const key = JSON.stringify(rooms.map((room) => [room.room, room.now?.session.id, room.now?.endsAt, room.now?.phase, room.next?.id, room.next?.title]))
    if (key !== shown) {
      shown = key
      layout(root.querySelector<HTMLElement>('.board')!, rooms.length)
      grid.replaceChildren(...(rooms.length > 0 ? rooms.map((room) => roomCard(room, qrCache)) : [h('p', { class: 'board-empty' }, 'No sessions with a room yet.')]))
    }
    for (const left of grid.querySelectorAll<HTMLElement>('[data-ends-at]')) {
      const remaining = Number(left.dataset.endsAt) - now
      left.textContent = timeLeftText(remaining)
      // The same urgency as the bar and the projector: amber in the last 5 minutes, red over time.
      left.dataset.tone = countdownTone(remaining)
    }
  }

  const refresh = async () => {
    try {
      sessions = await api.listSessions()
      status.textContent = ''
    } catch {
      status.textContent = 'Reconnecting to the schedule…'
    }
    draw()
  }
  await refresh()
  setInterval(() => void refresh(), refreshMs)
  setInterval(draw, 1000)
  window.addEventListener('resize', () => ((shown = ''), draw()))
}

/**
 * Fits `count` rooms on one screen (a hallway screen cannot scroll): as few rows as columns of at
 * least 420 px allow, the rooms spread evenly over them, and the type sized so a card (about
 * 17 by 20 ems: name, label and QR code, three lines of title, time left, two lines of next)
 * fits its cell, at most 1.8 % of the screen's width.
 */
function layout(board: HTMLElement, count: number): void {
  const rooms = Math.max(1, count)
  const rows = Math.ceil(rooms / Math.max(1, Math.floor(window.innerWidth / 420)))
  const cols = Math.ceil(rooms / rows)
  const font = Math.max(12, Math.min(40, window.innerWidth * 0.018, (window.innerWidth * 0.94) / (cols * 17), window.innerHeight / (rows * 20 + 4)))
  board.style.setProperty('--cols', String(cols))
  board.style.setProperty('--rows', String(rows))
  board.style.setProperty('--board-font', `${font.toFixed(1)}px`)
}

function roomCard(room: RoomBoard, qrCache: Map<string, Promise<string>>): HTMLElement {
  const now = room.now
  const card = h('section', { class: `board-room${now ? ' is-live' : ''}`, 'aria-label': room.room, 'data-room': room.room }, h('h2', { class: 'board-room-name' }, room.room))
  if (now) {
    const url = `${location.origin}/s/${now.session.id}`
    const qr = h('img', { class: 'board-qr', alt: `QR code to join ${now.session.title}`, width: 160, height: 160 })
    if (!qrCache.has(url)) qrCache.set(url, QRCode.toDataURL(url, { margin: 1, width: 320, errorCorrectionLevel: 'M' }))
    void qrCache.get(url)!.then((src) => (qr.src = src))
    card.append(
      h(
        'div',
        { class: 'board-now' },
        h('div', {}, h('p', { class: 'board-label' }, nowLabel[now.phase] ?? 'Now'), h('p', { class: 'board-title' }, h('a', { href: `/s/${now.session.id}` }, now.session.title)), h('p', { class: 'board-left', 'data-ends-at': String(now.endsAt) })),
        qr,
      ),
    )
  } else {
    card.append(h('p', { class: 'board-idle' }, 'Nothing on now'))
  }
  if (room.next) {
    card.append(h('p', { class: 'board-next' }, h('span', { class: 'board-label' }, `Next ${timeText(room.next.scheduledStart!)}`), ' ', room.next.title))
  }
  return card
}

/** What the board says above the session on now, by its phase. */
const nowLabel: Partial<Record<SessionPhase, string>> = {
  live: 'Now',
  'wrap-up': 'Now · wrap-up',
  due: 'Due now · not started',
}
