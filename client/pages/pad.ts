/**
 * The pad page (`/s/<id>`): the session header and bar (phase, countdown, current item, the
 * moderator's controls), the sync indicator, the formatting toolbar, the collaborative editor,
 * and the side bar (people, follow the moderator, chat, links, exports).
 */
import { keymap } from 'prosemirror-keymap'
import type { EditorView } from 'prosemirror-view'
import type { SessionLinks, SessionView } from '../../shared/api.ts'
import { canWrite, readOnlyReason } from '../../shared/roles.ts'
import { sessionPhase } from '../../shared/session-phase.ts'
import { api, ApiError } from '../api.ts'
import { forgetLinkKey, linkKey } from '../auth/link-key.ts'
import { h } from '../dom.ts'
import { zonedTime, zoneSwitch } from '../time-display.ts'
import { createEditor, refreshEditable, type EditorOptions } from '../editor/create-editor.ts'
import { createToolbar } from '../editor/toolbar.ts'
import { agendaSummary } from '../editor/agenda-summary.ts'
import { controlStateOf, type ControlState } from '../../shared/control-state.ts'
import { ControlConnection } from '../sync/control.ts'
import { loadIdentity, saveIdentity, suggestIdentity, toIdentity, type Identity } from '../sync/presence.ts'
import { outdatedMessage, PadConnection, type ConnectionStatus } from '../sync/provider.ts'
import { serverNow, syncServerClock } from '../sync/server-clock.ts'
import { createChatPanel } from './chat-panel.ts'
import { askIdentity, askLink, listenForShortcutHelp, showLinks, showShortcuts } from './dialogs.ts'
import { renderNotFound } from './not-found.ts'
import { createRestoreNotice } from './restore-notice.ts'
import { createSessionBar } from './session-bar.ts'
import { authorshipColors, setAuthorshipColors } from '../editor/plugins/authorship-colors.ts'
import { Authorship } from '../sync/authorship.ts'
import { followUpPanel } from './follow-up-panel.ts'
import { exportLinks } from './session-archive.ts'
import { PageSockets } from '../sync/reconnect.ts'
import { showUnsavedAfterSync } from './unsaved-panel.ts'

/** Loads the session as the holder of this browser's key for it; drops a key the server refuses. */
export async function loadSessionView(root: HTMLElement, sessionId: string): Promise<{ session: SessionView; key: string | null } | null> {
  let key = linkKey(sessionId)
  try {
    try {
      return { session: await api.getSession(sessionId, key), key }
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error
      forgetLinkKey(sessionId)
      key = null
      return { session: await api.getSession(sessionId), key }
    }
  } catch (error) {
    renderNotFound(
      root,
      error instanceof ApiError && error.status === 404
        ? `There is no session "${sessionId}". Check the link, or find it on the schedule.`
        : `The session could not be loaded: ${(error as Error).message}`,
    )
    return null
  }
}

export async function renderPad(root: HTMLElement, sessionId: string): Promise<void> {
  const loaded = await loadSessionView(root, sessionId)
  if (!loaded) return
  const { session, key } = loaded
  const role = session.role
  const isModerator = role === 'moderator'
  document.title = `${session.title} · summitpad`
  void syncServerClock()

  const pad = new PadConnection(session.id, key)
  const authorship = new Authorship(pad.ydoc)
  const control = new ControlConnection(session.id, key, controlStateOf(session))
  const remembered = loadIdentity()
  let identity: Identity = remembered ?? suggestIdentity()
  // Until the person picks a name, the suggestion is marked a placeholder: others see it on the
  // cursor, but the server never records it as a participant (issue 19 bug 1).
  let placeholder = remembered === null
  const awareness = pad.provider.awareness
  awareness.setLocalStateField('user', placeholder ? { ...identity, placeholder: true } : identity)

  let view: EditorView | null = null
  const writable = () => canWrite(role, 'pad', control.state) && !pad.status.refusal && !pad.status.outdated
  const editorOptions: EditorOptions = {
    fragment: pad.fragment,
    awareness,
    editable: writable,
    onChange: (v) => {
      toolbar.update(v)
      bar.update(control.state)
      followIfWanted()
    },
    extraPlugins: [keymap({ 'Mod-k': () => (void toolbar.editLink(), true) }), authorshipColors(authorship, pad.fragment, localStorage.getItem('summitpad.authors') === 'true')],
    agenda: {
      isModerator: () => isModerator,
      setCurrent: (itemId) => void act('current', { itemId }).catch((error: unknown) => alert((error as Error).message)),
    },
  }

  const act = async (action: Parameters<typeof api.act>[1], body?: Parameters<typeof api.act>[3]) => {
    if (!key) throw new Error('You need the moderator link for this.')
    await api.act(session.id, action, key, body)
  }

  const toolbar = createToolbar(() => view, askLink)
  const bar = createSessionBar({
    isModerator,
    act,
    agenda: () => (view ? agendaSummary(view.state.doc) : null),
    slot: { scheduledStart: session.scheduledStart ? Date.parse(session.scheduledStart) : null, durationMinutes: session.durationMinutes },
    historyHref: `/s/${session.id}/history`,
  })
  const indicator = h('div', { class: 'sync-indicator', role: 'status', 'aria-live': 'polite', 'data-state': 'connecting' }, 'Connecting…')
  const banner = h('div', { class: 'banner', role: 'status', hidden: true })
  const restoreNotice = createRestoreNotice({
    sessionId: session.id,
    control,
    canUndo: () => isModerator && key !== null && control.state.state !== 'ended',
    undo: async (rev, undoes) => void (await api.restore(session.id, rev, key!, { by: identity.name.slice(0, 80), undoes })),
  })
  const peopleList = h('ul', { class: 'people', 'aria-label': 'People in this pad' })
  const peopleCount = h('span', { class: 'people-count' }, '0')
  const youButton = h('button', { type: 'button', class: 'you', title: 'Change your name and colour' })
  const editorHost = h('div', { class: 'editor-host' }, h('p', { class: 'loading' }, 'Loading the pad…'))
  const chat = createChatPanel({ sessionId: session.id, token: key, role, control, author: () => identity })
  const follow = h('input', { type: 'checkbox', id: 'follow' })
  follow.checked = !isModerator && localStorage.getItem('summitpad.follow') === 'true'
  const authorsToggle = h('button', { type: 'button', class: 'authors-toggle', 'aria-pressed': String(localStorage.getItem('summitpad.authors') === 'true') }, 'Show who wrote what')
  authorsToggle.addEventListener('click', () => {
    const on = authorsToggle.getAttribute('aria-pressed') !== 'true'
    authorsToggle.setAttribute('aria-pressed', String(on))
    localStorage.setItem('summitpad.authors', String(on))
    if (view) setAuthorshipColors(view, on)
  })
  follow.addEventListener('change', () => {
    localStorage.setItem('summitpad.follow', String(follow.checked))
    lastFollowed = null
    followIfWanted()
  })

  // On a phone the pad, the chat and the rest (people, links, exports) are three tabs, so the
  // chat is one tap away instead of 1,380 px down; on wider screens the tabs are not shown.
  const phoneTabs = h('nav', { class: 'phone-tabs', 'aria-label': 'Pad, chat, and more: people, history, links, exports' })
  const showTab = (tab: 'pad' | 'chat' | 'more') => {
    root.querySelector<HTMLElement>('.pad-page')!.dataset.tab = tab
    for (const button of phoneTabs.querySelectorAll('button')) button.setAttribute('aria-pressed', String(button.dataset.tab === tab))
    window.scrollTo({ top: 0 })
  }
  for (const [tab, label] of [['pad', 'Pad'], ['chat', 'Chat'], ['more', 'More']] as const) {
    const button = h('button', { type: 'button', 'data-tab': tab, 'aria-pressed': String(tab === 'pad') }, label)
    button.addEventListener('click', () => showTab(tab))
    phoneTabs.append(button)
  }

  const shortcutsButton = h('button', { type: 'button', class: 'shortcuts-button', 'aria-keyshortcuts': '?' }, 'Keyboard shortcuts')
  shortcutsButton.addEventListener('click', () => showShortcuts())
  listenForShortcutHelp()
  root.replaceChildren(
    h(
      'div',
      { class: 'pad-page', 'data-tab': 'pad' },
      h(
        'header',
        { class: 'pad-header' },
        h('a', { class: 'brand', href: '/', title: 'Back to the schedule' }, 'summitpad'),
        h(
          'div',
          { class: 'pad-title' },
          h('h1', {}, session.title),
          h('p', { class: 'session-meta' }, session.scheduledStart ? zonedTime(session.scheduledStart, session.timeZone, { date: true }) : null, session.scheduledStart ? ' · ' : null, [session.track, session.room, session.moderator && `moderated by ${session.moderator}`, roleLabel(role)].filter(Boolean).join(' · ')),
        ),
        indicator,
        youButton,
        shortcutsButton,
      ),
      // On a phone this block stays at the top while the person types: the phase, countdown and
      // current item, the lock and wrap-up banner, and the toolbar (issue 19, phone mode).
      h('div', { class: 'pad-top' }, bar.element, banner, toolbar.element),
      restoreNotice.element,
      h(
        'div',
        { class: 'pad-body' },
        h('main', { class: 'pad-main' }, editorHost),
        h(
          'aside',
          { class: 'pad-side', 'aria-label': 'Session' },
          h('div', { class: 'side-more' }, h('h2', {}, 'In this pad ', peopleCount), peopleList, authorsToggle, h('p', {}, h('a', { href: `/s/${session.id}/history` }, 'History: replay how the pad grew')), zoneSwitch(session.timeZone)),
          isModerator ? null : h('label', { class: 'follow', for: 'follow' }, follow, ' Follow the moderator'),
          chat.element,
          h('div', { class: 'side-more' }, h('h2', {}, 'Links'), linksPanel(session, isModerator ? key : null), h('h2', {}, 'Follow-up'), followUpPanel(session, isModerator ? key : null), h('h2', {}, 'Export'), exportLinks(session.id)),
        ),
      ),
      phoneTabs,
    ),
  )

  showUnsavedAfterSync(banner, pad)

  const showIdentity = () => youButton.replaceChildren(h('span', { class: 'dot', style: `background:${identity.color}` }), identity.name)
  showIdentity()
  youButton.addEventListener('click', async () => {
    identity = await askIdentity(identity, false)
    saveIdentity(identity)
    placeholder = false
    awareness.setLocalStateField('user', identity)
    showIdentity()
    claimAuthorship()
  })

  let lastFollowed: string | null = null
  const followIfWanted = () => {
    if (!follow.checked || !view) return
    const current = view.dom.querySelector<HTMLElement>('.agenda-item[data-status="now"]')
    const id = current?.dataset.id ?? null
    if (!current || id === lastFollowed) return
    lastFollowed = id
    current.scrollIntoView({ block: 'center', behavior: 'smooth' })
  }

  // The pad's own link, and the control and chat sockets beside it: any of them down shows
  // "Reconnecting…" (each retries by itself, see retryWithJitter).
  const sockets = new PageSockets()
  sockets.add('control', control.provider)
  sockets.add('chat', chat.connection.provider)
  sockets.on('change', () => renderStatus(pad.status))
  const renderStatus = (padStatus: ConnectionStatus) => {
    const status = withSideSockets(padStatus, sockets.down)
    indicator.dataset.state = status.link
    indicator.dataset.saved = String(status.saved)
    indicator.textContent = describeStatus(status)
    applyControl(control.state)
  }

  // Authorship is written into the pad, so only by someone who may write it, and only once the
  // server's copy is in (so this person's entry is not created twice).
  const claimAuthorship = () => {
    if (!placeholder && pad.provider.synced && canWrite(role, 'pad', control.state)) authorship.claim(identity)
  }
  pad.provider.on('sync', (synced: boolean) => {
    if (synced) claimAuthorship()
  })
  claimAuthorship()

  let wasWritable: boolean | null = null
  const applyControl = (state: ControlState) => {
    const reason = pad.status.outdated ? `${outdatedMessage}. What you typed is kept in this browser and is saved after the reload.` : (pad.status.refusal ?? readOnlyReason(role, state))
    const phase = sessionPhase(state.state, state.endsAt, serverNow(), { scheduledStart: session.scheduledStart ? Date.parse(session.scheduledStart) : null, durationMinutes: session.durationMinutes })
    const wrapUp = phase === 'wrap-up' ? 'Last minutes: capture the decisions and action items.' : null
    const setAside = state.quarantinedUpdates ?? 0
    const quarantine =
      isModerator && setAside > 0
        ? `${setAside} stored ${setAside === 1 ? 'edit' : 'edits'} could not be loaded and ${setAside === 1 ? 'was' : 'were'} set aside for the server operator; the pad shows everything else.`
        : null
    const text = [reason, wrapUp, quarantine].filter(Boolean).join(' ')
    banner.hidden = !text
    banner.textContent = text
    if (state.state === 'ended') banner.append(' ', h('a', { href: `/s/${session.id}/archive` }, 'See the archive: outcomes and exports'))
    if (pad.status.outdated) banner.append(' ', reloadButton())
    banner.dataset.kind = reason ? 'read-only' : 'wrap-up'
    bar.update(state)
    const nowWritable = writable()
    if (view && nowWritable !== wasWritable) {
      refreshEditable(view, editorOptions)
      toolbar.update(view)
    }
    wasWritable = nowWritable
    if (nowWritable) claimAuthorship()
    followIfWanted()
  }
  control.on('change', applyControl)
  setInterval(() => applyControl(control.state), 5000)
  pad.on('status', renderStatus)
  renderStatus(pad.status)

  const renderPeople = () => {
    const states = [...awareness.getStates()].flatMap(([clientId, state]) => {
      const person = toIdentity((state as { user?: unknown }).user)
      return person ? [{ clientId, ...person }] : []
    })
    states.sort((a, b) => Number(b.clientId === awareness.clientID) - Number(a.clientId === awareness.clientID) || a.name.localeCompare(b.name))
    peopleCount.textContent = `(${states.length})`
    peopleList.replaceChildren(
      ...states.map((person) =>
        h('li', { class: 'person' }, h('span', { class: 'dot', style: `background:${person.color}` }), person.name, person.clientId === awareness.clientID ? h('span', { class: 'hint' }, ' (you)') : null),
      ),
    )
  }
  awareness.on('change', renderPeople)
  renderPeople()


  const mountEditor = () => {
    view = createEditor(editorHost, editorOptions)
    editorHost.querySelector('.loading')?.remove()
    toolbar.update(view)
    wasWritable = writable()
    applyControl(control.state)
  }
  if (pad.ready) mountEditor()
  else pad.once('ready', mountEditor)

  window.addEventListener('pagehide', () => {
    view?.destroy()
    restoreNotice.destroy()
    pad.destroy()
    chat.destroy()
    control.destroy()
  })

  const newLinks = sessionStorage.getItem(`summitpad.links.${session.id}`)
  if (newLinks) {
    sessionStorage.removeItem(`summitpad.links.${session.id}`)
    await showLinks(JSON.parse(newLinks) as SessionLinks)
  }
  if (!loadIdentity()) {
    identity = await askIdentity(identity, true)
    saveIdentity(identity)
    placeholder = false
    awareness.setLocalStateField('user', identity)
    showIdentity()
    claimAuthorship()
    editorHost.querySelector<HTMLElement>('.pad-editor')?.focus()
  }
}

/** The banner's Reload button, shown when summitpad was updated under this page. */
function reloadButton(): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'reload' }, 'Reload')
  button.addEventListener('click', () => location.reload())
  return button
}

function roleLabel(role: SessionView['role']): string {
  return role === 'moderator' ? 'you moderate' : role === 'viewer' ? 'read-only' : ''
}

function copyButton(label: string, value: string): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'copy' }, label)
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value)
      button.textContent = 'Copied'
    } catch {
      prompt('Copy this link:', value)
    }
    setTimeout(() => (button.textContent = label), 2000)
  })
  return button
}

function linksPanel(session: SessionView, moderatorKey: string | null): HTMLElement {
  const origin = location.origin
  const attendee = session.access === 'open' ? `${origin}/s/${session.id}` : null
  return h(
    'div',
    { class: 'links' },
    attendee ? h('p', { class: 'hint' }, 'Everyone with this link can edit.') : h('p', { class: 'hint' }, 'Editing needs the attendee key from the moderator.'),
    attendee ? copyButton('Copy attendee link', attendee) : null,
    h('p', {}, h('a', { href: `/s/${session.id}/projector`, target: '_blank', rel: 'noopener' }, 'Open the projector view')),
    moderatorKey ? h('p', { class: 'hint' }, 'Your moderator link gives full control: keep it to yourself.') : null,
    moderatorKey ? copyButton('Copy moderator link', `${origin}/s/${session.id}#key=${moderatorKey}`) : null,
  )
}

/** The pad's status, as "reconnecting" while it is connected but a socket beside it (`down`) is not. */
function withSideSockets(status: ConnectionStatus, down: string[]): ConnectionStatus {
  if (status.link !== 'connected' || down.length === 0) return status
  return { ...status, link: 'reconnecting', notice: status.notice ?? `${down.join(' and ')} connection lost` }
}

function describeStatus(status: ConnectionStatus): string {
  switch (status.link) {
    case 'refused':
      return status.refusal ?? 'Refused by the server'
    case 'connecting':
      return 'Connecting…'
    case 'connected':
      return status.saved ? 'All changes saved' : 'Saving…'
    case 'reconnecting': {
      const why = status.notice ? ` (${status.notice})` : ''
      return status.saved ? `Reconnecting…${why}` : `Reconnecting…${why} Your edits are kept in this browser.`
    }
    case 'offline':
      return status.saved ? 'Offline' : 'Offline (your edits are kept in this browser)'
  }
}
