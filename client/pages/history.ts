/**
 * The history page (`/s/<id>/history`): a slider over every saved revision of the pad, play /
 * pause to replay how it grew, step back and forward, the pad as it was at the chosen revision
 * with what changed since the previous one (added text tinted with its author's colour, removed
 * text struck through), the revision's authors, exports of that revision, and for the moderator
 * a restore that becomes a new edit on top. `?rev=N` links to a revision.
 */
import type { EditorView } from 'prosemirror-view'
import { ySyncPluginKey } from 'y-prosemirror'
import * as Y from 'yjs'
import { api, type RevisionInfo } from '../api.ts'
import { h } from '../dom.ts'
import { createViewer } from '../editor/create-viewer.ts'
import { loadIdentity } from '../sync/presence.ts'
import { PadConnection } from '../sync/provider.ts'
import { loadSessionView } from './pad.ts'
import { siteHeader } from './site-header.ts'
import { loadEventZone, timeText } from '../time-display.ts'
const reasonLabel: Record<string, string> = {
  quiet: 'edits',
  interval: 'edits',
  start: 'session started',
  end: 'session ended',
  restore: 'restored',
  seed: 'prepared content',
  'before-delete': 'before a large deletion',
  'before restore': 'saved before a restore',
}

function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0))
}

export async function renderHistory(root: HTMLElement, sessionId: string): Promise<void> {
  const loaded = await loadSessionView(root, sessionId)
  if (!loaded) return
  const { session, key } = loaded
  document.title = `${session.title} · history · summitpad`
  await loadEventZone()

  const pad = new PadConnection(session.id, null)
  pad.provider.awareness.setLocalState(null)
  const pud = new Y.PermanentUserData(pad.ydoc)
  const colorMapping = new Map<string, { light: string; dark: string }>()

  const slider = h('input', { type: 'range', min: 1, max: 1, value: 1, step: 1, 'aria-label': 'Revision', class: 'history-slider' })
  const label = h('p', { class: 'history-label', 'aria-live': 'polite' })
  const authors = h('ul', { class: 'people history-authors', 'aria-label': 'Authors of this revision' })
  const back = h('button', { type: 'button', title: 'Previous revision' }, '◀ Back')
  const play = h('button', { type: 'button', class: 'primary', 'aria-pressed': 'false' }, 'Play')
  const forward = h('button', { type: 'button', title: 'Next revision' }, 'Forward ▶')
  const exports = h('div', { class: 'export-links', role: 'group', 'aria-label': 'Export this revision' })
  const restore = h('button', { type: 'button', class: 'restore', hidden: session.role !== 'moderator' || session.state === 'ended' }, 'Restore this revision')
  const message = h('p', { class: 'hint', role: 'status' })
  const host = h('div', { class: 'history-pad' })

  root.replaceChildren(
    h(
      'div',
      { class: 'archive-page' },
      siteHeader('archive'),
      h(
        'main',
        { class: 'archive-main history-main' },
        h('p', { class: 'hint' }, h('a', { href: `/s/${session.id}` }, 'Back to the pad')),
        h('h1', {}, `History: ${session.title}`),
        h('div', { class: 'history-controls' }, back, play, forward, slider),
        label,
        h('div', { class: 'archive-columns' }, h('article', { class: 'pad-main archive-pad', 'aria-label': 'The pad at this revision' }, host), h('aside', { class: 'archive-side' }, h('h2', {}, 'Authors of this revision'), authors, h('h2', {}, 'Export this revision'), exports, restore, message)),
      ),
    ),
  )

  let revisions: RevisionInfo[] = []
  let current = 1
  let view: EditorView | null = null
  let timer: ReturnType<typeof setInterval> | null = null

  const show = (rev: number) => {
    if (revisions.length === 0 || !view) return
    current = Math.min(Math.max(rev, 1), revisions.length)
    const revision = revisions[current - 1]!
    slider.value = String(current)
    label.textContent = `Revision ${current} of ${revisions.length} · ${timeText(revision.createdAt, session.timeZone, { date: true, seconds: true })} · ${reasonLabel[revision.reason] ?? revision.reason}`
    authors.replaceChildren(...(revision.authors.length ? revision.authors.map((author) => h('li', { class: 'person' }, h('span', { class: 'dot', style: `background:${author.color}` }), author.name)) : [h('li', { class: 'hint' }, 'No new text')]))
    exports.replaceChildren(
      ...(['md', 'html', 'txt', 'json'] as const).map((format) => h('a', { class: 'button-link', href: `/api/sessions/${session.id}/export?format=${format}&rev=${current}`, download: '' }, format.toUpperCase())),
    )
    const snapshot = Y.decodeSnapshot(decodeBase64(revision.snapshot))
    const previous = current > 1 ? Y.decodeSnapshot(decodeBase64(revisions[current - 2]!.snapshot)) : Y.emptySnapshot
    view.dispatch(view.state.tr.setMeta(ySyncPluginKey, { snapshot, prevSnapshot: previous }))
    const url = new URL(location.href)
    url.searchParams.set('rev', String(current))
    history.replaceState(null, '', url)
    back.disabled = current <= 1
    forward.disabled = current >= revisions.length
  }

  const stop = () => {
    if (timer) clearInterval(timer)
    timer = null
    play.textContent = 'Play'
    play.setAttribute('aria-pressed', 'false')
  }
  play.addEventListener('click', () => {
    if (timer) return stop()
    if (current >= revisions.length) show(1)
    play.textContent = 'Pause'
    play.setAttribute('aria-pressed', 'true')
    timer = setInterval(() => (current >= revisions.length ? stop() : show(current + 1)), 900)
  })
  back.addEventListener('click', () => show(current - 1))
  forward.addEventListener('click', () => show(current + 1))
  slider.addEventListener('input', () => show(Number(slider.value)))
  const by = () => (loadIdentity()?.name ?? '').slice(0, 80)
  restore.addEventListener('click', async () => {
    if (!key || !confirm(`Restore revision ${current}?\n\nThe pad changes for everyone in it to this revision's text (the agenda keeps its Done and Now marks). It becomes a new edit on top: later revisions stay in the history, and “Undo restore” brings the pad back.`)) return
    try {
      const notice = await api.restore(session.id, current, key, { by: by() })
      await load()
      show(notice.rev)
      // One click undoes it: restore the revision that holds the pad as it was just before.
      const undo = h('button', { type: 'button', class: 'restore-undo' }, 'Undo restore')
      undo.addEventListener('click', async () => {
        undo.disabled = true
        try {
          const undone = await api.restore(session.id, notice.before, key, { by: by(), undoes: notice.rev })
          await load()
          show(undone.rev)
          message.textContent = `Undone: the pad is back as it was before the restore (saved as revision ${undone.rev}).`
        } catch (error) {
          undo.disabled = false
          message.textContent = (error as Error).message
        }
      })
      message.replaceChildren(`Restored as revision ${notice.rev}. Every open pad says so. `, undo)
    } catch (error) {
      message.textContent = (error as Error).message
    }
  })

  const load = async () => {
    revisions = await api.listRevisions(session.id)
    for (const revision of revisions) for (const author of revision.authors) colorMapping.set(author.id, { light: `${author.color}40`, dark: author.color })
    slider.max = String(Math.max(revisions.length, 1))
    slider.disabled = revisions.length < 2
  }

  const mount = async () => {
    await load()
    view = createViewer(host, { fragment: pad.fragment, syncOptions: { permanentUserData: pud, colorMapping }, className: 'history-editor' })
    if (revisions.length === 0) {
      label.textContent = 'No revision saved yet: revisions are saved a few seconds after people stop typing.'
      for (const button of [back, play, forward]) button.disabled = true
      return
    }
    const requested = Number(new URLSearchParams(location.search).get('rev'))
    show(Number.isInteger(requested) && requested >= 1 ? requested : revisions.length)
  }
  // The revisions are rebuilt from the full doc, so wait for the server's copy.
  if (pad.provider.synced) void mount()
  else pad.provider.once('sync', () => void mount())

  window.addEventListener('pagehide', () => {
    stop()
    view?.destroy()
    pad.destroy()
  })
}
