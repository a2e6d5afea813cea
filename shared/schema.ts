/**
 * The one ProseMirror schema of a summitpad pad. The browser editor, the server's template
 * seeding and (later) the exporters all work over documents of this schema, so a node or mark
 * added here is understood everywhere.
 *
 * Nodes: paragraph, heading (levels 1-3), bullet_list, ordered_list, list_item, task_list,
 * task_item (with a `checked` attribute), agenda_list and agenda_item (structured agenda: id,
 * owner, timebox, status), decision and action_item (the typed outcome blocks), hard_break.
 * Marks: strong, em, code, link.
 */
import { Schema, type DOMOutputSpec } from 'prosemirror-model'

const pDOM: DOMOutputSpec = ['p', 0]

/** The states of an agenda item. */
export const agendaStatuses = ['pending', 'now', 'done', 'parked'] as const
export type AgendaStatus = (typeof agendaStatuses)[number]

const str = (dom: HTMLElement | string, name: string) => (typeof dom === 'string' ? null : dom.getAttribute(name))

export const schema = new Schema({
  nodes: {
    doc: { content: 'block+' },
    paragraph: {
      content: 'inline*',
      group: 'block',
      parseDOM: [{ tag: 'p' }],
      toDOM: () => pDOM,
    },
    heading: {
      attrs: { level: { default: 1, validate: 'number' } },
      content: 'inline*',
      group: 'block',
      defining: true,
      parseDOM: [1, 2, 3].map((level) => ({ tag: `h${level}`, attrs: { level } })),
      toDOM: (node) => [`h${node.attrs.level as number}`, 0],
    },
    bullet_list: {
      content: 'list_item+',
      group: 'block',
      parseDOM: [{ tag: 'ul:not([data-type=tasks])' }],
      toDOM: () => ['ul', 0],
    },
    ordered_list: {
      attrs: { order: { default: 1, validate: 'number' } },
      content: 'list_item+',
      group: 'block',
      parseDOM: [
        {
          tag: 'ol',
          getAttrs: (dom) => ({ order: Number((dom as HTMLElement).getAttribute('start') ?? 1) || 1 }),
        },
      ],
      toDOM: (node) => (node.attrs.order === 1 ? ['ol', 0] : ['ol', { start: node.attrs.order as number }, 0]),
    },
    list_item: {
      content: 'paragraph block*',
      defining: true,
      parseDOM: [{ tag: 'ul:not([data-type=tasks]) > li, ol > li' }],
      toDOM: () => ['li', 0],
    },
    task_list: {
      content: 'task_item+',
      group: 'block',
      parseDOM: [{ tag: 'ul[data-type=tasks]', priority: 60 }],
      toDOM: () => ['ul', { 'data-type': 'tasks', class: 'task-list' }, 0],
    },
    task_item: {
      attrs: { checked: { default: false, validate: 'boolean' } },
      content: 'paragraph block*',
      defining: true,
      parseDOM: [
        {
          tag: 'ul[data-type=tasks] > li',
          priority: 60,
          getAttrs: (dom) => ({ checked: (dom as HTMLElement).getAttribute('data-checked') === 'true' }),
        },
      ],
      toDOM: (node) => [
        'li',
        { 'data-checked': String(node.attrs.checked), class: 'task-item' },
        0,
      ],
    },
    agenda_list: {
      content: 'agenda_item+',
      group: 'block',
      parseDOM: [{ tag: 'ol[data-type=agenda]', priority: 60 }],
      toDOM: () => ['ol', { 'data-type': 'agenda', class: 'agenda-list' }, 0],
    },
    agenda_item: {
      attrs: {
        /** Stable id the moderator's "current item" refers to; assigned by the editor. */
        id: { default: null },
        owner: { default: '' },
        /** Minutes planned for the item; 0 for none. */
        timebox: { default: 0 },
        status: { default: 'pending' },
      },
      content: 'paragraph block*',
      defining: true,
      parseDOM: [
        {
          tag: 'ol[data-type=agenda] > li',
          priority: 60,
          getAttrs: (dom) => ({
            id: str(dom, 'data-id'),
            owner: str(dom, 'data-owner') ?? '',
            timebox: Number(str(dom, 'data-timebox') ?? 0) || 0,
            status: agendaStatuses.find((status) => status === str(dom, 'data-status')) ?? 'pending',
          }),
        },
      ],
      toDOM: (node) => [
        'li',
        {
          class: 'agenda-item',
          'data-id': node.attrs.id as string | null,
          'data-owner': node.attrs.owner as string,
          'data-timebox': String(node.attrs.timebox),
          'data-status': node.attrs.status as string,
        },
        0,
      ],
    },
    decision: {
      content: 'inline*',
      group: 'block',
      defining: true,
      parseDOM: [{ tag: 'div[data-type=decision]', priority: 60 }],
      toDOM: () => ['div', { 'data-type': 'decision', class: 'decision' }, 0],
    },
    action_item: {
      attrs: { done: { default: false, validate: 'boolean' } },
      content: 'inline*',
      group: 'block',
      defining: true,
      parseDOM: [
        {
          tag: 'div[data-type=action]',
          priority: 60,
          getAttrs: (dom) => ({ done: str(dom, 'data-done') === 'true' }),
        },
      ],
      toDOM: (node) => ['div', { 'data-type': 'action', class: 'action-item', 'data-done': String(node.attrs.done) }, 0],
    },
    text: { group: 'inline' },
    hard_break: {
      inline: true,
      group: 'inline',
      selectable: false,
      parseDOM: [{ tag: 'br' }],
      toDOM: () => ['br'],
    },
  },
  marks: {
    link: {
      attrs: { href: { validate: 'string' }, title: { default: null } },
      inclusive: false,
      parseDOM: [
        {
          tag: 'a[href]',
          getAttrs: (dom) => ({
            href: (dom as HTMLElement).getAttribute('href'),
            title: (dom as HTMLElement).getAttribute('title'),
          }),
        },
      ],
      toDOM: (mark) => [
        'a',
        { href: safeHref(mark.attrs.href as string), title: mark.attrs.title as string | null, rel: 'noopener noreferrer nofollow', target: '_blank' },
        0,
      ],
    },
    em: {
      parseDOM: [{ tag: 'i' }, { tag: 'em' }, { style: 'font-style=italic' }],
      toDOM: () => ['em', 0],
    },
    strong: {
      parseDOM: [{ tag: 'strong' }, { tag: 'b' }, { style: 'font-weight=bold' }],
      toDOM: () => ['strong', 0],
    },
    /**
     * Set only while the history page renders a revision (y-prosemirror's snapshot rendering):
     * text added or removed since the previous revision, with its author's colour. Never stored.
     */
    ychange: {
      attrs: { user: { default: null }, type: { default: 'added' }, color: { default: null } },
      inclusive: false,
      excludes: '',
      parseDOM: [],
      toDOM: (mark) => {
        const color = mark.attrs.color as { light?: string } | null
        const type = mark.attrs.type === 'removed' ? 'removed' : 'added'
        return [type === 'removed' ? 'del' : 'ins', { class: `ychange ychange-${type}`, 'data-user': String(mark.attrs.user ?? ''), style: color?.light && /^#[0-9a-f]{6,8}$/i.test(color.light) ? `background-color: ${color.light}` : '' }, 0]
      },
    },
    code: {
      excludes: '_',
      parseDOM: [{ tag: 'code' }],
      toDOM: () => ['code', 0],
    },
  },
})

/**
 * Returns `href` when it is a link a pad may render (http, https, mailto, or relative), else `#`.
 * Link marks arrive from any peer, so a `javascript:` URL must never reach the DOM.
 */
export function safeHref(href: string): string {
  // Browsers drop ASCII control characters and whitespace inside a URL's scheme
  // ("java\tscript:" is javascript:), so judge and return the URL without them.
  // eslint-disable-next-line no-control-regex -- reason: stripping control characters is the point
  const cleaned = href.replace(/[\u0000-\u0020\u007f]+/g, '')
  if (/^(https?:|mailto:)/i.test(cleaned)) return cleaned
  if (/^[a-z][a-z0-9+.-]*:/i.test(cleaned) || /^[^/?#]*:/.test(cleaned)) return '#'
  return cleaned
}

/** The name of the `Y.XmlFragment` in a pad's Y.Doc that holds the ProseMirror document. */
export const padFragmentName = 'prosemirror'

/**
 * The version of `schema` a client edits with, sent as the `schema` query parameter of its pad
 * WebSocket. Raise it whenever a node, mark or attribute is added, removed or changed: a page
 * still running an older version may then read the pad but not write it (it would delete what it
 * does not know), and is told to reload.
 */
export const SCHEMA_VERSION = 1
