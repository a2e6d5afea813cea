/**
 * The pad page (`/s/<id>`): the session's header, the sync indicator, the formatting toolbar,
 * the collaborative editor, and the list of people in the pad.
 */
import { keymap } from 'prosemirror-keymap'
import type { EditorView } from 'prosemirror-view'
import type { Session } from '../../shared/api.ts'
import { api, ApiError } from '../api.ts'
import { h } from '../dom.ts'
import { createEditor } from '../editor/create-editor.ts'
import { createToolbar } from '../editor/toolbar.ts'
import { PadConnection, type ConnectionStatus } from '../sync/provider.ts'
import { loadIdentity, saveIdentity, suggestIdentity, toIdentity, type Identity } from '../sync/presence.ts'
import { askIdentity, askLink } from './dialogs.ts'
import { renderNotFound } from './not-found.ts'

export async function renderPad(root: HTMLElement, sessionId: string): Promise<void> {
  let session: Session
  try {
    session = await api.getSession(sessionId)
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      renderNotFound(root, `There is no session "${sessionId}". Check the link, or find it on the schedule.`)
    } else {
      renderNotFound(root, `The session could not be loaded: ${(error as Error).message}`)
    }
    return
  }
  document.title = `${session.title} · summitpad`

  const pad = new PadConnection(session.id)
  let identity: Identity = loadIdentity() ?? suggestIdentity()
  const awareness = pad.provider.awareness
  awareness.setLocalStateField('user', identity)

  let view: EditorView | null = null
  const toolbar = createToolbar(() => view, askLink)
  const indicator = h('div', { class: 'sync-indicator', role: 'status', 'aria-live': 'polite', 'data-state': 'connecting' }, 'Connecting…')
  const peopleList = h('ul', { class: 'people', 'aria-label': 'People in this pad' })
  const peopleCount = h('span', { class: 'people-count' }, '0')
  const youButton = h('button', { type: 'button', class: 'you', title: 'Change your name and colour' })
  const editorHost = h('div', { class: 'editor-host' }, h('p', { class: 'loading' }, 'Loading the pad…'))
  const shareButton = h('button', { type: 'button', class: 'share' }, 'Copy link')

  root.replaceChildren(
    h(
      'div',
      { class: 'pad-page' },
      h(
        'header',
        { class: 'pad-header' },
        h('a', { class: 'brand', href: '/', title: 'Back to the schedule' }, 'summitpad'),
        h(
          'div',
          { class: 'pad-title' },
          h('h1', {}, session.title),
          h('p', { class: 'session-meta' }, [session.track, session.room, session.moderator && `moderated by ${session.moderator}`, `${session.durationMinutes} min`].filter(Boolean).join(' · ')),
        ),
        indicator,
        youButton,
      ),
      toolbar.element,
      h(
        'div',
        { class: 'pad-body' },
        h('main', { class: 'pad-main' }, editorHost),
        h('aside', { class: 'pad-side', 'aria-label': 'Session' }, h('h2', {}, 'In this pad ', peopleCount), peopleList, h('h2', {}, 'Invite'), h('p', { class: 'hint' }, 'Everyone with this link can edit.'), shareButton),
      ),
    ),
  )

  const showIdentity = () => {
    youButton.replaceChildren(h('span', { class: 'dot', style: `background:${identity.color}` }), identity.name)
  }
  showIdentity()
  youButton.addEventListener('click', async () => {
    identity = await askIdentity(identity, false)
    saveIdentity(identity)
    awareness.setLocalStateField('user', identity)
    showIdentity()
  })
  shareButton.addEventListener('click', async () => {
    const link = `${location.origin}/s/${session.id}`
    try {
      await navigator.clipboard.writeText(link)
      shareButton.textContent = 'Link copied'
    } catch {
      shareButton.textContent = link
    }
    setTimeout(() => (shareButton.textContent = 'Copy link'), 2500)
  })

  const renderStatus = (status: ConnectionStatus) => {
    indicator.dataset.state = status.link
    indicator.dataset.saved = String(status.saved)
    indicator.textContent = describeStatus(status)
    if (status.refusal && view) view.setProps({ editable: () => false })
  }
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
    view = createEditor(editorHost, {
      fragment: pad.fragment,
      awareness,
      onChange: (v) => toolbar.update(v),
      extraPlugins: [keymap({ 'Mod-k': () => (void toolbar.editLink(), true) })],
    })
    editorHost.querySelector('.loading')?.remove()
    toolbar.update(view)
    renderStatus(pad.status)
  }
  if (pad.ready) mountEditor()
  else pad.once('ready', mountEditor)

  window.addEventListener('pagehide', () => {
    view?.destroy()
    pad.destroy()
  })

  if (!loadIdentity()) {
    identity = await askIdentity(identity, true)
    saveIdentity(identity)
    awareness.setLocalStateField('user', identity)
    showIdentity()
    editorHost.querySelector<HTMLElement>('.pad-editor')?.focus()
  }
}

function describeStatus(status: ConnectionStatus): string {
  switch (status.link) {
    case 'refused':
      return status.refusal ?? 'Refused by the server'
    case 'connecting':
      return 'Connecting…'
    case 'connected':
      return status.saved ? 'All changes saved' : 'Saving…'
    case 'reconnecting':
      return status.saved ? 'Reconnecting…' : 'Reconnecting… (your edits are kept in this browser)'
    case 'offline':
      return status.saved ? 'Offline' : 'Offline (your edits are kept in this browser)'
  }
}
