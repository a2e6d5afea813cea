/**
 * Etherpad's HTML and plain-text exports, the simpler import path: the lines of a pad without its
 * authors or chat (those exports do not carry them).
 *
 * HTML is tokenized by htmlparser2 (a streaming tokenizer: no tree is built, so nesting depth
 * costs nothing) and read, not rendered: only text is kept, with `<strong>`/`<b>`, `<em>`/`<i>`
 * and `<a href>` (http, https and mailto only) as marks; every other tag's text is kept plain and
 * `<head>`, `<script>`, `<style>`, `<template>` and `<title>` are skipped whole, so nothing of the
 * markup can reach the pad (it is sanitized by construction). A line ends at `<br>` and at block
 * tags; `<h1>`-`<h6>` are headings, `<li>` in `<ul>`/`<ol>` list items at the depth of their
 * lists (Etherpad's `<ul class="indent">` is indentation, not a list).
 *
 * Plain text: one line per line; Etherpad writes list items as tabs (one per level) then `* ` or
 * a number such as `1. ` or `2.1 `.
 */
import { Parser } from 'htmlparser2'
import { ImportError, maxImportBytes } from './limits.ts'
import { clampLevel, headingLevel, linkTarget, linkify, maxPadLines, type PadLine, type PadRun } from './pad-lines.ts'

/** Largest HTML export accepted, in characters. @default 4194304 (4 MiB) */
export const maxEtherpadHtmlChars = 4 * 1024 * 1024
/** Deepest element nesting accepted in HTML (Etherpad's exports nest a few levels). @default 256 */
export const maxEtherpadHtmlDepth = 256

const skipped = new Set(['head', 'script', 'style', 'template', 'title', 'noscript', 'iframe', 'object', 'svg', 'math'])
const blockTags = new Set(['p', 'div', 'li', 'ul', 'ol', 'blockquote', 'pre', 'tr', 'table', 'section', 'article', 'header', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'body', 'html', 'dl', 'dt', 'dd'])

function tooManyLines(): ImportError {
  return new ImportError('too_many_items', `the pad has more than ${maxPadLines} lines; at most ${maxPadLines} can be imported`)
}

/** The lines of an Etherpad HTML export (see the module header). Throws ImportError. */
export function parseEtherpadHtml(html: string): PadLine[] {
  if (html.length > maxEtherpadHtmlChars) throw new ImportError('too_large', `the HTML has ${html.length} characters; at most ${maxEtherpadHtmlChars} can be imported`)
  const lines: PadLine[] = []
  const lists: ('bullet' | 'number' | 'indent')[] = []
  const starts: (number | null)[] = []
  const links: (string | null)[] = []
  let skipDepth = 0
  let depth = 0
  let bold = 0
  let italic = 0
  let heading: number | null = null
  let runs: PadRun[] = []
  let pendingStart: number | null = null

  const flush = (always: boolean) => {
    // HTML collapses white space: runs of it are one space, and none at the line's ends.
    const collapsed = runs.map((run) => ({ ...run, text: run.text.replace(/[ \t\r\n\f]+/g, ' ') }))
    if (collapsed.length) collapsed[0]!.text = collapsed[0]!.text.trimStart()
    if (collapsed.length) collapsed[collapsed.length - 1]!.text = collapsed.at(-1)!.text.trimEnd()
    const kept = collapsed.filter((run) => run.text !== '').map((run) => ({ ...run, text: run.text.replace(/\u00a0/g, ' ') }))
    runs = []
    if (!kept.length && !always) return
    if (lines.length >= maxPadLines) throw tooManyLines()
    const listKinds = lists.filter((kind) => kind !== 'indent')
    const innermost = lists.at(-1)
    if (heading !== null) lines.push({ block: 'heading', level: heading, start: null, runs: kept })
    else if (listKinds.length && innermost !== 'indent') {
      lines.push({ block: innermost === 'number' ? 'number' : 'bullet', level: clampLevel(listKinds.length), start: pendingStart, runs: kept.flatMap(linkify) })
      pendingStart = null
    } else lines.push({ block: 'paragraph', level: 1, start: null, runs: kept.flatMap(linkify) })
  }

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        // htmlparser2 keeps its open elements in an array it shifts: bound the depth (issue 20).
        if (++depth > maxEtherpadHtmlDepth) throw new ImportError('too_many_items', `the HTML nests elements deeper than ${maxEtherpadHtmlDepth} levels`)
        if (skipDepth > 0 || skipped.has(name)) {
          skipDepth++
          return
        }
        if (name === 'br') return flush(true)
        if (blockTags.has(name)) flush(false)
        const level = headingLevel(name)
        if (level !== null) heading = level
        if (name === 'ul' || name === 'ol') {
          const kind = name === 'ol' ? 'number' : /\bindent\b/.test(attribs.class ?? '') ? 'indent' : 'bullet'
          lists.push(kind)
          const start = Number(attribs.start)
          starts.push(kind === 'number' && Number.isInteger(start) && start > 0 && start < 1e9 ? start : null)
          pendingStart = starts.at(-1) ?? null
        }
        if (name === 'strong' || name === 'b') bold++
        if (name === 'em' || name === 'i') italic++
        if (name === 'a') links.push(attribs.href ? linkTarget(attribs.href) : null)
      },
      ontext(text) {
        if (skipDepth > 0 || text === '') return
        const href = links.filter((link) => link !== null).at(-1) ?? null
        runs.push({ text, bold: bold > 0, italic: italic > 0, href, author: null })
      },
      onclosetag(name) {
        depth--
        if (skipDepth > 0) {
          skipDepth--
          return
        }
        if (name === 'br') return
        if (blockTags.has(name)) flush(false)
        if (headingLevel(name) !== null) heading = null
        if (name === 'ul' || name === 'ol') {
          lists.pop()
          starts.pop()
        }
        if (name === 'strong' || name === 'b') bold = Math.max(0, bold - 1)
        if (name === 'em' || name === 'i') italic = Math.max(0, italic - 1)
        if (name === 'a') links.pop()
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )
  parser.write(html)
  parser.end()
  flush(false)
  // Etherpad's export ends every pad with a line break: the blank lines after the last text are
  // the pad's trailing line, not content.
  while (lines.length && lines.at(-1)!.block === 'paragraph' && lines.at(-1)!.runs.length === 0) lines.pop()
  return lines
}

/** The lines of an Etherpad plain-text export (see the module header). Throws ImportError. */
export function parseEtherpadText(text: string): PadLine[] {
  if (text.length > maxImportBytes) throw new ImportError('too_large', `the text has ${text.length} characters; at most ${maxImportBytes} can be imported`)
  if (text.includes('\0')) throw new ImportError('binary', 'the file contains NUL characters: binary files cannot be imported')
  const lines: PadLine[] = []
  for (const raw of text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n')) {
    if (lines.length >= maxPadLines) throw tooManyLines()
    const item = /^(\t+)(?:(\*) |(\d{1,9})(?:\.\d{1,9})*\.? )(.*)$/.exec(raw)
    const content = (item ? item[4]! : raw).replace(/\s+$/, '')
    const runs = content ? linkify({ text: content.replace(/^\t+/, ''), bold: false, italic: false, href: null, author: null }) : []
    if (item) lines.push({ block: item[2] ? 'bullet' : 'number', level: clampLevel(item[1]!.length), start: item[3] ? Number(item[3]) : null, runs })
    else lines.push({ block: 'paragraph', level: 1, start: null, runs })
  }
  return lines
}
