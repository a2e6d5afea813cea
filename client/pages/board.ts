/**
 * The now-and-next board (`/board`) for hallway screens: for every room, the session on now with
 * its time left and a QR code to join it, and the next one. It refreshes the schedule every few
 * seconds and the countdowns every second, on the server's clock, with nobody touching it.
 */
import QRCode from 'qrcode'
import type { Session } from '../../shared/api.ts'
import { nowAndNext, type RoomBoard } from '../../shared/schedule/board.ts'
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
    const key = JSON.stringify(rooms.map((room) => [room.room, room.now?.session.id, room.now?.endsAt, room.next?.id, room.next?.title]))
    if (key !== shown) {
      shown = key
      grid.replaceChildren(...(rooms.length > 0 ? rooms.map((room) => roomCard(room, qrCache)) : [h('p', { class: 'board-empty' }, 'No sessions with a room yet.')]))
    }
    for (const left of grid.querySelectorAll<HTMLElement>('[data-ends-at]')) left.textContent = timeLeft(Number(left.dataset.endsAt) - now)
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
        h('div', {}, h('p', { class: 'board-label' }, 'Now'), h('p', { class: 'board-title' }, h('a', { href: `/s/${now.session.id}` }, now.session.title)), h('p', { class: 'board-left', 'data-ends-at': String(now.endsAt) })),
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

function timeLeft(ms: number): string {
  if (ms <= 0) return 'ending now'
  const minutes = Math.ceil(ms / 60_000)
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min left` : `${minutes} min left`
}
