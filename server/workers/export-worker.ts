/**
 * Worker thread of exports and archive snapshots. A pad travels either as ProseMirror JSON (an
 * archived pad) or as its Yjs state update (a live pad, converted here so that walking a large
 * Y.XmlFragment never happens on the event loop).
 *
 * - `render`: one export format (md, html, txt, json) of a session.
 * - `snapshot`: what archiving a session stores: the pad as JSON, its outcomes, its plain text
 *   (without empty template sections, so searching "decisions" does not find every pad).
 */
import * as Y from 'yjs'
import type { ExportFormat } from '../../shared/api.ts'
import { exportText } from '../../shared/export/text.ts'
import { withoutEmptySections } from '../../shared/export/readable-doc.ts'
import { extractOutcomes, type Outcomes } from '../../shared/outcomes.ts'
import { padFragmentName } from '../../shared/schema.ts'
import type { PMJSON } from '../../shared/template.ts'
import { padJsonOf } from '../archive/pad-json.ts'
import { exportMeta, renderExport, type ExportSource, type RenderedExport } from '../archive/exports.ts'
import { serveJobs } from './serve-jobs.ts'

/** An export source whose pad is JSON (`doc`) or a Yjs update (`padUpdate`); outcomes computed when absent. */
export type PadSource = Omit<ExportSource, 'doc' | 'outcomes'> & {
  doc?: PMJSON
  padUpdate?: Uint8Array
  /** With `padUpdate`: `Y.encodeSnapshot` bytes of a revision; the pad is rebuilt as it was then. */
  snapshot?: Uint8Array
  outcomes?: Outcomes
}

/** One export-worker job. */
export type ExportJob = { job: 'render'; format: ExportFormat; source: PadSource } | { job: 'snapshot'; source: PadSource }

/** What a `snapshot` job returns. */
export interface PadSnapshot {
  doc: PMJSON
  outcomes: Outcomes
  text: string
}

serveJobs<ExportJob, RenderedExport | PadSnapshot>((job) => {
  const { padUpdate, snapshot, ...rest } = job.source
  const doc = job.source.doc ?? padJson(padUpdate ?? new Uint8Array(), snapshot)
  const source: ExportSource = { ...rest, doc, outcomes: job.source.outcomes ?? extractOutcomes(doc) }
  if (job.job === 'render') return { value: renderExport(job.format, source) }
  return { value: { doc, outcomes: source.outcomes, text: exportText(withoutEmptySections(doc), exportMeta(source)) } }
})

/** The pad of a Yjs update (at `snapshot` when given) as ProseMirror JSON (an empty pad is one empty paragraph). */
function padJson(update: Uint8Array, snapshot: Uint8Array | undefined): PMJSON {
  const ydoc = new Y.Doc({ gc: false })
  Y.applyUpdate(ydoc, update)
  const view = snapshot ? Y.createDocFromSnapshot(ydoc, Y.decodeSnapshot(snapshot)) : ydoc
  // Never y-prosemirror's reader: it throws on content outside the schema's shape and recurses
  // without bound (issue 15 part 3); padJsonOf skips what it cannot read and stops at a depth.
  const json = padJsonOf(view.getXmlFragment(padFragmentName))
  if (view !== ydoc) view.destroy()
  ydoc.destroy()
  return json
}
