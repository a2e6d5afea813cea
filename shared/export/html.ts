/**
 * HTML export of a session: one standalone, printable page (styles inline, no scripts, no
 * external resources). Built as a string, not through the DOM, so it runs on the server too.
 *
 * Security: every text and attribute value from the pad or the metadata goes through
 * {@link escapeHtml}; link targets go through `safeHref` (after removing the tab, newline and
 * other control characters a browser would drop before reading the scheme) and carry
 * `rel="noopener noreferrer nofollow"`. A Content-Security-Policy meta tag forbids scripts and
 * remote loads as a second line of defence.
 */
import type { Mark, Node as PMNode } from 'prosemirror-model'
import type { ActionOutcome, Outcomes } from '../outcomes.ts'
import { agendaStatuses, schema } from '../schema.ts'
import { linkTarget } from './link-target.ts'
import { padNode, skippedNote } from './pad-node.ts'
import type { PMJSON } from '../template.ts'
import { metaFields, participantNames, type ExportMeta } from './meta.ts'

/** `text` with `&`, `<`, `>`, `"` and `'` replaced by character references; safe in text and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/**
 * The session as an HTML5 page: the title, the metadata fields that are set (see `metaFields`;
 * participants get their own section), the pad, an Outcomes section (`outcomes.decisions` as a
 * numbered list, `outcomes.actions` as a table of action, owner, due date and status), and the
 * participants. Styled by an inline `<style>` with `@media print` rules. Content the schema does
 * not have is left out, with a note after the pad saying what (pad-node.ts); never throws.
 */
export function exportHtml(doc: PMJSON, meta: ExportMeta, outcomes: Outcomes): string {
  const { node: pad, notes } = padNode(doc)
  const note = skippedNote(notes)
  const title = escapeHtml(meta.title.trim() || 'Untitled session')
  const fields = metaFields(meta).filter((field) => field.label !== 'Participants')
  const participants = participantNames(meta)
  const metaBlock = fields.length
    ? `<dl class="meta">\n${fields.map(({ label, value }) => `<div><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`).join('\n')}\n</dl>\n`
    : ''
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${style}</style>
</head>
<body>
<article>
<header>
<h1>${title}</h1>
${metaBlock}</header>
<section class="pad">
${renderBlocks(pad)}${note ? `\n<p class="note">${escapeHtml(note)}</p>` : ''}
</section>
<section class="outcomes">
<h2>Outcomes</h2>
<h3>Decisions</h3>
${renderDecisions(outcomes.decisions)}
<h3>Action items</h3>
${renderActions(outcomes.actions)}
</section>
<section class="participants">
<h2>Participants</h2>
${participants.length ? `<ul>\n${participants.map((name) => `<li>${escapeHtml(name)}</li>`).join('\n')}\n</ul>` : '<p class="none">No participants recorded.</p>'}
</section>
</article>
</body>
</html>
`
}

const style = `
:root { color-scheme: light; --ink: #1d2125; --muted: #5c6670; --rule: #d9dee3; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
article { max-width: 46rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .75rem; }
h2 { font-size: 1.35rem; margin: 1.75rem 0 .5rem; padding-bottom: .2rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.1rem; margin: 1.25rem 0 .4rem; }
p { margin: .5rem 0; }
ul, ol { padding-left: 1.6rem; }
li > p { margin: .15rem 0; }
a { color: var(--accent); }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f2f4f6; padding: .05em .3em; border-radius: 3px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 1.5rem; color: var(--muted); }
.meta div { display: contents; }
.meta dt { font-weight: 600; }
.meta dd { margin: 0; }
.tasks { list-style: none; padding-left: .4rem; }
.box { display: inline-block; width: 1.3em; }
.task.done > p:first-child, .action.done { color: var(--muted); }
.agenda-meta { color: var(--muted); font-size: .9em; margin-left: .4em; }
.agenda-item.status-now { font-weight: 600; }
.decision, .action { border-left: 3px solid var(--accent); padding: .2rem .6rem; background: #f5f8fb; }
.label { font-weight: 700; }
.outcomes table { width: 100%; border-collapse: collapse; }
.outcomes th, .outcomes td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--rule); }
.none { color: var(--muted); font-style: italic; }
@media print {
  @page { margin: 1.6cm; }
  body { font-size: 11pt; color: #000; }
  article { max-width: none; padding: 0; }
  a { color: inherit; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .85em; color: #444; }
  h1, h2, h3 { break-after: avoid; }
  li, tr, .decision, .action { break-inside: avoid; }
  .decision, .action { background: none; }
  section.outcomes { break-before: page; }
}
`

function renderBlocks(parent: PMNode): string {
  const parts: string[] = []
  parent.forEach((child) => parts.push(renderBlock(child)))
  return parts.join('\n')
}

function renderBlock(node: PMNode): string {
  switch (node.type.name) {
    case 'paragraph':
      return `<p>${renderInline(node)}</p>`
    case 'heading': {
      const level = Math.min(3, Math.max(1, Number(node.attrs.level) || 1))
      return `<h${level}>${renderInline(node)}</h${level}>`
    }
    case 'bullet_list':
      return `<ul>\n${renderItems(node)}\n</ul>`
    case 'ordered_list': {
      const order = Number(node.attrs.order ?? 1)
      return `<ol${order === 1 ? '' : ` start="${escapeHtml(String(order))}"`}>\n${renderItems(node)}\n</ol>`
    }
    case 'task_list':
      return `<ul class="tasks">\n${renderItems(node)}\n</ul>`
    case 'agenda_list':
      return `<ol class="agenda">\n${renderItems(node)}\n</ol>`
    case 'decision':
      return `<p class="decision"><span class="label">Decision:</span> ${renderInline(node)}</p>`
    case 'action_item': {
      const done = node.attrs.done === true
      return `<p class="action${done ? ' done' : ''}">${box(done)}<span class="label">Action:</span> ${renderInline(node)}</p>`
    }
    default:
      return renderBlocks(node)
  }
}

function renderItems(list: PMNode): string {
  const items: string[] = []
  list.forEach((item) => {
    switch (item.type.name) {
      case 'task_item': {
        const done = item.attrs.checked === true
        items.push(`<li class="task${done ? ' done' : ''}">${renderItemContent(item, box(done), '')}</li>`)
        break
      }
      case 'agenda_item': {
        const status = agendaStatuses.find((known) => known === item.attrs.status) ?? 'pending'
        items.push(`<li class="agenda-item status-${status}">${renderItemContent(item, '', agendaMeta(item, status))}</li>`)
        break
      }
      default:
        items.push(`<li>${renderItemContent(item, '', '')}</li>`)
    }
  })
  return items.join('\n')
}

/** An item's blocks, with `before` and `after` placed inside its first paragraph. */
function renderItemContent(item: PMNode, before: string, after: string): string {
  const parts: string[] = []
  item.forEach((child, _offset, index) => {
    if (index === 0 && child.type.name === 'paragraph') parts.push(`<p>${before}${renderInline(child)}${after}</p>`)
    else parts.push(renderBlock(child))
  })
  return parts.join('\n')
}

function agendaMeta(item: PMNode, status: (typeof agendaStatuses)[number]): string {
  const owner = typeof item.attrs.owner === 'string' ? item.attrs.owner.trim() : ''
  const minutes = Math.round(Number(item.attrs.timebox) || 0)
  const parts = [owner ? `@${owner}` : '', minutes > 0 ? `${minutes} min` : '', status === 'pending' ? '' : status].filter(Boolean)
  return parts.length ? `<span class="agenda-meta">${escapeHtml(parts.join(' · '))}</span>` : ''
}

function box(checked: boolean): string {
  return `<span class="box" role="img" aria-label="${checked ? 'done' : 'open'}">${checked ? '☑' : '☐'}</span>`
}

/** Inline content; each text node is wrapped in its own marks (outermost first, by schema rank). */
function renderInline(node: PMNode): string {
  let html = ''
  node.forEach((child) => {
    if (child.type.name === 'hard_break') {
      html += '<br>'
      return
    }
    let inner = escapeHtml(child.text ?? '')
    for (const mark of [...child.marks].reverse()) inner = wrapMark(mark, inner)
    html += inner
  })
  return html
}

function wrapMark(mark: Mark, inner: string): string {
  switch (mark.type.name) {
    case 'strong':
      return `<strong>${inner}</strong>`
    case 'em':
      return `<em>${inner}</em>`
    case 'code':
      return `<code>${inner}</code>`
    case 'link': {
      const title = typeof mark.attrs.title === 'string' && mark.attrs.title ? ` title="${escapeHtml(mark.attrs.title)}"` : ''
      return `<a href="${escapeHtml(linkTarget(String(mark.attrs.href)))}"${title} rel="noopener noreferrer nofollow">${inner}</a>`
    }
    default:
      return inner
  }
}

function renderDecisions(decisions: string[]): string {
  if (!decisions.length) return '<p class="none">No decisions recorded.</p>'
  return `<ol class="decisions">\n${decisions.map((text) => `<li>${escapeHtml(text)}</li>`).join('\n')}\n</ol>`
}

function renderActions(actions: ActionOutcome[]): string {
  if (!actions.length) return '<p class="none">No action items recorded.</p>'
  const rows = actions.map(
    (action) =>
      `<tr class="${action.done ? 'done' : 'open'}"><td>${escapeHtml(action.text)}</td><td>${escapeHtml(action.owner ?? '—')}</td><td>${escapeHtml(action.due ?? '—')}</td><td>${action.done ? 'Done' : 'Open'}</td></tr>`,
  )
  return `<table>\n<thead><tr><th>Action</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`
}
