/** Small modal dialogs built on `<dialog>`: the identity picker and the link editor. */
import type { SessionLinks } from '../../shared/api.ts'
import { h } from '../dom.ts'
import { palette, type Identity } from '../sync/presence.ts'

/** Asks for a name and colour; resolves with the choice, or `initial` if dismissed. */
export function askIdentity(initial: Identity, firstVisit: boolean): Promise<Identity> {
  const name = h('input', { name: 'name', required: true, maxlength: 60, value: initial.name, autocomplete: 'nickname' })
  const swatches = h(
    'fieldset',
    { class: 'swatches' },
    h('legend', {}, 'Colour'),
    ...palette.map((color, index) =>
      h(
        'label',
        { class: 'swatch', style: `--swatch: ${color}` },
        h('input', { type: 'radio', name: 'color', value: color, checked: color === initial.color || (index === 0 && !palette.includes(initial.color)) }),
        h('span', { class: 'visually-hidden' }, color),
      ),
    ),
  )
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': 'identity-heading' },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'identity-heading' }, firstVisit ? 'Welcome! Who is writing?' : 'Your name and colour'),
      h('p', { class: 'hint' }, 'Others see your name on your cursor and in the list of people in this pad.'),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Name'), name),
      swatches,
      h('div', { class: 'dialog-actions' }, h('button', { type: 'submit', class: 'primary', value: 'ok' }, firstVisit ? 'Start writing' : 'Save')),
    ),
  )
  document.body.append(dialog)
  dialog.showModal()
  name.select()
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      const form = dialog.querySelector('form')!
      const color = new FormData(form).get('color')
      const chosen = name.value.trim()
      dialog.remove()
      resolve({ ...initial, name: chosen ? chosen.slice(0, 60) : initial.name, color: typeof color === 'string' ? color : initial.color })
    })
  })
}

/** Asks for a link URL; resolves with it ('' removes the link) or null when cancelled. */
export function askLink(current: string | null): Promise<string | null> {
  const input = h('input', { name: 'href', type: 'text', value: current ?? '', placeholder: 'https://…', autocomplete: 'url' })
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': 'link-heading' },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'link-heading' }, current ? 'Edit link' : 'Add link'),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'URL (empty removes the link)'), input),
      h('div', { class: 'dialog-actions' }, h('button', { type: 'submit', value: 'cancel', formnovalidate: true }, 'Cancel'), h('button', { type: 'submit', class: 'primary', value: 'ok' }, 'Apply')),
    ),
  )
  document.body.append(dialog)
  dialog.showModal()
  input.select()
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve(dialog.returnValue === 'ok' ? input.value : null)
    })
  })
}

/** Shows a new session's three links once (their secrets are not stored anywhere else). */
export function showLinks(links: SessionLinks): Promise<void> {
  const row = (label: string, hint: string, path: string) => {
    const url = `${location.origin}${path}`
    const input = h('input', { type: 'text', readonly: true, value: url, 'aria-label': label })
    const copy = h('button', { type: 'button' }, 'Copy')
    copy.addEventListener('click', async () => {
      input.select()
      try {
        await navigator.clipboard.writeText(url)
        copy.textContent = 'Copied'
      } catch {
        copy.textContent = 'Select and copy'
      }
    })
    return h('div', { class: 'link-row' }, h('span', { class: 'field-label' }, label), h('span', { class: 'hint' }, hint), h('div', { class: 'link-copy' }, input, copy))
  }
  const dialog = h(
    'dialog',
    { class: 'dialog wide', 'aria-labelledby': 'links-heading' },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'links-heading' }, 'Your session is ready'),
      h('p', { class: 'hint' }, 'Save these links now: the keys in them are shown only this once.'),
      row('Moderator link', 'Full control: start, timer, agenda, lock, end. Keep it to yourself.', links.moderator),
      row('Attendee link', 'For the room: everyone with it can edit.', links.attendee),
      row('Projector link', 'Read-only, large type, for the wall.', links.projector),
      h('div', { class: 'dialog-actions' }, h('button', { type: 'submit', class: 'primary', value: 'ok' }, 'Open the pad')),
    ),
  )
  document.body.append(dialog)
  dialog.showModal()
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve()
    })
  })
}

/** Every shortcut of the pad page, as people read them (Ctrl is Cmd on a Mac). */
const shortcutList: [string, [string, string][]][] = [
  [
    'Editing',
    [
      ['Ctrl+B / Ctrl+I / Ctrl+`', 'Bold / italic / code'],
      ['Ctrl+Alt+0 … 3', 'Paragraph, heading 1 to 3'],
      ['Ctrl+Shift+8 / 9 / 7', 'Bullet list / numbered list / task list'],
      ['Ctrl+Alt+D / Ctrl+Alt+A', 'Decision / action item'],
      ['Tab / Shift+Tab', 'Indent / outdent a list item'],
      ['Ctrl+Z / Ctrl+Shift+Z', 'Undo / redo your own edits'],
    ],
  ],
  [
    'Moderator',
    [
      ['Alt+Shift+↓', 'Next agenda item (marks the current one done)'],
      ['Alt+Shift+↑', 'Previous agenda item'],
    ],
  ],
  ['This page', [['?', 'Show these shortcuts']]],
]

/** Shows the keyboard shortcuts; Escape or the button closes it, and focus returns where it was. */
export function showShortcuts(): void {
  if (document.querySelector('dialog.shortcuts')) return
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
  const close = h('button', { type: 'submit', class: 'primary', value: 'ok' }, 'Close')
  const dialog = h(
    'dialog',
    { class: 'dialog shortcuts', 'aria-labelledby': 'shortcuts-heading' },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'shortcuts-heading' }, 'Keyboard shortcuts'),
      ...shortcutList.flatMap(([group, rows]) => [
        h('h3', {}, group),
        h('dl', { class: 'shortcut-list' }, ...rows.flatMap(([keys, what]) => [h('dt', {}, h('kbd', {}, keys)), h('dd', {}, what)])),
      ]),
      h('div', { class: 'dialog-actions' }, close),
    ),
  )
  document.body.append(dialog)
  dialog.showModal()
  close.focus()
  dialog.addEventListener('close', () => {
    dialog.remove()
    opener?.focus()
  })
}

/** Opens the shortcuts with `?` unless the person is typing (in the pad or a field). */
export function listenForShortcutHelp(): void {
  document.addEventListener('keydown', (event) => {
    if (event.key !== '?' || event.ctrlKey || event.metaKey || event.altKey) return
    const target = event.target as HTMLElement | null
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return
    event.preventDefault()
    showShortcuts()
  })
}
